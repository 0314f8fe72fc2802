"""Figures of lesson 03: tanh and ReLU with their gradients, the pre-activations of the tanh
network in each regime, and the running training error of every run of the ReLU-vs-tanh
experiment against optimiser steps. Each function returns its figure."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import torch

from ..activation_stats import SATURATED, saturated_share

__all__ = ["plot_activations", "plot_preactivations", "plot_step_curves"]

_COLOURS = {"ReLU": "tab:blue", "tanh": "tab:orange"}
_EDGE = math.atanh(SATURATED)  # |x| beyond which |tanh(x)| > 0.99


def plot_activations(x_range: float = 5.0) -> plt.Figure:
    """tanh and ReLU (left) and their derivatives computed by autograd (right); where tanh is
    saturated (|tanh(x)| > 0.99, slope below 0.02) is shaded."""
    x = torch.linspace(-x_range, x_range, 401, dtype=torch.float64, requires_grad=True)
    fig, (f_ax, g_ax) = plt.subplots(1, 2, figsize=(9, 3.3))
    for name, fn in (("tanh", torch.tanh), ("ReLU", torch.relu)):
        y = fn(x)
        (grad,) = torch.autograd.grad(y.sum(), x)
        f_ax.plot(x.detach(), y.detach(), color=_COLOURS[name], label=name)
        g_ax.plot(x.detach(), grad, color=_COLOURS[name], label=f"d {name} / dx")
    for ax in (f_ax, g_ax):
        ax.axvspan(-x_range, -_EDGE, color="tab:orange", alpha=0.1)
        ax.axvspan(_EDGE, x_range, color="tab:orange", alpha=0.1)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="upper left")
        ax.set_xlabel("x")
    f_ax.set_title(f"activation (shaded: |tanh| > {SATURATED})")
    g_ax.set_title(f"gradient (shaded: tanh' < {1 - SATURATED ** 2:.2f})")
    fig.tight_layout()
    return fig


def plot_preactivations(by_regime: dict[str, list[torch.Tensor]], bins: int = 60) -> plt.Figure:
    """One row per regime, one panel per layer: the histogram of the layer's pre-activations
    (e.g. from ``experiments.relu_vs_tanh.preactivations``), the saturation
    edges ±atanh(0.99) dashed, and the share beyond them in the title."""
    layers = max(len(pre) for pre in by_regime.values())
    fig, axes = plt.subplots(len(by_regime), layers, figsize=(3.2 * layers, 2.6 * len(by_regime)),
                             squeeze=False)
    for row, (regime, pre) in zip(axes, by_regime.items()):
        for i, (ax, values) in enumerate(zip(row, pre), 1):
            flat = values.flatten().double()
            reach = max(flat.abs().max().item(), 1.2 * _EDGE)
            ax.hist(flat.numpy(), bins=bins, range=(-reach, reach), color="tab:orange", alpha=0.8)
            for edge in (-_EDGE, _EDGE):
                ax.axvline(edge, color="black", ls="--", lw=1)
            ax.set_title(f"{regime}, conv{i}: std {flat.std():.2g}\n"
                         f"saturated {saturated_share(torch.tanh(flat)):.0%}", fontsize=9)
            ax.set_yticks([])
            ax.set_xlabel("pre-activation x", fontsize=8)
    fig.tight_layout()
    return fig


def plot_step_curves(result) -> plt.Figure:
    """One panel per regime of a ``ReluVsTanh`` result: the running training error of every
    run against optimiser steps (log scale), one colour and line style per variant, one thin
    line per seed ending where the run reached the threshold (dot) or its step cap."""
    regimes = list(dict.fromkeys(row["regime"] for row in result.rows))
    fig, axes = plt.subplots(1, len(regimes), figsize=(5.2 * len(regimes), 3.8), sharey=True,
                             squeeze=False)
    for ax, regime in zip(axes[0], regimes):
        rows = [row for row in result.rows if row["regime"] == regime]
        rates = sorted({row["lr"] for row in rows})
        for row in rows:
            steps, errors = zip(*row["curve"])
            style = "-" if row["lr"] == rates[0] else "--"
            first = row["seed"] == rows[0]["seed"]
            ax.plot(steps, errors, color=_COLOURS[row["activation"]], ls=style, lw=0.9, alpha=0.7,
                    label=f"{row['activation']}, lr {row['lr']:g}" if first else None)
            if row["steps"] is not None:
                ax.plot(row["steps"], errors[-1], "o", color=_COLOURS[row["activation"]], ms=3.5)
        ax.axhline(result.threshold, color="black", ls=":", lw=1)
        ax.set(xscale="log", xlabel="optimiser steps (log scale)", ylim=(0, 1), title=f"{regime} regime")
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=8, title=f"dots: reached {result.threshold:.0%}", title_fontsize=8)
    axes[0][0].set_ylabel(f"training error, last {result.size.window} batches")
    fig.tight_layout()
    return fig
