"""Exercises of lesson 08 (building AlexNet): the towers and the initialisation, every
answer recomputed from the package's networks.

>>> check_biases_at_one(256 + 384 + 256 + 4096 + 4096)
Correct: conv2 256 + conv4 384 + conv5 256 + fc6 4096 + fc7 4096 = 9,088 biases start at 1.
>>> bool(check_biases_at_one(256 + 384 + 256))  # forgot the fully connected layers
False
>>> bool(check_four_towers_total(60_258_664)), bool(check_towers_save_more("parameters"))
(True, False)
"""

from __future__ import annotations

import math
from dataclasses import replace

import torch
from torch import nn

from ..counting import conv_params, count_layers, count_parameters
from ..models import VARIANTS, alexnet, build_alexnet
from ..models.base import weighted_layers
from .core import Feedback, check_choice, check_number

__all__ = ["check_four_towers_total", "check_biases_at_one", "check_default_std_conv4_single",
           "check_towers_save_more"]

PAPER = VARIANTS["paper"]
GROUPED = {"conv2": 1, "conv4": 3, "conv5": 4}  # the layers the towers split, by index in widths


def _meta(variant: str) -> nn.Module:
    with torch.device("meta"):  # shapes only
        return alexnet(variant)


def _fan_in(layer: nn.Module) -> int:
    """Inputs seen by one output unit: (C_in / groups) · k · k for a conv, in_features for a linear."""
    return layer.weight[0].numel()


def check_four_towers_total(answer) -> Feedback:
    """Lesson 08, exercise 1: total parameters of the paper's network split over four GPUs
    instead of two (conv2, conv4 and conv5 with ``groups=4``; conv3 and the classifier whole)."""
    with torch.device("meta"):
        total = count_parameters(build_alexnet(replace(PAPER, towers=4)))
    two = count_parameters(_meta("paper"))
    saved = {name: conv_params(PAPER.widths[i - 1], PAPER.widths[i], PAPER.kernels[i], groups=2)
             - conv_params(PAPER.widths[i - 1], PAPER.widths[i], PAPER.kernels[i], groups=4)
             for name, i in GROUPED.items()}
    return check_number(
        answer, total,
        "each kernel of conv2, conv4 and conv5 sees a quarter of the input channels instead of a "
        "half, so those layers keep half of their two-tower weights ("
        + " + ".join(f"{name} {n:,}" for name, n in saved.items())
        + f" = {sum(saved.values()):,} fewer; the biases stay): {two:,} − {sum(saved.values()):,} "
        f"= {total:,}",
        "a grouped convolution has k·k·(C_in / groups)·C_out weights and C_out biases: start from "
        "the paper's total and take conv2, conv4 and conv5 from 2 groups to 4")


def check_biases_at_one(answer) -> Feedback:
    """Lesson 08: how many biases the paper's initialisation sets to 1."""
    convs, fcs = weighted_layers(_meta("paper"))
    ones = {"conv2": convs[1], "conv4": convs[3], "conv5": convs[4], "fc6": fcs[0], "fc7": fcs[1]}
    total = sum(m.bias.numel() for m in ones.values())
    return check_number(
        answer, total,
        " + ".join(f"{name} {m.bias.numel()}" for name, m in ones.items())
        + f" = {total:,} biases start at 1",
        "one bias per output channel or unit, in conv2, conv4, conv5 "
        "and the two hidden fully connected layers")


def check_default_std_conv4_single(answer) -> Feedback:
    """Lesson 08: the standard deviation of conv4's weights under PyTorch's default
    initialisation in the single-tower network, where conv4 sees all of conv3's channels."""
    single, paper = weighted_layers(_meta("single"))[0][3], weighted_layers(_meta("paper"))[0][3]
    fan_in, fan_in_paper = _fan_in(single), _fan_in(paper)
    std, std_paper = 1 / math.sqrt(3 * fan_in), 1 / math.sqrt(3 * fan_in_paper)
    (k, _), c_in = single.kernel_size, single.in_channels
    return check_number(
        answer, std,
        f"without towers conv4's fan-in is {c_in}·{k}·{k} = {fan_in:,}, so std = 1/√(3·{fan_in:,}) "
        f"= {std:.5f}: 1/√2 of the two-tower network's {std_paper:.5f} (fan-in {fan_in_paper:,})",
        "PyTorch's default draws U(−1/√n, 1/√n), whose standard deviation is 1/√(3n), with n the "
        "fan-in (C_in / groups)·k·k: here conv4 has one group, so it sees every channel of conv3",
        rel_tol=1e-2)


def check_towers_save_more(answer) -> Feedback:
    """Lesson 08 (predict, then run): do the two towers (``groups=2`` in conv2, conv4, conv5)
    save a larger share of the single-tower network's parameters, or of its multiply-adds?"""
    single = count_layers(_meta("single"), PAPER.input_size)
    paper = count_layers(_meta("paper"), PAPER.input_size)
    params, macs = single.params - paper.params, single.macs - paper.macs
    share_params, share_macs = params / single.params, macs / single.macs
    return check_choice(
        answer, "multiply-adds" if share_macs > share_params else "parameters",
        ("parameters", "multiply-adds"),
        f"measured with count_layers, the towers save {params:,} of the single tower's "
        f"{single.params:,} parameters ({share_params:.1%}) but {macs:,} of its {single.macs:,} "
        f"multiply-adds per image ({share_macs:.1%}). Most weights sit in fc6 to fc8, which the "
        "towers leave whole, while each weight of a grouped convolution is used at every position "
        "of a 27 × 27 or 13 × 13 map",
        "where do AlexNet's parameters live, and where its multiply-adds (lesson 02)? Grouping "
        "halves the weights of conv2, conv4 and conv5 and the work they do. Then measure: "
        "count_layers(alexnet(v), VARIANTS[v].input_size) has .params and .macs, for v = "
        "'single' and 'paper'")
