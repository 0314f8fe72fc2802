"""Exercises of lesson 09 (training AlexNet): steps, epochs and what chance looks like."""

from __future__ import annotations

import math

from ..data import FASHION_MNIST_CLASSES, FASHION_MNIST_FILES
from .core import Feedback, check_number

# "roughly 90 cycles through the training set of 1.2 million images" (paper, section 5)
PAPER_EPOCHS, PAPER_IMAGES, PAPER_BATCH = 90, 1_200_000, 128


def check_steps_per_epoch(answer, batch_size: int = 128) -> Feedback:
    """Optimiser steps in one epoch over the 60,000 Fashion-MNIST training images."""
    n = FASHION_MNIST_FILES[("train", "labels")].shape[0]
    steps = math.ceil(n / batch_size)
    return check_number(
        answer, steps, f"⌈{n:,} / {batch_size}⌉ = {steps} (the last batch is partial)",
        "divide the number of training images by the batch size and round up")


def check_paper_steps(answer) -> Feedback:
    """Optimiser steps of the paper's run: 90 epochs of 1.2 M images in batches of 128."""
    steps = PAPER_EPOCHS * math.ceil(PAPER_IMAGES / PAPER_BATCH)
    return check_number(
        answer, steps, f"{PAPER_EPOCHS} × ⌈{PAPER_IMAGES:,} / {PAPER_BATCH}⌉ = {steps:,}",
        "steps per epoch (images / batch size), times the number of epochs", rel_tol=0.01)


def check_chance_top5(answer) -> Feedback:
    """Top-5 accuracy of a classifier that guesses at random among the 10 classes."""
    classes = len(FASHION_MNIST_CLASSES)
    return check_number(
        answer, 5 / classes, f"5 guesses out of {classes} equally likely classes: 5/{classes} = "
        f"{5 / classes:.2f}, which is why top-5 says little on a 10-class problem",
        "the target is one of 10 classes; how likely is it to be among 5 random picks?",
        rel_tol=1e-3)
