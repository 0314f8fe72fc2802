"""Exercises of lesson 07 (data augmentation). Each answer is recomputed from
``alexnet_course.augment``:

>>> check_views_36_to_32(50)
Correct: (36 − 32 + 1)² positions × 2 mirrors = 5² × 2 = 50.
>>> check_pixels_in_all_ten_crops(36864)
Correct: every crop holds rows and columns 32 to 223, so 192 × 192 = 36,864 pixels.
"""

from __future__ import annotations

import torch

from ..augment import StackedTenCrop, crop_count, fit_colour_pca
from .core import Feedback, check_number

__all__ = ["check_views_36_to_32", "check_pixels_in_all_ten_crops", "check_pca_shift_levels"]


def check_views_36_to_32(answer) -> Feedback:
    """Lesson 07, exercise 1: distinct training inputs (position × mirror) that random 32×32
    crops and flips make from one 36×36 image."""
    full, crop = 36, 32
    return check_number(
        answer, crop_count(full, crop),
        f"({full} − {crop} + 1)² positions × 2 mirrors = {full - crop + 1}² × 2 = "
        f"{crop_count(full, crop)}",
        "a window can start at 0, 1, …, 36 − 32 along each axis; count both ends")


def check_pixels_in_all_ten_crops(answer) -> Feedback:
    """Lesson 07, exercise 2: how many pixels of a 256×256 image lie in every one of its
    ten 224×224 test crops."""
    full, size = 256, 224
    # Crop an image of pixel indices: each crop then lists the pixels it holds.
    index = torch.arange(full * full, dtype=torch.float64).reshape(1, full, full)
    counts = torch.zeros(full * full)
    for crop in StackedTenCrop(size)(index):
        counts[crop.flatten().long()] += 1
    everywhere = int((counts == 10).sum())
    side = int(everywhere ** 0.5)
    return check_number(
        answer, everywhere,
        f"every crop holds rows and columns {full - size} to {size - 1}, "
        f"so {side} × {side} = {everywhere:,} pixels",
        "the top-left crop covers rows 0–223 and the bottom-right one rows 32–255; intersect them")


def check_pca_shift_levels(answer) -> Feedback:
    """Lesson 07, exercise 3: the standard deviation, in grey levels of 0–255, of the colour
    shift along p1 for the course's five photos (α1 ~ N(0, 0.1²), pixels in [0, 1])."""
    from ..data import photos

    lam = float(fit_colour_pca(photos().values()).eigenvalues[0])
    levels = 0.1 * lam * 255
    return check_number(
        answer, levels,
        f"σ·λ1 = 0.1 × {lam:.4f} = {0.1 * lam:.4f} in [0, 1] units, "
        f"× 255 = {levels:.1f} grey levels",
        "the shift along p1 is α1·λ1 with α1's standard deviation 0.1; "
        "then convert [0, 1] to 0–255",
        rel_tol=0.05)
