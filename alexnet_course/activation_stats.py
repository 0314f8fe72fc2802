"""What flows through a network: statistics of every layer's output for a real batch.

Forward hooks on every leaf module record, per call, the output's shape and its
mean, standard deviation and fraction of exact zeros (the inputs a ReLU cut off),
and how much each output value varies from one example of the batch to the next.
Lesson 08 uses them to compare initialisations layer by layer: a good one keeps
the spread of the activations roughly constant from the input to the logits.
Lesson 03 counts saturated tanh units with :func:`saturated_share`.

>>> net = nn.Sequential(nn.Linear(4, 3), nn.ReLU())
>>> with torch.no_grad():
...     _ = net[0].weight.fill_(1.0), net[0].bias.copy_(torch.tensor([-6.0, -2.0, 0.0]))
>>> rows = activation_stats(net, torch.ones(2, 4))  # outputs 4 - 6, 4 - 2, 4 + 0 = -2, 2, 4
>>> [(r.name, r.type, r.shape, round(r.mean, 3), round(r.std, 3), round(r.zero_fraction, 3)) for r in rows]
[('0', 'Linear', (3,), 1.333, 2.494, 0.0), ('1', 'ReLU', (3,), 2.0, 1.633, 0.333)]
>>> rows[0].batch_std  # both examples are the same image: the input makes no difference
0.0
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn

from .hooks import leaf_hooks

__all__ = ["SATURATED", "ActivationStats", "activation_stats", "saturated_share", "stats_frame"]

SATURATED = 0.99  # a tanh unit is saturated when |tanh(x)| > 0.99: tanh'(x) < 0.0199, |x| > 2.647


@dataclass(frozen=True)
class ActivationStats:
    """One call of one leaf layer: its output's shape (one example) and statistics (whole batch)."""

    name: str  # the module's name in the model, e.g. "features.0"
    type: str  # its class name, e.g. "Conv2d"
    shape: tuple[int, ...]  # output shape of one example, e.g. (96, 55, 55)
    mean: float  # over every value of the batch's output
    std: float  # population standard deviation over the same values
    zero_fraction: float  # fraction of values exactly 0 (after a ReLU: the "dead" share)
    batch_std: float  # std across the batch of each output value, averaged: how much the input matters


def activation_stats(
    model: nn.Module, x: torch.Tensor, *, types: tuple[type[nn.Module], ...] | None = None
) -> list[ActivationStats]:
    """Run ``model`` on the batch ``x`` once, in eval mode and without gradients, and
    return one row per leaf-layer call (only layers of ``types`` when given).

    The model's train/eval mode is restored afterwards and every hook removed, even
    if the forward pass fails. Statistics are computed in float64.
    """
    rows: list[ActivationStats] = []

    def record(name, module, output):
        values = output.detach().double()
        rows.append(ActivationStats(
            name=name,
            type=type(module).__name__,
            shape=tuple(output.shape[1:]),
            mean=values.mean().item(),
            std=values.std(correction=0).item(),
            zero_fraction=(values == 0).double().mean().item(),
            batch_std=values.std(dim=0, correction=0).mean().item(),
        ))

    with leaf_hooks(model, record, types=types), torch.no_grad():
        model(x)
    return rows


def stats_frame(rows: list[ActivationStats]):
    """The rows as a pandas DataFrame indexed by layer name (pandas is imported only here).

    >>> frame = stats_frame([ActivationStats("fc", "Linear", (3,), 0.5, 1.0, 0.0, 0.2)])
    >>> frame.loc["fc", "type"], float(frame.loc["fc", "std"])
    ('Linear', 1.0)
    """
    import pandas as pd

    return pd.DataFrame([asdict(r) for r in rows]).set_index("name")


def saturated_share(tanh_outputs: torch.Tensor) -> float:
    """The share of tanh outputs beyond ±:data:`SATURATED`, where tanh's slope is below 0.0199.

    >>> saturated_share(torch.tanh(torch.tensor([0.0, 1.0, -2.0, 2.7, -3.0])))  # |x| > 2.647
    0.4
    """
    return (tanh_outputs.abs() > SATURATED).double().mean().item()
