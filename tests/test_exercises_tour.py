"""Lesson 00's exercise answers, derived here by hand from the shipped idx files themselves
(read with gzip and NumPy, not with ``alexnet_course.data``); tests/test_exercises.py grades
each numeric one through the package's check (``CHECKS``: check, derived answer, a typical
wrong one)."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

from alexnet_course.exercises.tour import check_brightest_class, check_idx_file_bytes, check_smoke_fraction

DATA = Path(__file__).parents[1] / "data" / "fashion-mnist"
CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")  # the data set's README, labels 0-9

IMAGES = gzip.decompress((DATA / "train-images-idx3-ubyte.gz").read_bytes())
LABELS = gzip.decompress((DATA / "train-labels-idx1-ubyte.gz").read_bytes())
IDX_BYTES = len(IMAGES)  # the uncompressed file, header and all
SMOKE_FRACTION = 2_000 / 60_000  # the smoke profile's training images, of the whole split

CHECKS = [
    (check_idx_file_bytes, IDX_BYTES, IDX_BYTES - 16),  # forgetting the header
    (check_smoke_fraction, SMOKE_FRACTION, 2_000 / 10_000),  # dividing by the test split
]


def test_idx_file_is_a_16_byte_header_then_one_byte_per_pixel():
    assert IMAGES[:4] == bytes([0, 0, 8, 3])  # magic: two zeros, uint8, three dimensions
    dims = np.frombuffer(IMAGES, ">u4", count=3, offset=4)
    assert dims.tolist() == [60_000, 28, 28] and IDX_BYTES == 16 + 60_000 * 28 * 28


def test_brightest_class_is_the_one_measured_from_the_raw_files():
    pixels = np.frombuffer(IMAGES, np.uint8, offset=16).reshape(60_000, 28 * 28)
    labels = np.frombuffer(LABELS, np.uint8, offset=8)
    means = {name: pixels[labels == c].mean() / 255 for c, name in enumerate(CLASSES)}
    brightest = max(means, key=means.get)
    verdict = check_brightest_class(brightest)
    assert verdict and repr(verdict).startswith("Correct: ")
    assert f"{brightest} has the highest mean pixel value, {means[brightest]:.3f}" in repr(verdict)
    darkest = min(means, key=means.get)
    assert f"darkest class is {darkest} ({means[darkest]:.3f})" in repr(verdict)
    assert check_brightest_class(brightest.upper())  # case does not matter
    wrong = check_brightest_class(darkest)
    assert not wrong and repr(wrong).startswith(f"{darkest!r} is not it. Hint: ")
    assert "is not one of" in repr(check_brightest_class("Hat"))
