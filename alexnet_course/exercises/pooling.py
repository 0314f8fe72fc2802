"""Exercises of lesson 05 (overlapping pooling). Each answer is recomputed from the
package's own models and ``alexnet_course.arithmetic``:

>>> check_small_pool1_size(15)
Correct: ⌊(32 − 3) / 2⌋ + 1 = ⌊14.5⌋ + 1 = 15 (with 2×2/2: ⌊(32 − 2) / 2⌋ + 1 = 16).
>>> check_max_coverage(4)
Correct: ⌈3/2⌉ = 2 windows per axis overlap on a pixel, so 2 × 2 = 4 windows in 2-D.
"""

from __future__ import annotations

import math
from dataclasses import replace

import torch

from ..arithmetic import pool_output_size, trace_arithmetic, window_coverage
from ..models.alexnet import PAPER, SMALL, build_alexnet
from .core import Feedback, check_number

__all__ = ["check_small_pool1_size", "check_max_coverage", "check_paper_flatten_with_2x2"]


def check_small_pool1_size(answer) -> Feedback:
    """Lesson 05, exercise 1: the side of the small AlexNet's map after pool1 (3×3, stride 2)
    on its 32×32 input (conv1 5×5, padding 2, stride 1 keeps 32)."""
    k, s = SMALL.pool
    n = SMALL.input_size[-1]  # conv1 keeps the size: (32 + 2·2 − 5)/1 + 1 = 32
    size = pool_output_size(n, k, s)
    other = pool_output_size(n, 2, 2)
    return check_number(
        answer, size,
        f"⌊({n} − {k}) / {s}⌋ + 1 = ⌊{(n - k) / s:g}⌋ + 1 = {size} "
        f"(with 2×2/2: ⌊({n} − 2) / 2⌋ + 1 = {other})",
        f"o = ⌊(n − k) / s⌋ + 1 with n = {n}, k = {k}, s = {s}")


def check_max_coverage(answer) -> Feedback:
    """Lesson 05, exercise 2: the largest number of 3×3, stride-2 pooling windows that
    contain one pixel of a large image."""
    k, s = PAPER.pool
    per_axis = int(window_coverage(4 * k + 1, k, s).max())
    assert per_axis == math.ceil(k / s)
    return check_number(
        answer, per_axis ** 2,
        f"⌈{k}/{s}⌉ = {per_axis} windows per axis overlap on a pixel, so {per_axis} × {per_axis} "
        f"= {per_axis ** 2} windows in 2-D",
        "count along one axis first: windows start every 2 pixels and are 3 wide; then square")


def check_paper_flatten_with_2x2(answer) -> Feedback:
    """Lesson 05, exercise 3: the number of features fc6 would receive if the paper's
    network (227×227 input) used 2×2, stride-2 pools instead of 3×3, stride 2."""
    with torch.device("meta"):  # shapes only
        features = build_alexnet(replace(PAPER, pool=(2, 2))).features
    rows = trace_arithmetic(features, PAPER.input_size)
    c, h, w = rows[-1].shape
    # The side entering each pool, then the last pool's output.
    sides = [rows[i - 1].shape[-1] for i, r in enumerate(rows) if r.type == "MaxPool2d"] + [h]
    return check_number(
        answer, c * h * w,
        f"{' → '.join(map(str, sides))} with 2×2/2 as with 3×3/2 (every pooled side is odd), "
        f"so fc6 still sees {c}·{h}·{w} = {c * h * w:,}",
        f"trace {sides[0]} → pool1 → (conv2 keeps the size) → pool2 → (conv3–5 keep it) → pool5, "
        "each pool with o = ⌊(n − 2)/2⌋ + 1")
