"""Exercises of lesson 10 (AlexNet among its relatives). Each answer is recomputed from the
package's models, ``arithmetic`` and ``counting``:

>>> check_zfnet_conv1_positions_at_227(12_544)  # doctest: +NORMALIZE_WHITESPACE
Correct: ⌊(227 + 2·1 − 7) / 2⌋ + 1 = 112 per side, so 112 · 112 = 12,544 positions
(AlexNet's conv1 on 227: 55 · 55 = 3,025).
>>> check_vgg16_with_global_pool_params(37_694_248)  # doctest: +NORMALIZE_WHITESPACE
Correct: fc6 on the 512 channel averages has 512 · 4,096 + 4,096 = 2,101,248 parameters instead
of 102,764,544, so VGG-16 would have 138,357,544 − 102,764,544 + 2,101,248 = 37,694,248, 27.2%
of its count.
"""

from __future__ import annotations

import torch
from torch import nn

from ..arithmetic import conv_output_size
from ..counting import count_parameters
from ..experiments.relatives import stack_vs_kernel
from ..models import alexnet, zfnet
from ..models.registry import get_model
from ..models.vgg import CFGS, VGG, make_layers
from .core import Feedback, check_choice, check_number

__all__ = ["check_zfnet_conv1_positions_at_227", "check_vgg16_with_global_pool_params",
           "check_vgg16_convs_or_alexnet_fc7", "check_stack_weights_saved_11x11"]


def check_zfnet_conv1_positions_at_227(answer) -> Feedback:
    """Lesson 10, exercise 1: at how many positions ZFNet's conv1 (7×7, stride 2, padding 1)
    applies its filters on AlexNet's 227×227 input."""
    with torch.device("meta"):
        conv1, alex1 = zfnet().features[0], alexnet("paper").features[0]
    k, s, p = conv1.kernel_size[0], conv1.stride[0], conv1.padding[0]
    side = conv_output_size(227, k, s, p)
    alex = conv_output_size(227, alex1.kernel_size[0], alex1.stride[0], alex1.padding[0])
    return check_number(
        answer, side * side,
        f"⌊(227 + 2·{p} − {k}) / {s}⌋ + 1 = {side} per side, so {side} · {side} = {side * side:,} "
        f"positions (AlexNet's conv1 on 227: {alex} · {alex} = {alex * alex:,})",
        "first the output side, o = ⌊(n + 2p − k) / s⌋ + 1 with ZFNet's conv1 on n = 227; "
        "one filter position per output pixel")


def check_vgg16_with_global_pool_params(answer) -> Feedback:
    """Lesson 10, exercise 2: VGG-16's parameters if fc6 read the 512 channel averages of a
    global average pool instead of the 512×7×7 map."""
    with torch.device("meta"):
        vgg16 = get_model("vgg16")
        pooled = VGG(make_layers(CFGS["D"]), pooled=1)  # AdaptiveAvgPool2d(1): one value per channel
    old, new = vgg16.classifier[0], pooled.classifier[0]  # the two fc6
    total, n = count_parameters(vgg16), count_parameters(pooled)
    assert n == total - count_parameters(old) + count_parameters(new)
    return check_number(
        answer, n,
        f"fc6 on the {new.in_features} channel averages has {new.in_features} · {new.out_features:,} + "
        f"{new.out_features:,} = {count_parameters(new):,} parameters instead of "
        f"{count_parameters(old):,}, so VGG-16 would have {total:,} − {count_parameters(old):,} + "
        f"{count_parameters(new):,} = {n:,}, {100 * n / total:.1f}% of its count",
        "only fc6 changes: it reads 512 numbers instead of 512·7·7; keep every other layer of "
        "VGG-16's count")


def check_vgg16_convs_or_alexnet_fc7(answer) -> Feedback:
    """Lesson 10, exercise 3 (predict, then run): which has more parameters, VGG-16's 13
    convolutions together or AlexNet's fc7 alone?"""
    with torch.device("meta"):
        vgg16, paper = get_model("vgg16"), get_model("alexnet-paper")
    convs = [m for m in vgg16.modules() if isinstance(m, nn.Conv2d)]
    conv_total = sum(count_parameters(m) for m in convs)
    fc7 = [m for m in paper.classifier if isinstance(m, nn.Linear)][1]
    fc7_n = count_parameters(fc7)
    expected = "AlexNet" if fc7_n > conv_total else "VGG-16"
    return check_choice(
        answer, expected, ("VGG-16", "AlexNet"),
        f"AlexNet's fc7 alone has {fc7.in_features:,} · {fc7.out_features:,} + {fc7.out_features:,} = "
        f"{fc7_n:,} parameters; VGG-16's {len(convs)} convolutions together have {conv_total:,}, "
        f"{100 * conv_total / count_parameters(vgg16):.1f}% of its {count_parameters(vgg16):,}. "
        "Depth made of 3 × 3 kernels costs multiply-adds, not parameters",
        "count one VGG-16 convolution as C_in · C_out · 3 · 3 + C_out (from 3 → 64 up to 512 → 512) "
        "and add them up; fc7 is 4,096 inputs × 4,096 outputs plus biases")


def check_stack_weights_saved_11x11(answer) -> Feedback:
    """Lesson 10, exercise 4: how many fewer weights the stack of 3×3 convolutions with an 11×11
    receptive field has than one 11×11 convolution (AlexNet's conv1 kernel), with C = 256
    channels in and out everywhere and no biases."""
    stacked, channels = 5, 256  # m stacked 3x3 convolutions see 2m + 1 pixels: 11 needs 5
    one, stack = stack_vs_kernel(stacked, channels)
    assert one["receptive_field"] == stack["receptive_field"] == 11
    saved = one["weights"] - stack["weights"]
    return check_number(
        answer, saved,
        f"{stacked} stacked 3×3 convolutions see {stack['receptive_field']}×{stack['receptive_field']}: "
        f"11·11·C² − {stacked} · 3·3·C² = ({one['weights_per_c2']} − {stack['weights_per_c2']}) · "
        f"{channels}² = {one['weights']:,} − {stack['weights']:,} = {saved:,} weights fewer, "
        f"{100 * saved / one['weights']:.0f}% of the 11×11's",
        "m stacked 3×3 convolutions see 2m + 1 pixels; count each side's weights as a multiple of C², "
        "then put C = 256")
