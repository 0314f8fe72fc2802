"""Exercises of lesson 12 (two GPUs, then and now). Each answer is recomputed from the
package's models, its two-device split and shape arithmetic:

>>> check_conv4_transfer(32448)  # doctest: +NORMALIZE_WHITESPACE
Correct: if conv4 read both towers, each GPU would send its 192 of conv3's 384 maps, 13×13 each:
192 · 13 · 13 = 32,448 numbers per image (conv3 itself gets 21,632 from each GPU).
>>> check_ddp_steps(469)  # doctest: +NORMALIZE_WHITESPACE
Correct: each of 4 processes gets ⌈60,000 / 4⌉ = 15,000 images in batches of 128 / 4 = 32:
⌈15,000 / 32⌉ = 469 steps, as many as one process with batches of 128 (⌈60,000 / 128⌉ = 469).
>>> check_ddp_steps(3, batch=0)
Cannot check this: a global batch of 0 images takes no steps; choose a batch of at least 1.
"""

from __future__ import annotations

import math
from functools import cache

import torch
from torch import nn

from .._checks import is_whole
from ..arithmetic import trace_arithmetic
from ..counting import count_parameters
from ..models import alexnet
from ..models.alexnet import PAPER, build_alexnet
from ..parallel import ModelParallelAlexNet
from .core import Feedback, cannot_check, check_choice, check_number

__all__ = ["check_conv4_transfer", "check_fc6_per_gpu", "check_ddp_or_split_sends_more",
           "check_ddp_steps"]


def _paper_pooled_shapes() -> list[tuple[int, int, int]]:
    """The shapes after pool1, pool2 and pool5 of the paper's net at 227×227."""
    with torch.device("meta"):  # shapes only
        features = build_alexnet(PAPER).features
    return [r.shape for r in trace_arithmetic(features, PAPER.input_size) if r.type == "MaxPool2d"]


@cache
def _split_traffic(conv4_across: bool = False) -> tuple[tuple[str, int, int], ...]:
    """``ModelParallelAlexNet.traffic`` of the paper's net at 227×227, optionally with conv4
    reading both towers (``groups=1``) like conv3. Only shapes matter: the weights are left
    uninitialised, and the result is kept."""
    with torch.device("meta"):
        model = alexnet("paper")
        if conv4_across:
            conv4 = model.features[10]
            model.features[10] = nn.Conv2d(conv4.in_channels, conv4.out_channels, conv4.kernel_size,
                                           padding=conv4.padding)
    split = ModelParallelAlexNet.from_alexnet(model.to_empty(device="cpu"))
    return tuple(split.traffic(PAPER.input_size))


def check_conv4_transfer(answer) -> Feedback:
    """Lesson 12, exercise 1: how many numbers one GPU would send the other, per image, if
    conv4 read both towers' maps as conv3 does (the paper's net at 227×227)."""
    links = {link: sent for link, sent, _ in _split_traffic(conv4_across=True)}
    sent, conv3_in = links["conv3 → conv4"], links["conv2 → conv3"]
    with torch.device("meta"):
        rows = trace_arithmetic(build_alexnet(PAPER).features, PAPER.input_size)
    c, h, w = [r.shape for r in rows if r.type == "Conv2d"][2]  # conv3's output, both towers
    assert sent == c // 2 * h * w
    return check_number(
        answer, sent,
        f"if conv4 read both towers, each GPU would send its {c // 2} of conv3's {c} maps, {h}×{w} "
        f"each: {c // 2} · {h} · {w} = {sent:,} numbers per image (conv3 itself gets {conv3_in:,} "
        "from each GPU)",
        "conv4 would read all of conv3's output maps; how many of them, and of what size, live on "
        "one GPU? (the table in §1 gives conv3's kernels per tower)")


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


def check_ddp_or_split_sends_more(answer) -> Feedback:
    """Lesson 12, exercise 3 (predict, then run): training the paper's net on 2 GPUs with
    batches of 128, does DDP or the 2012 split send more numbers between the GPUs per step?"""
    batch = 128
    per_image = sum(a + b for _, a, b in _split_traffic())
    split = 2 * per_image * batch  # activations forward, as many gradients back
    with torch.device("meta"):
        n = count_parameters(alexnet("paper"))
    world = 2
    ddp = world * round(2 * (world - 1) / world * n)  # a ring all-reduce: each rank sends 2(W − 1)/W · n
    expected = "DDP" if ddp > split else "split"
    return check_choice(
        answer, expected, ("DDP", "split"),
        f"DDP all-reduces one gradient per parameter: with 2 GPUs each sends {n:,} numbers per step, "
        f"{ddp:,} in all; the split sends {per_image:,} activations per image across and as many "
        f"gradients back, × {batch} images = {split:,}. DDP sends {ddp / split:.1f}× as much, "
        "because most of AlexNet's parameters sit in fc6–fc8, whose gradients every copy must "
        "exchange — the reason Krizhevsky's 2014 follow-up kept model parallelism for those layers",
        "count both per step: DDP exchanges every parameter's gradient (the ring all-reduce of §3 "
        "sends 2(W − 1)/W of them from each rank); the split sends the traffic table's numbers for "
        "every image of the batch, forward and back")


def check_ddp_steps(answer, images: int = 60_000, batch: int = 128, processes: int = 4) -> Feedback:
    """Lesson 12, exercise 4: optimisation steps per epoch on ``processes`` processes with a
    global batch of ``batch`` over ``images`` images (a DistributedSampler without drop_last).
    Settings no launch could run get a sentence saying why, not an exception."""
    for value, name in ((images, "images"), (batch, "batch"), (processes, "processes")):
        if not is_whole(value, minimum=-math.inf):
            return cannot_check(f"{name} must be a whole number, not {value!r}")
    if images < 1:
        return cannot_check(f"an epoch of {images} images has no steps; choose at least 1 image")
    if batch < 1:
        return cannot_check(f"a global batch of {batch} images takes no steps; choose a batch of at least 1")
    if processes < 1:
        return cannot_check(f"{processes} processes train nothing; choose at least 1")
    if batch % processes:
        return cannot_check(f"a global batch of {batch} does not split evenly over {processes} processes "
                            f"(DDP needs a multiple of {processes})")
    share, per_rank = math.ceil(images / processes), batch // processes
    steps, alone = math.ceil(share / per_rank), math.ceil(images / batch)
    return check_number(
        answer, steps,
        f"each of {processes} processes gets ⌈{images:,} / {processes}⌉ = {share:,} images in "
        f"batches of {batch} / {processes} = {per_rank}: ⌈{share:,} / {per_rank}⌉ = {steps} steps, "
        f"as many as one process with batches of {batch} (⌈{images:,} / {batch}⌉ = {alone})",
        f"each process sees 1/{processes} of the images, in batches of 1/{processes} of {batch}")
