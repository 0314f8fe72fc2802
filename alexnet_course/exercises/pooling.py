"""Exercises of lesson 05 (overlapping pooling). Each answer is recomputed from the
package's own models, ``alexnet_course.arithmetic`` and the shipped photo:

>>> check_four_window_pixels(676)  # doctest: +NORMALIZE_WHITESPACE
Correct: along one axis the 27 windows start at 0, 2, …, 52, so the 26 pixels 2, 4, …, 52 lie in
two windows each; a pixel lies in four windows when its row and its column both do: 26 × 26 = 676.
>>> check_small_pool5_on_64(3136)  # doctest: +NORMALIZE_WHITESPACE
Correct: 64 → pool1 31 → pool2 15 → pool5 7 (the convolutions keep the size), and conv5 has
64 channels: 64 · 7 · 7 = 3,136.
"""

from __future__ import annotations

from functools import lru_cache

import torch
import torch.nn.functional as F

from ..arithmetic import trace_arithmetic, window_coverage
from ..data import photo
from ..models.alexnet import PAPER, SMALL, build_alexnet
from .core import Feedback, check_choice, check_number

__all__ = ["check_four_window_pixels", "check_small_pool5_on_64", "check_pooled_brightness"]


def check_four_window_pixels(answer) -> Feedback:
    """Lesson 05, exercise 1: how many of the 55 × 55 positions of conv1's map does the paper's
    pool1 (3×3, stride 2) read with four windows?"""
    with torch.device("meta"):  # shapes only
        features = build_alexnet(PAPER).features
    n = trace_arithmetic(features[:1], PAPER.input_size)[0].shape[-1]  # conv1's side, pool1's input
    k, s = PAPER.pool
    axis = window_coverage(n, k, s)
    shared = torch.nonzero(axis == 2).flatten().tolist()
    four = int((torch.outer(axis, axis) == 4).sum())
    starts = list(range(0, n - k + 1, s))
    return check_number(
        answer, four,
        f"along one axis the {len(starts)} windows start at {starts[0]}, {starts[1]}, …, {starts[-1]}, "
        f"so the {len(shared)} pixels {shared[0]}, {shared[1]}, …, {shared[-1]} lie in two windows each; "
        f"a pixel lies in four windows when its row and its column both do: "
        f"{len(shared)} × {len(shared)} = {four:,}",
        "along one axis, find the pixels that two neighbouring windows share and count them; "
        "then a pixel is in four windows when both its row and its column are such pixels")


def check_small_pool5_on_64(answer) -> Feedback:
    """Lesson 05, exercise 2: fed 64 × 64 images, how many values does the small AlexNet's
    pool5 (3×3, stride 2) output for one image, before the adaptive average pool?"""
    size = (SMALL.input_size[0], 64, 64)
    with torch.device("meta"):  # shapes only
        features = build_alexnet(SMALL).features
    rows = trace_arithmetic(features, size)
    sides = [row.shape[-1] for row in rows if row.type == "MaxPool2d"]
    c, h, w = rows[-1].shape
    chain = " → ".join(f"pool{i} {side}" for i, side in zip((1, 2, 5), sides))
    return check_number(
        answer, c * h * w,
        f"{size[-1]} → {chain} (the convolutions keep the size), and conv5 has {c} channels: "
        f"{c} · {h} · {w} = {c * h * w:,}",
        "the convolutions keep the side; each 3×3/2 pool gives ⌊(n − 3) / 2⌋ + 1; "
        "multiply the last side squared by conv5's channels")


BRIGHTNESS_CHOICES = ("3x3/2", "2x2/2", "equal")


@lru_cache(maxsize=1)
def pooled_means() -> dict[str, float]:
    """Mean pixel value (0 to 255) of the grey cat photo, and of it max-pooled once with
    3×3/2 and with 2×2/2 windows."""
    grey = torch.tensor(photo("chelsea"), dtype=torch.float32).mean(-1)[None, None]
    return {"photo": grey.mean().item(), "3x3/2": F.max_pool2d(grey, 3, 2).mean().item(),
            "2x2/2": F.max_pool2d(grey, 2, 2).mean().item()}


def check_pooled_brightness(answer) -> Feedback:
    """Lesson 05, exercise 3 (predict, then run): max-pool the grey cat photo once with 3×3/2
    and once with 2×2/2 windows; which output has the higher mean pixel value?"""
    means = pooled_means()
    ranked = sorted(BRIGHTNESS_CHOICES[:2], key=means.get, reverse=True)
    expected = "equal" if means[ranked[0]] == means[ranked[1]] else ranked[0]
    if isinstance(answer, str):
        answer = answer.replace("×", "x")  # 3×3/2 and 3x3/2 alike
    return check_choice(
        answer, expected, BRIGHTNESS_CHOICES,
        f"each 3×3 window contains the 2×2 window with the same top-left corner, so its maximum is at "
        f"least as large; measured mean pixel values: {means['3x3/2']:.1f} with 3×3/2, "
        f"{means['2x2/2']:.1f} with 2×2/2, against {means['photo']:.1f} for the photo itself",
        "compare one 3×3 window at (2i, 2j) with the 2×2 window at the same corner: which pixels "
        "does each contain, and what does that mean for their maxima?")
