"""Exercise checks give specific feedback for right, wrong, missing and malformed answers."""

from __future__ import annotations

from alexnet_course import exercises


def test_right_answer_explains_the_derivation():
    verdict = exercises.check_idx_file_bytes(16 + 60_000 * 28 * 28)
    assert verdict and repr(verdict).startswith("Correct:")


def test_wrong_answers_say_which_way_and_hint():
    low = exercises.check_idx_file_bytes(60_000 * 28 * 28)  # forgot the header
    assert not low and "too low" in repr(low) and "header" in repr(low)
    high = exercises.check_smoke_fraction(0.5)
    assert not high and "too high" in repr(high) and "train_samples" in repr(high)


def test_missing_and_malformed_answers():
    assert "Not answered yet" in repr(exercises.check_smoke_fraction(None))
    assert "is not a number" in repr(exercises.check_smoke_fraction("a third"))


def test_relative_tolerance_accepts_rounded_answers():
    assert exercises.check_smoke_fraction(0.0333)
    assert not exercises.check_number(0.0333, 1 / 30, "", "", rel_tol=0.0)


def test_training_exercises():
    assert exercises.check_steps_per_epoch(469)  # 60,000 / 128 = 468.75, rounded up
    assert "too low" in repr(exercises.check_steps_per_epoch(468))
    assert exercises.check_paper_steps(90 * 9375)
    assert not exercises.check_paper_steps(90 * 1_200_000)
    assert exercises.check_chance_top5(0.5)
    assert not exercises.check_chance_top5(0.05)
