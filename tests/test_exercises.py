"""Exercise checks give specific feedback for right, wrong, missing and malformed answers.

The topic files (``test_exercises_<topic>.py``) derive each answer by hand, from first
principles, and list ``CHECKS``: (check, derived answer, a typical wrong answer). Here every
such answer is graded by the package's own check; and every check of the package must be
called by some topic file, so none is graded only by its own expected value.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

from alexnet_course import exercises

HERE = Path(__file__).parent
TOPIC_FILES = sorted(HERE.glob("test_exercises_*.py"))
DERIVED = [case for path in TOPIC_FILES
           for case in getattr(importlib.import_module(path.stem), "CHECKS", [])]


def _package_checks() -> dict[str, object]:
    found = {}
    for info in pkgutil.iter_modules(exercises.__path__):
        module = importlib.import_module(f"{exercises.__name__}.{info.name}")
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("check_") and function.__module__ == module.__name__ and info.name != "core":
                found[name] = function
    return found


def test_every_check_is_graded_against_an_answer_derived_in_the_tests():
    called = set(re.findall(r"\b(check_\w+)\(",
                            "".join(p.read_text() for p in [*TOPIC_FILES, Path(__file__)])))
    listed = {check.__name__ for check, _, _ in DERIVED}
    missing = set(_package_checks()) - called - listed
    assert not missing, f"checks no test grades with an answer of its own: {sorted(missing)}"


@pytest.mark.parametrize("check, right, wrong", DERIVED, ids=lambda x: getattr(x, "__name__", ""))
def test_derived_answer_is_correct_and_the_verdict_shows_it(check, right, wrong):
    verdict = check(right)
    assert verdict and repr(verdict).startswith("Correct: ")
    assert check(float(right))  # 55.0 is 55
    if float(right).is_integer():
        assert f"{int(right):,}" in repr(verdict) or str(int(right)) in repr(verdict)


@pytest.mark.parametrize("check, right, wrong", DERIVED, ids=lambda x: getattr(x, "__name__", ""))
def test_typical_wrong_answer_says_which_way_and_hints(check, right, wrong):
    direction = "too high" if wrong > right else "too low"
    assert repr(check(wrong)).startswith(f"{wrong!r} is {direction}. Hint: ")
    assert not check(wrong)


@pytest.mark.parametrize("check", sorted(_package_checks().values(), key=lambda c: c.__name__),
                         ids=lambda c: c.__name__)
def test_unanswered_and_malformed_answers_get_a_hint(check):
    assert not check(None) and repr(check(None)).startswith("Not answered yet. Hint: ")
    malformed = repr(check("fifty-five"))
    assert not check("fifty-five") and ("is not a number" in malformed or "is not one of" in malformed)


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
