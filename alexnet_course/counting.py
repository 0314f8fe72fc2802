"""Parameters, multiply-adds and activation memory, by hand and per layer.

What is counted: a multiply-add (MAC) is one ``a * b + c``. Only Conv2d and
Linear are counted, and not their biases: the convention of torchvision's
"GFLOPS" column (torchvision's AlexNet: 0.714 G). Counters with other rules (biases,
ReLU, pooling) report other totals; lesson 02 computes them rule by rule. FLOP counters
such as ``torch.utils.flop_counter.FlopCounterMode`` report 2 FLOPs per MAC.

By hand, the paper's conv1 (96 kernels of 11x11x3, 55x55 outputs) and fc6:

>>> conv_params(3, 96, 11)              # 11*11*3*96 weights + 96 biases
34944
>>> conv_macs(3, 96, 11, 55)            # 55*55*96 outputs, 11*11*3 MACs each
105415200
>>> linear_params(256 * 6 * 6, 4096)    # 9216*4096 + 4096
37752832

Per layer, from a forward pass: ``count_layers(model, (3, 227, 227))``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from typing import Sequence

import torch
from torch import nn

from alexnet_course._checks import whole
from alexnet_course.arithmetic import forward_trace

__all__ = [
    "conv_params",
    "conv_macs",
    "linear_params",
    "linear_macs",
    "count_parameters",
    "LayerRow",
    "LayerTable",
    "count_layers",
    "format_table",
]


def _area(size, name: str) -> int:
    """Pixels of a square ``size`` or an ``(h, w)`` pair, each side checked to be ≥ 1."""
    sides = size if isinstance(size, (tuple, list)) else (size, size)
    if len(sides) != 2:
        raise ValueError(f"{name} must be a whole number or an (h, w) pair, got {size!r}")
    return math.prod(whole(side, name) for side in sides)


def _channels(in_channels, out_channels, groups) -> int:
    """``in_channels / groups``, the channels each kernel sees, after checking all three."""
    whole(in_channels, "in_channels")
    whole(out_channels, "out_channels")
    whole(groups, "groups")
    if in_channels % groups or out_channels % groups:
        raise ValueError(f"groups={groups} must divide in_channels={in_channels} "
                         f"and out_channels={out_channels}")
    return in_channels // groups


def conv_params(
    in_channels: int, out_channels: int, kernel: int | tuple[int, int], groups: int = 1, bias: bool = True
) -> int:
    """Weights + biases of a Conv2d: each of ``out_channels`` kernels sees ``in_channels / groups`` channels.

    >>> conv_params(96, 256, 5, groups=2)  # the paper's conv2: each tower's kernels see 48 channels
    307456
    >>> conv_params(96, 256, 5)            # single tower: twice the weights, same biases
    614656
    """
    per_kernel = _channels(in_channels, out_channels, groups) * _area(kernel, "kernel")
    return out_channels * per_kernel + (out_channels if bias else 0)


def conv_macs(
    in_channels: int,
    out_channels: int,
    kernel: int | tuple[int, int],
    output_size: int | tuple[int, int],
    groups: int = 1,
) -> int:
    """Multiply-adds of a Conv2d for one image: one kernel's weights per output value.

    >>> conv_macs(96, 256, 5, 27, groups=2)  # 27*27*256 outputs, 5*5*48 MACs each
    223948800
    """
    per_output = _channels(in_channels, out_channels, groups) * _area(kernel, "kernel")
    return _area(output_size, "output_size") * out_channels * per_output


def linear_params(in_features: int, out_features: int, bias: bool = True) -> int:
    """Weights + biases of a Linear layer.

    >>> linear_params(4096, 1000)  # fc8: 4096*1000 + 1000
    4097000
    """
    weights = whole(in_features, "in_features") * whole(out_features, "out_features")
    return weights + (out_features if bias else 0)


def linear_macs(in_features: int, out_features: int) -> int:
    """Multiply-adds of a Linear layer for one input vector (one per weight).

    >>> linear_macs(9216, 4096)  # fc6
    37748736
    """
    return whole(in_features, "in_features") * whole(out_features, "out_features")


def count_parameters(model: nn.Module) -> int:
    """All parameters of ``model`` (shared ones once), ``sum(p.numel() for p in model.parameters())``.

    >>> count_parameters(nn.Conv2d(3, 96, 11))
    34944
    """
    return sum(p.numel() for p in model.parameters())


@dataclass(frozen=True)
class LayerRow:
    """One leaf layer: parameters, work and memory for ``batch_size`` images.

    ``output_shape`` is for one image; ``activations`` counts output elements of
    the whole batch and ``activation_bytes`` their memory in the table's dtype (an
    upper bound: an in-place ReLU shares its input's memory). Shares are in percent
    of the table's totals.
    """

    name: str
    type: str
    output_shape: tuple[int, ...]
    weights: int
    biases: int
    macs: int
    activations: int
    activation_bytes: int
    param_share: float = 0.0
    mac_share: float = 0.0

    @property
    def params(self) -> int:
        return self.weights + self.biases


@dataclass(frozen=True)
class LayerTable:
    """Rows of ``count_layers`` with totals; print it, or ``to_dataframe()`` for pandas."""

    rows: list[LayerRow]
    batch_size: int
    dtype: torch.dtype

    @property
    def params(self) -> int:
        return sum(r.params for r in self.rows)

    @property
    def macs(self) -> int:
        return sum(r.macs for r in self.rows)

    @property
    def activations(self) -> int:
        return sum(r.activations for r in self.rows)

    @property
    def activation_bytes(self) -> int:
        return sum(r.activation_bytes for r in self.rows)

    def by_type(self) -> LayerTable:
        """One row per layer type, summed (e.g. all Conv2d against all Linear)."""
        types = dict.fromkeys(r.type for r in self.rows)  # first-seen order
        rows = []
        for t in types:
            group = [r for r in self.rows if r.type == t]
            summed = ("weights", "biases", "macs", "activations", "activation_bytes")
            sums = {f: sum(getattr(r, f) for r in group) for f in summed}
            rows.append(LayerRow(t, t, (), **sums))
        return LayerTable(_with_shares(rows), self.batch_size, self.dtype)

    def to_dataframe(self):
        """The rows as a pandas DataFrame (pandas is imported only here)."""
        import pandas as pd

        columns = [f.name for f in fields(LayerRow)]
        frame = pd.DataFrame([[getattr(r, c) for c in columns] for r in self.rows], columns=columns)
        frame.insert(columns.index("biases") + 1, "params", frame["weights"] + frame["biases"])
        return frame

    def __str__(self) -> str:
        return format_table(self)


def _with_shares(rows: list[LayerRow]) -> list[LayerRow]:
    params = sum(r.params for r in rows) or 1  # a parameter-free net has 0% everywhere
    macs = sum(r.macs for r in rows) or 1
    return [replace(r, param_share=100 * r.params / params, mac_share=100 * r.macs / macs) for r in rows]


def _macs(module: nn.Module, output_shape: tuple[int, ...]) -> int:
    """Multiply-adds of one call, from its output shape: one weight row per output value."""
    if isinstance(module, nn.Conv2d):
        per_output = (module.in_channels // module.groups) * math.prod(module.kernel_size)
        return math.prod(output_shape) * per_output
    if isinstance(module, nn.Linear):
        return math.prod(output_shape) * module.in_features
    return 0


def count_layers(model: nn.Module, input_size: Sequence[int], *, batch_size: int = 1,
                 dtype: torch.dtype = torch.float32, device: str | torch.device = "meta") -> LayerTable:
    """Per-layer parameters, multiply-adds and activations from one forward pass.

    ``input_size`` is one image, e.g. ``(3, 227, 227)``; MACs and activations are
    for ``batch_size`` images, bytes for ``dtype``. The pass runs on the ``meta``
    device by default (shapes only, instant even for VGG). A module called twice
    gets two rows, its parameters counted on the first. Parameters held by a
    non-leaf module itself are in no row: ``count_parameters`` counts them.

    >>> table = count_layers(nn.Sequential(nn.Conv2d(3, 96, 11, stride=4), nn.ReLU()), (3, 227, 227))
    >>> [(r.name, r.params, r.macs, r.activations) for r in table.rows]
    [('0', 34944, 105415200, 290400), ('1', 0, 0, 290400)]
    """
    whole(batch_size, "batch_size")
    itemsize = torch.empty((), dtype=dtype).element_size()
    seen: set[nn.Module] = set()
    rows = []
    for call in forward_trace(model, input_size, batch_size=batch_size, dtype=dtype, device=device):
        own = {} if call.module in seen else dict(call.module.named_parameters(recurse=False))
        seen.add(call.module)
        biases = own["bias"].numel() if "bias" in own else 0
        elements = math.prod(call.shape)
        rows.append(
            LayerRow(
                name=call.name,
                type=type(call.module).__name__,
                output_shape=call.shape[1:],
                weights=sum(p.numel() for p in own.values()) - biases,
                biases=biases,
                macs=_macs(call.module, call.shape),
                activations=elements,
                activation_bytes=elements * itemsize,
            )
        )
    return LayerTable(_with_shares(rows), batch_size, dtype)


def format_table(table: LayerTable) -> str:
    """A plain-text table with a totals line, for terminals and notebooks without pandas."""
    header = ("layer", "type", "output", "params", "% params", "mult-adds", "% MACs", "activations", "bytes")
    lines = [
        (r.name, r.type, "x".join(map(str, r.output_shape)), f"{r.params:,}", f"{r.param_share:.2f}",
         f"{r.macs:,}", f"{r.mac_share:.2f}", f"{r.activations:,}", f"{r.activation_bytes:,}")
        for r in table.rows
    ]
    lines.append(("total", "", "", f"{table.params:,}", "100.00" if table.params else "0.00",
                  f"{table.macs:,}", "100.00" if table.macs else "0.00", f"{table.activations:,}",
                  f"{table.activation_bytes:,}"))
    widths = [max(len(row[i]) for row in [header, *lines]) for i in range(len(header))]
    text = [
        "  ".join(cell.ljust(w) if i < 3 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths)))
        for row in [header, *lines]
    ]
    text.insert(1, "-" * len(text[0]))
    text.insert(-1, "-" * len(text[0]))
    return "\n".join(text) + f"\n(batch {table.batch_size}, {str(table.dtype).removeprefix('torch.')})"
