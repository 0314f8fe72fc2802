"""Lesson 09's exercise answers, derived here by hand; tests/test_exercises.py grades each
through the package's check (``CHECKS``: check, derived answer, a typical wrong one)."""

from __future__ import annotations

import math

import pytest

from alexnet_course import exercises
from alexnet_course.exercises.training import (
    check_paper_steps,
    check_smoothing_floor_1000,
    check_steps_per_epoch,
)

STEPS_256 = 234 + 1  # 234 × 256 = 59,904 images in full batches, then one batch of 96
PAPER_STEPS = 90 * 9_375  # 1,200,000 = 128 × 9,375 exactly: no partial batch

CHECKS = [
    (check_steps_per_epoch, STEPS_256, 234),  # forgot the partial last batch
    (check_paper_steps, PAPER_STEPS, 9_375),  # one epoch, not ninety
]


def test_steps_for_other_batch_sizes():
    assert check_steps_per_epoch(469, batch_size=128)  # 60,000 / 128 = 468.75, rounded up
    assert "too low" in repr(check_steps_per_epoch(468, batch_size=128))
    assert check_steps_per_epoch(60, batch_size=1000)  # divides exactly: no partial batch
    assert check_steps_per_epoch(1, batch_size=100_000)  # more than the data set: one step
    assert not check_steps_per_epoch(STEPS_256 + 1)  # exact


@pytest.mark.parametrize("bad", [0, -128, 2.5, "128", None, True])
def test_impossible_batch_sizes_get_a_message_not_an_exception(bad):
    verdict = check_steps_per_epoch(STEPS_256, batch_size=bad)
    assert not verdict and repr(verdict).startswith("Cannot check this: ")


def test_paper_steps():
    assert exercises.check_paper_steps(PAPER_STEPS)  # re-exported by the package
    assert not check_paper_steps(90 * 1_200_000)  # images, not batches
    assert not check_paper_steps(PAPER_STEPS + 1)  # exact


def entropy_of_smoothed_target(classes: int, eps: float = 0.1) -> float:
    true, other = 1 - eps + eps / classes, eps / classes
    return -(true * math.log(true) + (classes - 1) * other * math.log(other))


def test_label_smoothing_floor_is_higher_with_1000_classes():
    ten, thousand = entropy_of_smoothed_target(10), entropy_of_smoothed_target(1000)
    assert thousand > ten  # 1.015 > 0.500 nats
    verdict = check_smoothing_floor_1000("higher")
    assert verdict and f"{thousand:.3f} nats" in repr(verdict) and f"{ten:.3f} for 10" in repr(verdict)
    assert not check_smoothing_floor_1000("lower") and not check_smoothing_floor_1000("the same")
    assert "is not one of" in repr(check_smoothing_floor_1000(1.015))
    assert exercises.check_smoothing_floor_1000(None).solution.startswith("higher: ")
