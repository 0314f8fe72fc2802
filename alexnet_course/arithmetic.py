"""Output-size arithmetic of convolutions and pools, receptive fields, shape traces.

One formula carries the whole lesson (dilation d stretches a kernel k over
d*(k-1)+1 pixels):

    o = floor((n + 2p - d*(k-1) - 1) / s) + 1

>>> conv_output_size(227, 11, stride=4)            # the paper's conv1: (227 - 11)/4 + 1
55
>>> conv_output_size(224, 11, stride=4)            # the paper's stated 224: floor(54.25)
54
>>> conv_output_size(224, 11, stride=4, padding=2)  # torchvision pads instead
55

Impossible configurations raise ``ValueError`` naming the layer and the numbers.
``trace_shapes`` runs a real forward pass; ``trace_arithmetic`` predicts the same
rows from the formulas alone, so the two can be checked against each other.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Iterable, Sequence

import torch
from torch import nn
from torch.func import functional_call

from alexnet_course.hooks import leaf_hooks
from alexnet_course.layers import LocalResponseNorm

__all__ = [
    "conv_output_size",
    "pool_output_size",
    "window_coverage",
    "ReceptiveField",
    "receptive_field",
    "ShapeRow",
    "LeafCall",
    "forward_trace",
    "trace_shapes",
    "trace_arithmetic",
]


def _prefix(layer: str | None) -> str:
    return f"{layer}: " if layer else ""


def _integer(value, what: str, minimum: int, layer: str | None) -> int:
    """``value`` as an int, or a ValueError saying which number is wrong and why."""
    # bool is an int subclass, but `kernel=True` is always a mistake.
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{_prefix(layer)}{what} must be a whole number, got {value!r}")
    if value < minimum:
        raise ValueError(f"{_prefix(layer)}{what} must be at least {minimum}, got {value}")
    return int(value)


def _span_error(layer, kernel, dilation, span, n, padding) -> ValueError:
    return ValueError(
        f"{_prefix(layer)}kernel {kernel} with dilation {dilation} spans {span} pixels "
        f"but the padded input is only {n + 2 * padding} (n={n}, padding={padding})"
    )


def conv_output_size(
    n: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1, *, layer: str | None = None
) -> int:
    """Output size of ``nn.Conv2d`` along one axis of size ``n``.

    >>> conv_output_size(227, 11, stride=4)  # (227 + 0 - 11) // 4 + 1
    55
    >>> conv_output_size(13, 3, padding=1)   # 3x3 "same" convolution
    13
    >>> conv_output_size(6, 11, stride=4, padding=2, layer="conv1")  # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    ValueError: conv1: kernel 11 with dilation 1 spans 11 pixels but the padded input is only 10
     (n=6, padding=2)
    """
    n = _integer(n, "input size n", 1, layer)
    kernel = _integer(kernel, "kernel", 1, layer)
    stride = _integer(stride, "stride", 1, layer)
    padding = _integer(padding, "padding", 0, layer)
    dilation = _integer(dilation, "dilation", 1, layer)
    span = dilation * (kernel - 1) + 1
    if n + 2 * padding < span:  # not even one window fits: PyTorch raises too
        raise _span_error(layer, kernel, dilation, span, n, padding)
    return (n + 2 * padding - span) // stride + 1


def pool_output_size(
    n: int,
    kernel: int,
    stride: int | None = None,
    padding: int = 0,
    dilation: int = 1,
    ceil_mode: bool = False,
    *,
    layer: str | None = None,
) -> int:
    """Output size of ``nn.MaxPool2d`` / ``nn.AvgPool2d`` along one axis of size ``n``.

    ``stride`` defaults to ``kernel`` as in PyTorch. ``ceil_mode`` rounds up, so a
    last, partial window counts, but PyTorch drops that window when it would start
    in the right padding, beyond the input (its rule: the last window must start
    inside the input or the left padding).

    >>> pool_output_size(55, 3, stride=2)                  # AlexNet's overlapping pool: 55 -> 27
    27
    >>> pool_output_size(110, 3, stride=2)                 # floor((110 - 3) / 2) + 1 = 54
    54
    >>> pool_output_size(110, 3, stride=2, ceil_mode=True)  # ceil(53.5) + 1 = 55: ZFNet's figure
    55
    >>> pool_output_size(5, 2, stride=2, padding=1,
    ...                  ceil_mode=True)  # a 4th window would start in the right padding
    3
    >>> pool_output_size(54, 3, stride=2, padding=2, layer="pool1")
    Traceback (most recent call last):
    ...
    ValueError: pool1: padding 2 is more than half the kernel 3 (at most 1): a window could hold only padding
    """
    n = _integer(n, "input size n", 1, layer)
    kernel = _integer(kernel, "kernel", 1, layer)
    stride = kernel if stride is None else _integer(stride, "stride", 1, layer)
    padding = _integer(padding, "padding", 0, layer)
    dilation = _integer(dilation, "dilation", 1, layer)
    # PyTorch compares the padding with the kernel itself, not with its dilated span.
    if padding > kernel // 2:
        raise ValueError(
            f"{_prefix(layer)}padding {padding} is more than half the kernel {kernel} "
            f"(at most {kernel // 2}): a window could hold only padding"
        )
    span = dilation * (kernel - 1) + 1
    room = n + 2 * padding - span
    # Python's // floors towards minus infinity, like PyTorch's div_rtn.
    out = (room + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (out - 1) * stride >= n + padding:
        out -= 1  # the last window would start in the right padding: drop it
    if out < 1:
        raise _span_error(layer, kernel, dilation, span, n, padding)
    return out


# --- receptive fields --------------------------------------------------------


def window_coverage(n: int, kernel: int, stride: int) -> torch.Tensor:
    """For each of ``n`` pixels along one axis: in how many pooling windows it lies.

    Overlapping windows (kernel > stride) cover some pixels twice; in 2-D the count is
    the product of the two axes' counts (up to 4 for 3×3/2). Non-overlapping ones cover
    every pixel at most once, and drop the last pixel when ``n - kernel`` is odd.

    >>> window_coverage(5, 3, 2).tolist(), window_coverage(5, 2, 2).tolist()
    ([1, 1, 2, 1, 1], [1, 1, 1, 1, 0])
    """
    counts = torch.zeros(n, dtype=torch.long)
    for start in range(0, n - kernel + 1, stride):
        counts[start:start + kernel] += 1
    return counts


@dataclass(frozen=True)
class ReceptiveField:
    """Receptive field after one layer, in input pixels.

    size: pixels of the input one output unit sees; jump: input pixels between two
    neighbouring output units (the product of the strides so far); start: input
    coordinate of the centre of the first output unit's field (pixel i has centre i,
    so padding pushes it negative, off the image).
    """

    name: str
    kernel: int
    stride: int
    padding: int
    dilation: int
    size: int
    jump: int
    start: float


LayerSpec = tuple  # (name, kernel, stride, padding) or (name, kernel, stride, padding, dilation)


def _square(value, what: str, layer: str) -> int:
    """Receptive fields here are one-dimensional: square kernels/strides/paddings only."""
    if isinstance(value, tuple):
        if len(set(value)) != 1:
            raise ValueError(f"{layer}: {what} {value} is not square; receptive_field needs one number")
        value = value[0]
    return value


def _layer_specs(model: nn.Module) -> list[LayerSpec]:
    """(name, kernel, stride, padding, dilation) of each Conv2d/MaxPool2d/AvgPool2d, in order."""
    specs = []
    for name, m in model.named_modules():
        if isinstance(m, (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d)):
            if isinstance(m.padding, str):
                raise ValueError(f"{name}: padding={m.padding!r}; give the number instead")
            dilation = 1 if isinstance(m, nn.AvgPool2d) else m.dilation
            values = {"kernel": m.kernel_size, "stride": m.stride, "padding": m.padding, "dilation": dilation}
            specs.append((name, *(_square(v, what, name) for what, v in values.items())))
    return specs


def receptive_field(layers: nn.Module | Iterable[LayerSpec]) -> list[ReceptiveField]:
    """Receptive field size, jump and start after each conv/pool layer.

    The standard recurrence, with k' = d*(k-1)+1 the dilated kernel:
    size += (k'-1) * jump;  start += ((k'-1)/2 - p) * jump;  jump *= s.

    ``layers`` is a list of ``(name, kernel, stride, padding[, dilation])`` or a
    module whose Conv2d/MaxPool2d/AvgPool2d layers are walked in registration
    order (adaptive pools and linear layers see the whole map and are skipped).

    >>> rows = receptive_field([("conv1", 11, 4, 0), ("pool1", 3, 2, 0), ("conv2", 5, 1, 2)])
    >>> [(r.name, r.size, r.jump, r.start) for r in rows]
    [('conv1', 11, 4, 5.0), ('pool1', 19, 8, 9.0), ('conv2', 51, 8, 9.0)]
    """
    specs = _layer_specs(layers) if isinstance(layers, nn.Module) else list(layers)
    size, jump, start = 1, 1, 0.0  # the input: each pixel sees itself
    rows = []
    for spec in specs:
        name, kernel, stride, padding, dilation = (*spec, 1) if len(spec) == 4 else spec
        kernel = _integer(kernel, "kernel", 1, name)
        stride = _integer(stride, "stride", 1, name)
        padding = _integer(padding, "padding", 0, name)
        dilation = _integer(dilation, "dilation", 1, name)
        span = dilation * (kernel - 1) + 1
        size += (span - 1) * jump
        start += ((span - 1) / 2 - padding) * jump
        jump *= stride
        rows.append(ReceptiveField(name, kernel, stride, padding, dilation, size, jump, start))
    return rows


# --- shape traces ------------------------------------------------------------


@dataclass(frozen=True)
class ShapeRow:
    """One leaf layer and the shape of its output for one image (no batch dimension)."""

    name: str
    type: str
    shape: tuple[int, ...]


@dataclass(frozen=True)
class LeafCall:
    """One call of a leaf module during a forward pass; ``shape`` includes the batch."""

    name: str
    module: nn.Module
    shape: tuple[int, ...]


def forward_trace(
    model: nn.Module,
    input_size: Sequence[int],
    *,
    batch_size: int = 1,
    dtype: torch.dtype = torch.float32,
    device: str | torch.device = "meta",
) -> list[LeafCall]:
    """Run one forward pass with hooks on every leaf module; one ``LeafCall`` per call.

    ``input_size`` is one image, e.g. ``(3, 227, 227)``. On the ``meta`` device
    (the default) tensors have shapes but no data, so even VGG costs nothing; the
    model's own weights are left where they are. Any other device runs the real
    model on zeros created there (so pass the device the model is on, e.g. "cpu"). The model
    is put in eval mode for the pass and restored after, so BatchNorm statistics are not touched.
    """
    calls: list[LeafCall] = []

    def record(name, module, output):
        calls.append(LeafCall(name, module, tuple(output.shape)))

    with leaf_hooks(model, record), torch.no_grad():
        x = torch.zeros((batch_size, *input_size), dtype=dtype, device=device)
        if torch.device(device).type == "meta":
            # Shape-only copies of weights and buffers; the model itself is not moved.
            state = {
                k: torch.empty_like(v, device="meta", dtype=dtype if v.is_floating_point() else v.dtype)
                for k, v in (*model.named_parameters(), *model.named_buffers())
            }
            functional_call(model, state, (x,))
        else:
            model(x)
    return calls


def trace_shapes(
    model: nn.Module, input_size: Sequence[int], *, device: str | torch.device = "meta"
) -> list[ShapeRow]:
    """One row per leaf-layer call (name, type, output shape) from a real forward pass.

    >>> rows = trace_shapes(nn.Sequential(nn.Conv2d(3, 96, 11, stride=4), nn.ReLU()), (3, 227, 227))
    >>> [(r.name, r.type, r.shape) for r in rows]
    [('0', 'Conv2d', (96, 55, 55)), ('1', 'ReLU', (96, 55, 55))]
    """
    calls = forward_trace(model, input_size, device=device)
    return [ShapeRow(c.name, type(c.module).__name__, c.shape[1:]) for c in calls]


# Layers whose output has the shape of their input.
_SHAPE_PRESERVING = (
    nn.ReLU, nn.ReLU6, nn.LeakyReLU, nn.ELU, nn.GELU, nn.SiLU, nn.Tanh, nn.Sigmoid,
    nn.Softmax, nn.LogSoftmax, nn.Dropout, nn.Dropout2d, nn.Identity,
    nn.BatchNorm1d, nn.BatchNorm2d, nn.LocalResponseNorm, LocalResponseNorm,
)


def _pair(value) -> tuple:
    return value if isinstance(value, tuple) else (value, value)


def _next_shape(name: str, m: nn.Module, shape: tuple[int, ...]) -> tuple[int, ...]:
    """The output shape of leaf ``m`` for an input of ``shape`` (one image), by formula."""
    if isinstance(m, _SHAPE_PRESERVING):
        return shape
    if isinstance(m, nn.Flatten):
        full = (1, *shape)  # with a batch dimension, so start_dim/end_dim index as in PyTorch
        start, end = m.start_dim % len(full), m.end_dim % len(full)
        return (*full[1:start], math.prod(full[start : end + 1]), *full[end + 1 :])
    if isinstance(m, nn.Linear):  # acts on the last dimension
        if shape[-1] != m.in_features:
            raise ValueError(f"{name}: expects {m.in_features} input features but gets {shape[-1]}")
        return (*shape[:-1], m.out_features)
    if len(shape) != 3:
        raise ValueError(f"{name}: {type(m).__name__} needs a (C, H, W) input, got {shape}")
    c, *hw = shape
    if isinstance(m, (nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)):
        return (c, *(n if o is None else o for n, o in zip(hw, _pair(m.output_size))))
    if isinstance(m, nn.Conv2d):
        if m.in_channels != c:
            raise ValueError(f"{name}: expects {m.in_channels} input channels but gets {c}")
        if m.padding == "same":
            return (m.out_channels, *hw)
        padding = (0, 0) if m.padding == "valid" else m.padding
        sizes = zip(hw, m.kernel_size, m.stride, padding, m.dilation)
        return (m.out_channels, *(conv_output_size(n, k, s, p, d, layer=name) for n, k, s, p, d in sizes))
    if isinstance(m, (nn.MaxPool2d, nn.AvgPool2d)):
        dilation = m.dilation if isinstance(m, nn.MaxPool2d) else 1
        sizes = zip(hw, *map(_pair, (m.kernel_size, m.stride, m.padding, dilation)))
        return (c, *(pool_output_size(n, k, s, p, d, m.ceil_mode, layer=name) for n, k, s, p, d in sizes))
    raise TypeError(f"{name}: no shape formula for {type(m).__name__}; "
                    "trace_shapes runs the real layer instead")


def trace_arithmetic(model: nn.Module, input_size: Sequence[int]) -> list[ShapeRow]:
    """The rows of ``trace_shapes``, predicted from the formulas alone.

    Leaf modules are taken in registration order, which is the order of the forward
    pass for torchvision-style models (``features``, ``avgpool``, ``classifier``);
    their ``torch.flatten(x, 1)`` before ``classifier`` is applied when the first
    ``classifier.*`` layer is reached. Unknown layer types raise ``TypeError``.

    >>> rows = trace_arithmetic(nn.Sequential(nn.Conv2d(3, 96, 11, stride=4), nn.MaxPool2d(3, 2)),
    ...                         (3, 224, 224))
    >>> [r.shape for r in rows]  # 54, not 55: the paper's 224 puzzle
    [(96, 54, 54), (96, 26, 26)]
    """
    shape = tuple(input_size)
    rows = []
    for name, m in model.named_modules():
        if list(m.children()):
            continue
        if name.startswith("classifier.") and len(shape) > 1:
            shape = (math.prod(shape),)  # forward()'s torch.flatten(x, 1) before the classifier
        shape = _next_shape(name, m, shape)
        rows.append(ShapeRow(name, type(m).__name__, shape))
    return rows
