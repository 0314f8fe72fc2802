"""Lesson 05's exercise answers, derived here by hand; tests/test_exercises.py grades each
through the package's check (``CHECKS``: check, derived answer, a typical wrong one)."""

from __future__ import annotations

import math

import numpy as np

from alexnet_course.data import photo
from alexnet_course.exercises.pooling import (
    check_four_window_pixels,
    check_pooled_brightness,
    check_small_pool5_on_64,
)

# pool1 (3x3/2) on the paper's 55 x 55 conv1 map: windows start at 0, 2, ..., 52 and cover
# start..start+2, so pixel x lies in two windows exactly when x is even and 2 <= x <= 52.
SHARED_PER_AXIS = len(range(2, 53, 2))  # 26
FOUR_WINDOWS = SHARED_PER_AXIS ** 2  # 676

# The small AlexNet on 64 x 64: the 5x5 (pad 2) and 3x3 (pad 1) stride-1 convs keep the side,
# each 3x3/2 pool gives floor((n - 3) / 2) + 1; conv5 has 64 channels.
side = 64
for _ in range(3):
    side = math.floor((side - 3) / 2) + 1  # 31, 15, 7
SMALL_POOL5_64 = 64 * side * side  # 3136

CHECKS = [
    (check_four_window_pixels, FOUR_WINDOWS, SHARED_PER_AXIS * 2),  # adding the axes instead
    (check_small_pool5_on_64, SMALL_POOL5_64, 64 * 8 * 8),  # halving 64 three times
]


def _max_pool(image: np.ndarray, z: int, s: int) -> np.ndarray:
    """Max over every z x z window, starting every s pixels, written out with loops."""
    rows, cols = (image.shape[0] - z) // s + 1, (image.shape[1] - z) // s + 1
    return np.array([[image[i * s:i * s + z, j * s:j * s + z].max() for j in range(cols)]
                     for i in range(rows)])


def test_pooled_brightness_prediction_matches_pooling_by_hand():
    grey = photo("chelsea").astype(np.float64).mean(-1)
    overlapping, tiled = _max_pool(grey, 3, 2), _max_pool(grey, 2, 2)
    # Each 3x3 window contains the 2x2 window with the same corner.
    common = tiled[:overlapping.shape[0], :overlapping.shape[1]]
    assert (overlapping >= common).all()
    brighter = "3x3/2" if overlapping.mean() > tiled.mean() else "2x2/2"
    verdict = check_pooled_brightness(brighter)
    assert verdict and brighter == "3x3/2"
    assert f"{overlapping.mean():.1f} with 3×3/2, {tiled.mean():.1f} with 2×2/2" in repr(verdict)
    assert check_pooled_brightness("3×3/2") and check_pooled_brightness(" 3X3/2 ")
    assert repr(check_pooled_brightness("equal")).startswith("'equal' is not it. Hint: ")
    assert check_pooled_brightness(None).solution.startswith("3x3/2: ")
