"""Lesson 05's exercise answers, derived here by hand; tests/test_exercises.py grades each
through the package's check (``CHECKS``: check, derived answer, a typical wrong one)."""

from __future__ import annotations

import math

from alexnet_course.exercises.pooling import (
    check_max_coverage,
    check_paper_flatten_with_2x2,
    check_small_pool1_size,
)

SMALL_POOL1 = math.floor((32 - 3) / 2) + 1  # conv1 5x5 pad 2 keeps 32; floor(14.5) + 1 = 15
MAX_COVERAGE = math.ceil(3 / 2) ** 2  # 2 windows per axis, squared
# The paper's net at 227 with 2x2/2 pools: 55 -> 27 -> 13 -> 6, then 256 channels.
side = 55
for _ in range(3):
    side = math.floor((side - 2) / 2) + 1
PAPER_FLAT_2X2 = 256 * side * side

CHECKS = [
    (check_small_pool1_size, SMALL_POOL1, SMALL_POOL1 + 1),  # the 2x2/2 answer, 16
    (check_max_coverage, MAX_COVERAGE, 2),  # one axis only
    (check_paper_flatten_with_2x2, PAPER_FLAT_2X2, 256 * 7 * 7),  # rounding 6.5 up
]
