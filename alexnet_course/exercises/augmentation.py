"""Exercises of lesson 07 (data augmentation). Each answer is recomputed from
``alexnet_course.augment``:

>>> check_views_227_of_256(1800)
Correct: (256 − 227 + 1)² positions × 2 mirrors = 30² × 2 = 1,800.
>>> check_pixels_in_all_ten_crops(36864)
Correct: every crop holds rows and columns 32 to 223, so 192 × 192 = 36,864 pixels.
>>> bool(check_grey_pca_share(1)), bool(check_grey_pca_share(1 / 3))
(True, False)
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import torch

from ..augment import ColourPCA, StackedTenCrop, crop_count, fit_colour_pca
from .core import Feedback, check_number

__all__ = ["check_views_227_of_256", "check_pixels_in_all_ten_crops", "check_grey_pca_share"]


def check_views_227_of_256(answer) -> Feedback:
    """Lesson 07, exercise 1: distinct training inputs (position × mirror) that random 227×227
    crops and flips make from one stored 256×256 image (227 is what conv1 really needs, lesson 01)."""
    full, crop = 256, 227
    views = crop_count(full, crop)
    return check_number(
        answer, views,
        f"({full} − {crop} + 1)² positions × 2 mirrors = {full - crop + 1}² × 2 = {views:,}",
        "a window can start at 0, 1, …, (stored side − crop side) along each axis: count both "
        "ends, square for the two axes, then double for the mirrors")


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
        "find the rows that both the top-left and the bottom-right crop hold (the other crops "
        "lie between those two), do the same for the columns, and multiply")


@lru_cache(maxsize=1)
def _colour_and_grey_pca() -> tuple[ColourPCA, ColourPCA]:
    """The colour PCA of the course's five photos, and of the same photos turned grey
    (R, G and B of every pixel replaced by their mean, in [0, 1])."""
    from ..data import photos

    colour = list(photos().values())
    grey = [np.repeat(p.mean(axis=2, keepdims=True) / 255, 3, axis=2) for p in colour]
    return fit_colour_pca(colour), fit_colour_pca(grey)


def check_grey_pca_share(answer) -> Feedback:
    """Lesson 07, exercise 3 (predict, then run): the share of the variance that λ1 holds when
    the colour PCA is fitted on the five photos turned grey, as a fraction."""
    colour, grey = _colour_and_grey_pca()
    # Rounded to 9 decimals: what is left of 1 is float64 rounding (λ2 + λ3 of order 1e-14).
    share = round(float(grey.eigenvalues[0] / grey.eigenvalues.sum()), 9)
    colour_share = float(colour.eigenvalues[0] / colour.eigenvalues.sum())
    l1, l2, l3 = grey.eigenvalues.tolist()
    p1 = ", ".join(f"{v:.3f}" for v in grey.eigenvectors[:, 0].tolist())
    return check_number(
        answer, share,
        f"grey pixels all lie on the line R = G = B: measured λ1 = {l1:.4f} and "
        f"λ2 + λ3 = {l2 + l3:.1g}, a rounding error, so λ1 holds "
        f"{share:.1%} of the variance (the colour photos: {colour_share:.1%}), along "
        f"p1 = ({p1}), pure brightness. On grey images the colour shift is a random brightness "
        "change and nothing else, as it would be on Fashion-MNIST",
        "on a grey image R, G and B of every pixel are equal: in which directions of RGB space "
        "can the pixels spread at all? Then measure: fit_colour_pca on the photos with each "
        "pixel's three values replaced by their mean, and give λ1 / (λ1 + λ2 + λ3)",
        rel_tol=1e-6)
