"""Lesson 07's exercise checks; the expected answers are recomputed here by hand."""

from __future__ import annotations

import numpy as np
import pytest

from alexnet_course.data import photos
from alexnet_course.exercises.augmentation import (check_pca_shift_levels,
                                                   check_pixels_in_all_ten_crops,
                                                   check_views_36_to_32)

VIEWS = (36 - 32 + 1) ** 2 * 2  # 5 start positions per axis, 2 mirrors
# The top-left crop holds rows/columns 0..223, the bottom-right one 32..255: all ten share 32..223.
EVERYWHERE = (224 - 32) ** 2
rows = np.concatenate([p.reshape(-1, 3) for p in photos().values()]) / 255
SHIFT_LEVELS = 0.1 * np.linalg.eigvalsh(np.cov(rows.T)).max() * 255

CHECKS = [
    (check_views_36_to_32, VIEWS, 32),  # the paper's (36 − 32)² · 2 convention
    (check_pixels_in_all_ten_crops, EVERYWHERE, 224 * 224),  # one crop's area
    (check_pca_shift_levels, SHIFT_LEVELS, SHIFT_LEVELS * 255),  # forgot that λ is a variance
]


def test_expected_answers():
    assert (VIEWS, EVERYWHERE) == (50, 36864)
    assert 1 < SHIFT_LEVELS < 10  # a gentle shift of a few grey levels


@pytest.mark.parametrize("check, right, wrong", CHECKS, ids=lambda x: getattr(x, "__name__", ""))
def test_right_answer_is_correct_and_explains(check, right, wrong):
    verdict = check(right)
    assert verdict and repr(verdict).startswith("Correct: ")
    assert check(float(right) * 1.01) if check is check_pca_shift_levels else check(float(right))


@pytest.mark.parametrize("check, right, wrong", CHECKS, ids=lambda x: getattr(x, "__name__", ""))
def test_wrong_and_missing_answers_get_a_hint(check, right, wrong):
    verdict = check(wrong)
    assert not verdict and "Hint:" in repr(verdict)
    assert not check(None) and repr(check(None)).startswith("Not answered yet")
    assert not check("fifty")
