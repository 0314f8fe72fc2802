"""Exercises of lesson 10 (AlexNet among its relatives). Each answer is recomputed from the
package's models, ``arithmetic`` and ``counting``:

>>> check_zfnet_conv1_side(110)
Correct: ⌊(224 + 2·1 − 7) / 2⌋ + 1 = ⌊109.5⌋ + 1 = 110 (without padding: ⌊108.5⌋ + 1 = 109).
>>> check_vgg16_fc6_params(102_764_544)
Correct: 512·7·7 = 25,088 inputs × 4,096 outputs + 4,096 biases = 102,764,544, 74.3% of VGG-16's 138,357,544.
"""

from __future__ import annotations

import torch
from torch import nn

from ..arithmetic import conv_output_size
from ..counting import count_parameters
from ..experiments.relatives import stack_vs_kernel
from ..models import zfnet
from ..models.registry import get_model
from .core import Feedback, check_number

__all__ = ["check_zfnet_conv1_side", "check_vgg16_fc6_params", "check_stack_weight_ratio"]


def check_zfnet_conv1_side(answer) -> Feedback:
    """Lesson 10, exercise 1: the side of ZFNet's conv1 output (7×7, stride 2, padding 1) on 224."""
    with torch.device("meta"):
        conv1 = zfnet().features[0]
    k, s, p = conv1.kernel_size[0], conv1.stride[0], conv1.padding[0]
    side = conv_output_size(224, k, s, p)
    bare = conv_output_size(224, k, s)
    return check_number(
        answer, side,
        f"⌊(224 + 2·{p} − {k}) / {s}⌋ + 1 = ⌊{(224 + 2 * p - k) / s:g}⌋ + 1 = {side} "
        f"(without padding: ⌊{(224 - k) / s:g}⌋ + 1 = {bare})",
        "o = ⌊(n + 2p − k) / s⌋ + 1 with n = 224, k = 7, s = 2, p = 1")


def check_vgg16_fc6_params(answer) -> Feedback:
    """Lesson 10, exercise 2: the parameters of VGG-16's first fully connected layer."""
    with torch.device("meta"):
        model = get_model("vgg16")
    fc6 = next(m for m in model.modules() if isinstance(m, nn.Linear))
    n = count_parameters(fc6)
    total = count_parameters(model)
    return check_number(
        answer, n,
        f"512·7·7 = {fc6.in_features:,} inputs × {fc6.out_features:,} outputs + {fc6.out_features:,} "
        f"biases = {n:,}, {100 * n / total:.1f}% of VGG-16's {total:,}",
        "the last pool leaves 512 maps of 7×7; every one of their values meets each of 4,096 units")


def check_stack_weight_ratio(answer) -> Feedback:
    """Lesson 10, exercise 3: how many times more weights one 7×7 convolution has than a stack
    of three 3×3 convolutions with the same receptive field (C channels in and out everywhere)."""
    one, stack = stack_vs_kernel(3)
    ratio = one["weights"] / stack["weights"]
    return check_number(
        answer, ratio,
        f"7·7·C² / (3 · 3·3·C²) = {one['weights_per_c2']}/{stack['weights_per_c2']} ≈ {ratio:.2f}",
        "count the weights of each as a multiple of C²; biases do not matter here", rel_tol=0.01)
