"""Exercises of lesson 11 (spot the mistake). Each answer is recomputed from the package's
``arithmetic``, ``counting``, ``layers`` and models:

>>> check_conv1_padding3_side(55)
Correct: ⌊(224 + 2·3 − 11) / 4⌋ + 1 = ⌊54.75⌋ + 1 = 55: the floor hides the 0.75, so "55" comes out by luck.
>>> check_torch_lrn_alpha(5e-4)
Correct: PyTorch divides alpha by n = 5, so the paper's alpha = 0.0001 is passed as 5 × 0.0001 = 0.0005.
"""

from __future__ import annotations

import torch

from ..arithmetic import conv_output_size, trace_arithmetic
from ..counting import count_parameters
from ..models import alexnet, zfnet
from .core import Feedback, check_number

__all__ = ["check_conv1_padding3_side", "check_conv2_stride2_side", "check_single_minus_grouped",
           "check_lrn_edge_window", "check_logits_dropped", "check_torch_lrn_alpha",
           "check_zfnet_flatten_without_conv2_stride"]


def check_conv1_padding3_side(answer) -> Feedback:
    """Lesson 11, mistake 1: the side of conv1's output (11×11, stride 4) on 224 with padding 3."""
    side = conv_output_size(224, 11, stride=4, padding=3)
    return check_number(
        answer, side,
        f"⌊(224 + 2·3 − 11) / 4⌋ + 1 = ⌊{(224 + 6 - 11) / 4:g}⌋ + 1 = {side}: the floor hides the "
        f"0.75, so \"55\" comes out by luck",
        "o = ⌊(n + 2p − k) / s⌋ + 1 with n = 224, p = 3, k = 11, s = 4")


def check_conv2_stride2_side(answer) -> Feedback:
    """Lesson 11, mistake 2: conv2 (5×5, padding 2) on the 27×27 map with stride 2."""
    side = conv_output_size(27, 5, stride=2, padding=2)
    return check_number(
        answer, side,
        f"⌊(27 + 4 − 5) / 2⌋ + 1 = {side}, not the 27 the write-up then uses (that needs stride 1)",
        "o = ⌊(n + 2p − k) / s⌋ + 1 with n = 27, p = 2, k = 5, s = 2")


def check_single_minus_grouped(answer) -> Feedback:
    """Lesson 11, mistake 3: how many more parameters the single-tower AlexNet has than the
    paper's two-tower one."""
    with torch.device("meta"):
        single, paper = alexnet("single"), alexnet("paper")
    diff = count_parameters(single) - count_parameters(paper)
    extra = [count_parameters(a) - count_parameters(b) for a, b in zip(single.features, paper.features)
             if isinstance(a, torch.nn.Conv2d) and count_parameters(a) != count_parameters(b)]
    assert sum(extra) == diff
    return check_number(
        answer, diff,
        f"{diff:,}: conv2, conv4 and conv5 see all channels instead of half, doubling their weights "
        f"({' + '.join(f'{e:,}' for e in extra)})",
        "only grouped layers differ; groups=2 halves the input channels each kernel sees")


def check_lrn_edge_window(answer) -> Feedback:
    """Lesson 11, mistake 4: how many channels LRN's window (n = 5) sums over at channel 0."""
    n = 5
    channels = n // 2 + 1  # channel 0 itself and the n // 2 after it; none before
    return check_number(
        answer, channels,
        f"channels 0 to {n // 2}: {channels} (the window c − 2 … c + 2 is clipped at the first channel)",
        "the window is c − n//2 to c + n//2, clipped to the channels that exist")


def check_logits_dropped(answer) -> Feedback:
    """Lesson 11, mistake 5: with dropout p = 0.5 after fc8 (10 classes), how many of one
    image's 10 logits are zeroed on average in training."""
    p, classes = 0.5, 10
    return check_number(
        answer, p * classes,
        f"p × classes = {p} × {classes} = {p * classes:g}: half of every image's class scores are "
        "set to 0 at random, and the loss is computed on what is left",
        "each logit is dropped independently with probability p", rel_tol=1e-9)


def check_torch_lrn_alpha(answer) -> Feedback:
    """Lesson 11, mistake 6: the ``alpha`` to pass to ``nn.LocalResponseNorm(5, ...)`` for the
    paper's alpha = 1e-4."""
    n, alpha = 5, 1e-4
    return check_number(
        answer, n * alpha,
        f"PyTorch divides alpha by n = {n}, so the paper's alpha = {alpha:g} is passed as "
        f"{n} × {alpha:g} = {n * alpha:g}",
        "PyTorch's layer divides alpha by n before multiplying the sum of squares", rel_tol=1e-9)


def check_zfnet_flatten_without_conv2_stride(answer) -> Feedback:
    """Lesson 11, mistake 7: the features fc6 would receive if ZFNet's conv2 kept stride 1."""
    with torch.device("meta"):
        model = zfnet()
    conv2 = model.features[4]
    model.features[4] = torch.nn.Conv2d(conv2.in_channels, conv2.out_channels, 5, stride=1, padding=2)
    rows = trace_arithmetic(model.features, (3, 224, 224))
    sides = [r.shape[-1] for r in rows if r.type in ("Conv2d", "MaxPool2d")][1:]
    c, h, w = rows[-1].shape
    return check_number(
        answer, c * h * w,
        f"pool1 {sides[0]} → conv2 (stride 1) {sides[1]} → pool2 {sides[2]} → conv3–5 {sides[5]} → "
        f"pool5 {sides[6]}, so fc6 sees {c}·{h}·{w} = {c * h * w:,} (with ZFNet's stride 2: 256·6·6 = 9,216)",
        "trace 55 through conv2 with stride 1 and padding 2, then the ceil-mode 3/2 pools")
