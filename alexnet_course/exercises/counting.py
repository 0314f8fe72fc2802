"""Exercises of lesson 02 (counting parameters and compute): every answer is recomputed
from the networks' definitions with :mod:`alexnet_course.counting`.

>>> check_conv4_params(3 * 3 * 192 * 384 + 384)
Correct: conv4 has 384 kernels of 3 × 3 × 192 (384 / 2 towers), plus 384 biases: 3·3·192·384 + 384 = 663,936.
>>> bool(check_conv4_params(3 * 3 * 384 * 384 + 384))  # forgot the towers
False
"""

from __future__ import annotations

import torch

from ..counting import conv_params, count_layers, count_parameters
from ..models import VARIANTS, alexnet
from .core import Feedback, check_number

__all__ = ["check_conv4_params", "check_conv2_macs_single", "check_tower_saving",
           "check_conv1_activation_bytes"]

PAPER = VARIANTS["paper"]


def _meta(variant: str):
    with torch.device("meta"):  # shapes only: no 60M random numbers to draw
        return alexnet(variant)


def check_conv4_params(answer) -> Feedback:
    """Lesson 02: parameters (weights + biases) of the paper's conv4, which is split over two towers."""
    c_in, c_out, k, g = PAPER.widths[2], PAPER.widths[3], PAPER.kernels[3], PAPER.towers
    expected = conv_params(c_in, c_out, k, groups=g)
    return check_number(
        answer, expected,
        f"conv4 has {c_out} kernels of {k} × {k} × {c_in // g} ({c_in} / {g} towers), plus {c_out} biases: "
        f"{k}·{k}·{c_in // g}·{c_out} + {c_out} = {expected:,}",
        "k·k·(C_in / groups)·C_out + C_out; conv4 takes conv3's 384 channels, "
        "but each tower sees only its half")


def check_conv2_macs_single(answer) -> Feedback:
    """Lesson 02: multiply-adds of conv2 in the single-tower network, for one 227 × 227 image."""
    table = count_layers(_meta("single"), PAPER.input_size)
    row = [r for r in table.rows if r.type == "Conv2d"][1]
    c_out, h, w = row.output_shape
    c_in, k = PAPER.widths[0], PAPER.kernels[1]
    return check_number(
        answer, row.macs,
        f"{h} × {w} × {c_out} outputs, each a {k} × {k} × {c_in} dot product: "
        f"{h}·{w}·{c_out}·{k}·{k}·{c_in} = {row.macs:,}",
        "one multiply-add per weight per output position: H_out·W_out·C_out·k·k·C_in; "
        "conv2's output is 27 × 27 (pool1 gives 27, and conv2 is padded to keep it)")


def check_tower_saving(answer) -> Feedback:
    """Lesson 02: how many parameters the two towers save (single-tower total minus the paper's)."""
    saved = count_parameters(_meta("single")) - count_parameters(_meta("paper"))
    # conv2, conv4, conv5
    parts = [(PAPER.widths[i - 1], PAPER.widths[i], PAPER.kernels[i]) for i in (1, 3, 4)]
    halves = [conv_params(ci, co, k) - conv_params(ci, co, k, groups=2) for ci, co, k in parts]
    assert sum(halves) == saved  # the difference is exactly the halved weights of conv2, conv4, conv5
    return check_number(
        answer, saved,
        "groups=2 halves the weights of conv2, conv4 and conv5 (not their biases): "
        + " + ".join(f"{k}·{k}·{ci // 2}·{co}" for ci, co, k in parts) + f" = {saved:,}",
        "compare count_parameters(alexnet('single')) with count_parameters(alexnet('paper')), "
        "or add up half of the weights of each grouped layer")


def check_conv1_activation_bytes(answer) -> Feedback:
    """Lesson 02: bytes taken by conv1's output for a batch of 128 images in float32."""
    table = count_layers(_meta("paper"), PAPER.input_size, batch_size=128, dtype=torch.float32)
    row = table.rows[0]
    c, h, w = row.output_shape
    return check_number(
        answer, row.activation_bytes,
        f"128 images × {c} × {h} × {w} values × 4 bytes = {row.activation_bytes:,} bytes "
        f"({row.activation_bytes / 2**20:.1f} MiB)",
        "batch × channels × height × width × 4 bytes per float32 value; conv1's output is 96 × 55 × 55",
        rel_tol=1e-3)
