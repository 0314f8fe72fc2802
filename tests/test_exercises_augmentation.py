"""Lesson 07's exercise answers, derived here by hand; tests/test_exercises.py grades each
through the package's check (``CHECKS``: check, derived answer, a typical wrong one)."""

from __future__ import annotations

import numpy as np

from alexnet_course.data import photos
from alexnet_course.exercises.augmentation import (
    check_pca_shift_levels,
    check_pixels_in_all_ten_crops,
    check_views_36_to_32,
)

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


def test_the_shift_accepts_a_rounded_answer_but_not_a_different_one():
    assert check_pca_shift_levels(round(SHIFT_LEVELS, 1))  # "4.2 grey levels"
    assert not check_pca_shift_levels(SHIFT_LEVELS * 1.1)
