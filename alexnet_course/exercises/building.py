"""Exercises of lesson 08 (building AlexNet): the towers and the initialisation, every
answer recomputed from the package's networks.

>>> check_biases_at_one(256 + 384 + 256 + 4096 + 4096)
Correct: conv2 256 + conv4 384 + conv5 256 + fc6 4096 + fc7 4096 = 9,088 biases start at 1.
>>> bool(check_biases_at_one(256 + 384 + 256))  # forgot the fully connected layers
False
"""

from __future__ import annotations

import math

import torch
from torch import nn

from ..counting import conv_params, count_parameters
from ..models import VARIANTS, alexnet
from .core import Feedback, check_number

__all__ = ["check_conv3_grouped_total", "check_biases_at_one", "check_default_std_fc6", "check_he_std_conv1"]

PAPER = VARIANTS["paper"]


def _paper_layers() -> tuple[list[nn.Conv2d], list[nn.Linear]]:
    with torch.device("meta"):  # shapes only
        model = alexnet("paper")
    return ([m for m in model.modules() if isinstance(m, nn.Conv2d)],
            [m for m in model.modules() if isinstance(m, nn.Linear)])


def _fan_in(layer: nn.Module) -> int:
    """Inputs seen by one output unit: (C_in / groups) · k · k for a conv, in_features for a linear."""
    return layer.weight[0].numel()


def check_conv3_grouped_total(answer) -> Feedback:
    """Lesson 08: total parameters of the paper's network if conv3 were grouped too (the notebook mistake)."""
    with torch.device("meta"):
        total = count_parameters(alexnet("paper"))
    c_in, c_out, k = PAPER.widths[1], PAPER.widths[2], PAPER.kernels[2]
    lost = conv_params(c_in, c_out, k) - conv_params(c_in, c_out, k, groups=2)
    return check_number(
        answer, total - lost,
        f"grouping conv3 halves its {k}·{k}·{c_in}·{c_out} = {k * k * c_in * c_out:,} weights: "
        f"{total:,} - {lost:,} = {total - lost:,}",
        "start from the paper's total and remove half of conv3's weights (its biases stay)")


def check_biases_at_one(answer) -> Feedback:
    """Lesson 08: how many biases the paper's initialisation sets to 1."""
    convs, fcs = _paper_layers()
    ones = {"conv2": convs[1], "conv4": convs[3], "conv5": convs[4], "fc6": fcs[0], "fc7": fcs[1]}
    total = sum(m.bias.numel() for m in ones.values())
    return check_number(
        answer, total,
        " + ".join(f"{name} {m.bias.numel()}" for name, m in ones.items())
        + f" = {total:,} biases start at 1",
        "one bias per output channel or unit, in conv2, conv4, conv5 "
        "and the two hidden fully connected layers")


def check_default_std_fc6(answer) -> Feedback:
    """Lesson 08: standard deviation of fc6's weights under PyTorch's default initialisation."""
    fan_in = _fan_in(_paper_layers()[1][0])
    bound = 1 / math.sqrt(fan_in)  # kaiming_uniform_(a=sqrt(5)): U(-1/sqrt(fan_in), 1/sqrt(fan_in))
    std = bound / math.sqrt(3)  # a uniform distribution on (-b, b) has standard deviation b / sqrt(3)
    return check_number(
        answer, std,
        f"U(-b, b) with b = 1/√{fan_in} has std b/√3 = 1/√(3·{fan_in}) = {std:.6f}",
        "PyTorch draws Linear weights from U(-1/√fan_in, 1/√fan_in); fan_in of fc6 is 9216, "
        "and U(-b, b) has standard deviation b/√3", rel_tol=1e-2)


def check_he_std_conv1(answer) -> Feedback:
    """Lesson 08: the standard deviation He (Kaiming-normal, fan_in, ReLU) initialisation gives conv1."""
    conv1 = _paper_layers()[0][0]
    fan_in = _fan_in(conv1)
    std = math.sqrt(2 / fan_in)
    c, (kh, kw) = conv1.in_channels, conv1.kernel_size
    return check_number(
        answer, std,
        f"fan_in = {c}·{kh}·{kw} = {fan_in}, so √(2/{fan_in}) = {std:.4f}, "
        f"{std / 0.01:.1f} times the paper's 0.01",
        "He et al. use std √(2 / fan_in), fan_in = C_in·k·k inputs per output value", rel_tol=1e-2)
