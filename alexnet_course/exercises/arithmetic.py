"""Exercises of lesson 01 (output-size arithmetic), on ZFNet's first layer, AlexNet's pools and
VGG's first blocks.

Each check reads the layer's numbers from the package's own model and recomputes the
answer with ``alexnet_course.arithmetic``:

>>> check_zfnet_conv1_size(109)
Correct: ⌊(224 + 2·0 − 7) / 2⌋ + 1 = ⌊108.5⌋ + 1 = 109.
>>> check_zfnet_conv1_size(110)
110 is too high. Hint: o = ⌊(n + 2p − k) / s⌋ + 1 with n = 224, k = 7, s = 2 and p = 0; the floor rounds down
"""

from __future__ import annotations

import torch
from torch import nn

from ..arithmetic import ReceptiveField, conv_output_size, pool_output_size, receptive_field, trace_arithmetic
from ..models.registry import get_model, native_input_size
from .core import Feedback, check_choice, check_number

__all__ = ["check_zfnet_conv1_size", "check_zfnet_conv1_padding", "check_alexnet_ceil_mode",
           "check_vgg_receptive_field"]


def _features(name: str) -> nn.Sequential:
    with torch.device("meta"):  # shapes only: no weights to draw
        return get_model(name).features


def _zfnet_conv1() -> tuple[int, nn.Conv2d]:
    """ZFNet's input size and its conv1, from the package's model."""
    features = _features("zfnet")
    return native_input_size("zfnet")[-1], next(m for m in features if isinstance(m, nn.Conv2d))


def _decimal(numerator: int, denominator: int) -> str:
    return f"{numerator / denominator:g}"


def check_zfnet_conv1_size(answer) -> Feedback:
    """Lesson 01, exercise 1: ZFNet's conv1 (7×7, stride 2) on a 224 input *without* padding."""
    n, conv1 = _zfnet_conv1()
    k, s = conv1.kernel_size[0], conv1.stride[0]
    size = conv_output_size(n, k, s, 0)
    room = _decimal(n - k, s)
    return check_number(
        answer, size, f"⌊({n} + 2·0 − {k}) / {s}⌋ + 1 = ⌊{room}⌋ + 1 = {size}",
        f"o = ⌊(n + 2p − k) / s⌋ + 1 with n = {n}, k = {k}, s = {s} and p = 0; the floor rounds down")


def check_zfnet_conv1_padding(answer) -> Feedback:
    """Lesson 01, exercise 2: the smallest padding that gives ZFNet's conv1 the 110 × 110 of its figure."""
    n, conv1 = _zfnet_conv1()
    k, s = conv1.kernel_size[0], conv1.stride[0]
    target = conv_output_size(n, k, s, conv1.padding[0])  # the package's ZFNet reproduces the figure's 110
    padding = next(p for p in range(k) if conv_output_size(n, k, s, p) == target)
    return check_number(
        answer, padding,
        f"⌊({n} + 2·{padding} − {k}) / {s}⌋ + 1 = ⌊{_decimal(n + 2 * padding - k, s)}⌋ + 1 = {target}, "
        f"while p = {padding - 1} gives {conv_output_size(n, k, s, max(padding - 1, 0))}",
        f"try p = 0, 1, 2, … in o = ⌊({n} + 2p − {k}) / {s}⌋ + 1 until o = {target}")


POOL_CHOICES = ("pool1", "pool2", "pool5", "all three", "none")


def _paper_pool_inputs() -> list[tuple[int, nn.MaxPool2d]]:
    """The side of the map entering each of the paper's pools, with the pool."""
    features = _features("alexnet-paper")
    rows = trace_arithmetic(features, native_input_size("alexnet-paper"))
    return [(rows[i - 1].shape[-1], features[i]) for i, row in enumerate(rows) if row.type == "MaxPool2d"]


def check_alexnet_ceil_mode(answer) -> Feedback:
    """Lesson 01, exercise 3 (predict, then run): if AlexNet's three pools were built with
    ``ceil_mode=True``, which of them would change its output size?"""
    changed, sizes = [], []
    for (n, pool), name in zip(_paper_pool_inputs(), POOL_CHOICES):
        k, s = pool.kernel_size, pool.stride
        floor = pool_output_size(n, k, s)
        ceil = nn.MaxPool2d(k, s, ceil_mode=True)(torch.zeros(1, 1, n, n)).shape[-1]  # measured
        assert ceil == pool_output_size(n, k, s, ceil_mode=True)
        sizes.append(f"{name} on {n}: ({n} − {k}) / {s} = {_decimal(n - k, s)}, output {floor} with "
                     f"the floor and {ceil} with ceil_mode=True")
        if ceil != floor:
            changed.append(name)
    assert len(changed) != 2, "two of three pools: not one of the offered answers"
    expected = "none" if not changed else "all three" if len(changed) == 3 else changed[0]
    why = ("every division is whole, so the ceiling adds nothing" if not changed
           else "the ceiling adds a window wherever the division leaves a remainder")
    return check_choice(
        answer, expected, POOL_CHOICES,
        f"{why} ({'; '.join(sizes)}, measured with nn.MaxPool2d)",
        "ceil_mode changes a pool's output only when (n − k) / s is not a whole number; "
        "look up n for each pool in the layer table of §3")


def _vgg16_first_blocks() -> list[ReceptiveField]:
    """Receptive fields of VGG-16's layers up to its second max-pool."""
    rows = receptive_field(_features("vgg16"))
    pools = [i for i, row in enumerate(rows) if row.kernel == 2 and row.stride == 2]
    return rows[: pools[1] + 1]


def check_vgg_receptive_field(answer) -> Feedback:
    """Lesson 01, exercise 4: the receptive field of one unit after VGG-16's first two blocks
    (3×3 conv, 3×3 conv, 2×2/2 pool, 3×3 conv, 3×3 conv, 2×2/2 pool)."""
    rows = _vgg16_first_blocks()
    jumps = [1] + [row.jump for row in rows[:-1]]  # the jump each layer sees, before its own stride
    steps = " + ".join(f"{row.kernel - 1}·{jump}" for row, jump in zip(rows, jumps))
    return check_number(
        answer, rows[-1].size,
        f"1 + {steps} = {rows[-1].size}: each layer adds (k − 1) × the jump before it, "
        f"and each pool doubles the jump ({' → '.join(str(row.size) for row in rows)})",
        "start from size 1 and jump 1; at each layer size += (k − 1) · jump, then jump *= stride "
        "(the pools count as layers)")
