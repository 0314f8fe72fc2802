"""Exercises of lesson 12 (two GPUs, then and now). Each answer is recomputed from the
package's models and shape arithmetic:

>>> check_conv3_transfer(21632)
Correct: each GPU holds 128 of conv2's 256 pooled maps, 13×13 each: 128 · 13 · 13 = 21,632 numbers per image.
>>> check_ddp_steps(469)  # doctest: +NORMALIZE_WHITESPACE
Correct: each of 4 processes gets ⌈60,000 / 4⌉ = 15,000 images in batches of 128 / 4 = 32:
⌈15,000 / 32⌉ = 469 steps, as many as one process with batches of 128 (⌈60,000 / 128⌉ = 469).
"""

from __future__ import annotations

import math

import torch
from torch import nn

from ..arithmetic import trace_arithmetic
from ..counting import count_parameters
from ..models.alexnet import PAPER, build_alexnet
from ..models.registry import get_model
from .core import Feedback, check_number

__all__ = ["check_conv3_transfer", "check_fc6_per_gpu", "check_allreduce_numbers",
           "check_ddp_steps"]


def _paper_pooled_shapes() -> list[tuple[int, int, int]]:
    """The shapes after pool1, pool2 and pool5 of the paper's net at 227×227."""
    with torch.device("meta"):  # shapes only
        features = build_alexnet(PAPER).features
    return [r.shape for r in trace_arithmetic(features, PAPER.input_size) if r.type == "MaxPool2d"]


def check_conv3_transfer(answer) -> Feedback:
    """Lesson 12, exercise 1: how many numbers one GPU sends the other, per image, so that
    conv3 can read both towers' maps (the paper's net at 227×227)."""
    c, h, w = _paper_pooled_shapes()[1]  # after pool2: (256, 13, 13) over both GPUs
    half = c // 2
    return check_number(
        answer, half * h * w,
        f"each GPU holds {half} of conv2's {c} pooled maps, {h}×{w} each: "
        f"{half} · {h} · {w} = {half * h * w:,} numbers per image",
        f"conv2 → pool2 leaves {c} maps of {h}×{w} in all; how many of them live on one GPU?")


def check_fc6_per_gpu(answer) -> Feedback:
    """Lesson 12, exercise 2: the parameters (weights and biases) of fc6 held by one GPU."""
    c, h, w = _paper_pooled_shapes()[2]  # after pool5: (256, 6, 6)
    inputs, units = c * h * w, PAPER.hidden // 2
    return check_number(
        answer, inputs * units + units,
        f"each GPU computes {units:,} of fc6's {PAPER.hidden:,} units, each reading all "
        f"{c}·{h}·{w} = {inputs:,} pooled features of both GPUs: {inputs:,} · {units:,} + "
        f"{units:,} = {inputs * units + units:,}",
        f"fc6 reads every pool5 feature of both towers ({c}·{h}·{w}); one GPU holds half of "
        "its units, each with its weights and one bias")


def check_allreduce_numbers(answer) -> Feedback:
    """Lesson 12, exercise 3: how many numbers DDP averages over the processes at every step
    when training ``alexnet-small`` (1 channel, 10 classes)."""
    model = get_model("alexnet-small", num_classes=10, in_channels=1)
    n = count_parameters(model)
    layers = sum(isinstance(m, (nn.Conv2d, nn.Linear)) for m in model.modules())
    return check_number(
        answer, n,
        f"one gradient per parameter: {n:,} numbers, the weights and biases of its {layers} "
        "conv and linear layers",
        "DDP averages every parameter's gradient; count the parameters of "
        "get_model('alexnet-small', num_classes=10, in_channels=1)")


def check_ddp_steps(answer, images: int = 60_000, batch: int = 128, processes: int = 4) -> Feedback:
    """Lesson 12, exercise 4: optimisation steps per epoch on ``processes`` processes with a
    global batch of ``batch`` over ``images`` images (a DistributedSampler without drop_last)."""
    share, per_rank = math.ceil(images / processes), batch // processes
    steps, alone = math.ceil(share / per_rank), math.ceil(images / batch)
    return check_number(
        answer, steps,
        f"each of {processes} processes gets ⌈{images:,} / {processes}⌉ = {share:,} images in "
        f"batches of {batch} / {processes} = {per_rank}: ⌈{share:,} / {per_rank}⌉ = {steps} steps, "
        f"as many as one process with batches of {batch} (⌈{images:,} / {batch}⌉ = {alone})",
        f"each process sees 1/{processes} of the images, in batches of 1/{processes} of {batch}")
