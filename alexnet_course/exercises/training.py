"""Exercises of lesson 09 (training AlexNet): steps, epochs and the floor that label
smoothing puts under the training loss.

>>> check_steps_per_epoch(235)
Correct: ⌈60,000 / 256⌉ = ⌈234.375⌉ = 235: 234 full batches, then one of 96 images.
>>> check_steps_per_epoch(235, batch_size=0)
Cannot check this: a batch holds a whole number of images, at least 1, not 0.
>>> bool(check_smoothing_floor_1000("higher"))
True
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from .._checks import is_whole
from ..data import FASHION_MNIST_CLASSES, FASHION_MNIST_FILES
from .core import Feedback, cannot_check, check_choice, check_number

__all__ = ["check_steps_per_epoch", "check_paper_steps", "check_smoothing_floor_1000"]

# "roughly 90 cycles through the training set of 1.2 million images" (paper, section 5)
PAPER_EPOCHS, PAPER_IMAGES, PAPER_BATCH = 90, 1_200_000, 128
IMAGENET_CLASSES = 1000


def check_steps_per_epoch(answer, batch_size: int = 256) -> Feedback:
    """Lesson 09, exercise 1: optimiser steps in one epoch over the 60,000 Fashion-MNIST
    training images in batches of ``batch_size`` (the question asks for 256, twice the run's)."""
    if not is_whole(batch_size):
        return cannot_check(f"a batch holds a whole number of images, at least 1, not {batch_size!r}")
    n, batch_size = FASHION_MNIST_FILES[("train", "labels")].shape[0], int(batch_size)
    steps = math.ceil(n / batch_size)
    full, last = divmod(n, batch_size)
    rest = f"{full:,} full batches, then one of {last} images" if last else "every batch is full"
    return check_number(
        answer, steps, f"⌈{n:,} / {batch_size}⌉ = ⌈{n / batch_size:g}⌉ = {steps:,}: {rest}",
        "divide the number of training images by the batch size and round up: the last, "
        "partial batch is a step too")


def check_paper_steps(answer) -> Feedback:
    """Lesson 09, exercise 2: optimiser steps of the paper's run, 90 epochs of 1.2 M images
    in batches of 128."""
    per_epoch = math.ceil(PAPER_IMAGES / PAPER_BATCH)
    steps = PAPER_EPOCHS * per_epoch
    return check_number(
        answer, steps, f"{PAPER_EPOCHS} × ⌈{PAPER_IMAGES:,} / {PAPER_BATCH}⌉ = {PAPER_EPOCHS} × "
        f"{per_epoch:,} = {steps:,}",
        "steps per epoch (images / batch size, rounded up), times the number of epochs")


def smoothing_floor(classes: int, eps: float) -> float:
    """The smallest training loss label smoothing ``eps`` allows with ``classes`` classes:
    PyTorch's own label-smoothed cross-entropy at the best logits there are, the log of the
    smoothed target (whose entropy it then is).

    >>> round(smoothing_floor(10, 0.1), 3), round(smoothing_floor(10, 0.0), 3)
    (0.5, 0.0)
    """
    target = torch.full((classes,), eps / classes, dtype=torch.float64)
    target[0] += 1 - eps
    return F.cross_entropy(target.log()[None], torch.tensor([0]), label_smoothing=eps).item()


def check_smoothing_floor_1000(answer) -> Feedback:
    """Lesson 09, exercise 3 (predict, then run): with ImageNet's 1,000 classes and the same
    label smoothing, is the floor under the training loss higher, lower or the same as with
    Fashion-MNIST's 10 classes?"""
    from ..train import RECIPES

    eps, few = RECIPES["modern"].label_smoothing, len(FASHION_MNIST_CLASSES)
    floors = {k: smoothing_floor(k, eps) for k in (few, IMAGENET_CLASSES)}
    spread = {k: (k - 1) * eps / k * math.log(k / eps) for k in floors}  # the wrong classes' part
    expected = ("higher" if floors[IMAGENET_CLASSES] > floors[few] else
                "lower" if floors[IMAGENET_CLASSES] < floors[few] else "the same")
    return check_choice(
        answer, expected, ("higher", "lower", "the same"),
        f"with ε = {eps}, PyTorch's label-smoothed loss at the best possible logits is "
        f"{floors[IMAGENET_CLASSES]:.3f} nats for {IMAGENET_CLASSES:,} classes against "
        f"{floors[few]:.3f} for {few}. The ε spread over the K − 1 wrong classes costs "
        f"(K − 1)·(ε/K)·ln(K/ε): {spread[few]:.3f} nats for K = {few}, "
        f"{spread[IMAGENET_CLASSES]:.3f} for K = {IMAGENET_CLASSES:,}, growing like ε·ln K",
        "the floor is the entropy −Σ q·ln q of the smoothed target q: 1 − ε + ε/K on the true class "
        "and ε/K on each of the K − 1 others. Compute it for K = 1000 as §4 did for K = 10")
