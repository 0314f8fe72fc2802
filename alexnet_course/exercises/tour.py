"""Exercises of lesson 00 (setup and tour): the idx format, the profiles, and a first look
at the data that the learner predicts before measuring.

>>> check_idx_file_bytes(47_040_016)
Correct: 16 header bytes + 60000 × 28 × 28 pixel bytes = 47,040,016.
>>> bool(check_idx_file_bytes(47_040_000))
False
>>> bool(check_brightest_class("Sandal")), check_brightest_class(None).expected
(False, 'Coat')
"""

from __future__ import annotations

from functools import lru_cache

from ..data import FASHION_MNIST_CLASSES, FASHION_MNIST_FILES, fashion_mnist
from ..profiles import PROFILES
from .core import Feedback, check_choice, check_number

__all__ = ["check_idx_file_bytes", "check_smoke_fraction", "check_brightest_class"]


def check_idx_file_bytes(answer) -> Feedback:
    """Lesson 00: bytes in the uncompressed ``train-images-idx3-ubyte`` file."""
    n, h, w = FASHION_MNIST_FILES[("train", "images")].shape
    header = 4 + 4 * 3  # magic number, then one uint32 per dimension
    return check_number(
        answer, header + n * h * w,
        f"{header} header bytes + {n} × {h} × {w} pixel bytes = {header + n * h * w:,}",
        "one byte per pixel, plus a header of a 4-byte magic number and one 4-byte size per dimension")


def check_smoke_fraction(answer) -> Feedback:
    """Lesson 00: the fraction of the 60,000 training images the smoke profile uses."""
    total = FASHION_MNIST_FILES[("train", "labels")].shape[0]
    used = PROFILES["smoke"].train_samples
    return check_number(
        answer, used / total, f"{used:,} / {total:,} = {used / total:.4f}",
        "look at ac.profile('smoke').train_samples", rel_tol=1e-3)


@lru_cache(maxsize=1)
def class_brightness() -> tuple[int, dict[str, float]]:
    """The number of training images, and the mean pixel value (0 to 1) of each class over
    all of them, brightest first; measured from the shipped files."""
    total = FASHION_MNIST_FILES[("train", "labels")].shape[0]
    full = fashion_mnist("train", samples=total)
    means = {name: (full.images[full.targets == c].double().mean() / 255).item()
             for c, name in enumerate(FASHION_MNIST_CLASSES)}
    return len(full), dict(sorted(means.items(), key=lambda item: -item[1]))


def check_brightest_class(answer) -> Feedback:
    """Lesson 00, predict then run: which class's training images have the highest mean
    pixel value (the most "ink" on the black background)?"""
    total, means = class_brightness()
    ranked = list(means)
    top, runner_up, darkest = ranked[0], ranked[1], ranked[-1]
    return check_choice(
        answer, top, FASHION_MNIST_CLASSES,
        f"measured over all {total:,} training images, {top} has the highest mean pixel value, "
        f"{means[top]:.3f} (of 1), just ahead of {runner_up} ({means[runner_up]:.3f}); "
        f"the darkest class is {darkest} ({means[darkest]:.3f})",
        "picture each item in its 28 × 28 frame: the more of the frame it covers, the more bright "
        "pixels; then measure: the mean of full_train.images[full_train.targets == c] / 255 for each class c")
