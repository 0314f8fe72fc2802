"""Lesson 07's exercise answers, derived here by hand; tests/test_exercises.py grades each
through the package's check (``CHECKS``: check, derived answer, a typical wrong one)."""

from __future__ import annotations

from alexnet_course.exercises.augmentation import (
    check_grey_pca_share,
    check_pixels_in_all_ten_crops,
    check_views_227_of_256,
)

VIEWS = (256 - 227 + 1) ** 2 * 2  # a window starts at 0..29 along each axis: 30 positions, 2 mirrors
# The top-left crop holds rows/columns 0..223, the bottom-right one 32..255: all ten share 32..223.
EVERYWHERE = (224 - 32) ** 2
# Grey pixels (r, r, r) have covariance Var(r)·J, J the all-ones 3×3 matrix, whose eigenvalues are
# 3, 0, 0: all the variance lies along (1, 1, 1)/√3, so λ1 holds a share of exactly 1.
GREY_SHARE = 1

CHECKS = [
    (check_views_227_of_256, VIEWS, (256 - 227) ** 2 * 2),  # the paper's one-short convention
    (check_pixels_in_all_ten_crops, EVERYWHERE, 224 * 224),  # one crop's area
    (check_grey_pca_share, GREY_SHARE, 1 / 3),  # "the variance splits evenly over R, G and B"
]


def test_the_grey_share_verdict_states_the_measured_figures():
    verdict = check_grey_pca_share(1.0)
    assert verdict and "100.0%" in repr(verdict) and "89.1%" in repr(verdict)  # grey, then colour
    assert "(0.577, 0.577, 0.577)" in repr(verdict)  # p1 = (1, 1, 1)/√3
    assert not check_grey_pca_share(0.891)  # the colour photos' share
    assert "too high" in repr(check_grey_pca_share(100))  # a percentage, not a fraction
