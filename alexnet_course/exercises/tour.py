"""Exercises of lesson 00 (setup and tour): the idx format and the profiles.

>>> check_idx_file_bytes(47_040_016)
Correct: 16 header bytes + 60000 × 28 × 28 pixel bytes = 47,040,016.
>>> bool(check_idx_file_bytes(47_040_000))
False
"""

from __future__ import annotations

from ..data import FASHION_MNIST_FILES
from ..profiles import PROFILES
from .core import Feedback, check_number


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
