"""Exercises of lesson 02 (counting parameters and compute): every answer is recomputed
from the networks' definitions with :mod:`alexnet_course.counting`. Each asks about a layer,
a network or an input size the lesson does not count itself.

>>> check_conv3_two_towers(3 * 3 * 128 * 384 + 384)  # doctest: +NORMALIZE_WHITESPACE
Correct: split over the 2 towers, each of conv3's 384 kernels of 3 × 3 would see 256 / 2 = 128
of conv2's channels: 3·3·128·384 + 384 = 442,752 (its weights halved, its 384 biases kept).
>>> bool(check_conv3_two_towers(3 * 3 * 128 * 192 + 192))  # halved the kernels, not what they see
False
>>> check_small_conv2_macs(1, side=4)  # doctest: +NORMALIZE_WHITESPACE
Cannot check this: the small AlexNet cannot take a 4 × 4 image: its maps shrink to nothing;
choose a larger side.
"""

from __future__ import annotations

from functools import lru_cache

import torch

from .._checks import is_whole
from ..counting import LayerTable, conv_params, count_layers
from ..models import VARIANTS, alexnet
from .core import Feedback, cannot_check, check_number

__all__ = ["check_conv3_two_towers", "check_small_conv2_macs", "check_macs_growth",
           "check_torchvision_conv1_bytes"]

PAPER, SMALL, TORCHVISION = VARIANTS["paper"], VARIANTS["small"], VARIANTS["torchvision"]



@lru_cache(maxsize=32)
def _table(variant: str, input_size: tuple[int, ...], batch_size: int = 1) -> LayerTable | None:
    """``count_layers`` of ``alexnet(variant)`` on the meta device (shapes only), or None when
    the network cannot take that input (its maps would shrink below a kernel)."""
    with torch.device("meta"):
        net = alexnet(variant)
    try:
        return count_layers(net, input_size, batch_size=batch_size, dtype=torch.float32)
    except (RuntimeError, ValueError):
        return None


def _convs(table: LayerTable):
    return [row for row in table.rows if row.type == "Conv2d"]


def check_conv3_two_towers(answer) -> Feedback:
    """Lesson 02: parameters of the paper's conv3 had it been split over the two towers, like conv4."""
    c_in, c_out, k, g = PAPER.widths[1], PAPER.widths[2], PAPER.kernels[2], PAPER.towers
    expected = conv_params(c_in, c_out, k, groups=g)
    return check_number(
        answer, expected,
        f"split over the {g} towers, each of conv3's {c_out} kernels of {k} × {k} would see "
        f"{c_in} / {g} = {c_in // g} of conv2's channels: {k}·{k}·{c_in // g}·{c_out} + {c_out} = "
        f"{expected:,} (its weights halved, its {c_out} biases kept)",
        "k·k·(C_in / groups)·C_out + C_out: the towers halve the channels each kernel sees, "
        "not the number of kernels, and every kernel keeps its bias")


def check_small_conv2_macs(answer, side: int = SMALL.input_size[1]) -> Feedback:
    """Lesson 02: multiply-adds of conv2 of the course's small AlexNet for one ``side`` × ``side`` image."""
    if not is_whole(side):
        return cannot_check(f"side = {side!r} is not a whole number of pixels ≥ 1")
    side = int(side)  # a NumPy integer too
    table = _table("small", (SMALL.in_channels, side, side))
    if table is None:
        return cannot_check(f"the small AlexNet cannot take a {side} × {side} image: its maps shrink "
                            "to nothing; choose a larger side")
    conv1, conv2 = _convs(table)[:2]
    c_out, h, w = conv2.output_shape
    c_in, k = conv1.output_shape[0], SMALL.kernels[1]
    pool1 = table.rows[table.rows.index(conv2) - 1].output_shape[1]
    (pk, ps), n = SMALL.pool, conv1.output_shape[1]
    return check_number(
        answer, conv2.macs,
        f"conv1 keeps the {side} × {side} size ({SMALL.kernels[0]} × {SMALL.kernels[0]}, stride "
        f"{SMALL.conv1_stride}, padding {SMALL.conv1_padding}) and pool1 brings it to "
        f"⌊({n} − {pk}) / {ps}⌋ + 1 = {pool1}; conv2 keeps {h} × {w}, so "
        f"{h} × {w} × {c_out} outputs, each a {k} × {k} × {c_in} dot product: "
        f"{h}·{w}·{c_out}·{k}·{k}·{c_in} = {conv2.macs:,}",
        "first the sizes: conv1's output, then pool1's ⌊(n − kernel) / stride⌋ + 1, which conv2 keeps; "
        "then one multiply-add per weight per output position, H_out·W_out·C_out·k·k·C_in")


def check_macs_growth(answer, side: int = 448) -> Feedback:
    """Lesson 02 (predict, then run): by what factor, to the nearest whole number, do the
    multiply-adds of torchvision's AlexNet grow from 224 × 224 images to ``side`` × ``side``?"""
    if not is_whole(side):
        return cannot_check(f"side = {side!r} is not a whole number of pixels ≥ 1")
    side, base_size = int(side), TORCHVISION.input_size
    base, big = _table("torchvision", base_size), _table("torchvision", (base_size[0], side, side))
    if big is None:
        return cannot_check(f"torchvision's AlexNet cannot take a {side} × {side} image: its maps "
                            "shrink to nothing; choose a larger side")
    ratio = big.macs / base.macs
    kinds = {when: {row.type: row.macs for row in table.by_type().rows}
             for when, table in (("base", base), ("big", big))}
    conv1 = (_convs(base)[0].output_shape[1], _convs(big)[0].output_shape[1])
    last = (_convs(base)[-1].output_shape[1], _convs(big)[-1].output_shape[1])
    return check_number(
        answer, round(ratio),
        f"{big.macs:,} multiply-adds at {side} × {side} against {base.macs:,} at "
        f"{base_size[1]} × {base_size[2]}: × {ratio:.2f}. The convolutions grow × "
        f"{kinds['big']['Conv2d'] / kinds['base']['Conv2d']:.2f} with their output areas (conv1 "
        f"{conv1[0]} → {conv1[1]}, conv5 {last[0]} → {last[1]}), while fc6–fc8 stay at "
        f"{kinds['big']['Linear']:,} (the adaptive pool hands fc6 a 6 × 6 map at any size); "
        f"the parameters do not change ({big.params:,} both times)",
        "a convolution does weights × output positions multiply-adds, and its output positions grow "
        "with the image's area; a fully connected layer's do not change with the image")


def check_torchvision_conv1_bytes(answer, batch_size: int = 128) -> Feedback:
    """Lesson 02: bytes taken by the output of torchvision's conv1 for ``batch_size`` images in float32."""
    if not is_whole(batch_size):
        return cannot_check(f"batch_size = {batch_size!r} is not a whole number of images ≥ 1")
    batch_size = int(batch_size)
    table = _table("torchvision", TORCHVISION.input_size, batch_size)
    row = _convs(table)[0]
    c, h, w = row.output_shape
    itemsize = torch.finfo(torch.float32).bits // 8
    return check_number(
        answer, row.activation_bytes,
        f"torchvision's conv1 ({c} kernels, padding {TORCHVISION.conv1_padding}) gives {c} × {h} × {w} "
        f"values per image: {batch_size} × {c} × {h} × {w} × {itemsize} bytes = "
        f"{row.activation_bytes:,} bytes ({row.activation_bytes / 2**20:.1f} MiB)",
        "batch × channels × height × width × 4 bytes per float32 value; conv1's output size is "
        "⌊(224 + 2·padding − 11) / 4⌋ + 1")
