"""Figures of lesson 03: tanh and ReLU with their gradients, and the error curves of the
ReLU-vs-tanh experiment. Each function returns its figure."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch

__all__ = ["plot_activations", "plot_error_curves"]

_COLOURS = {"ReLU": "tab:blue", "tanh": "tab:orange"}


def plot_activations(x_range: float = 5.0, saturated_below: float = 0.1) -> plt.Figure:
    """tanh and ReLU (left) and their derivatives computed by autograd (right); where tanh's
    gradient is below ``saturated_below`` is shaded: there it has saturated."""
    x = torch.linspace(-x_range, x_range, 401, dtype=torch.float64, requires_grad=True)
    fig, (f_ax, g_ax) = plt.subplots(1, 2, figsize=(9, 3.3))
    for name, fn in (("tanh", torch.tanh), ("ReLU", torch.relu)):
        y = fn(x)
        (grad,) = torch.autograd.grad(y.sum(), x)
        f_ax.plot(x.detach(), y.detach(), color=_COLOURS[name], label=name)
        g_ax.plot(x.detach(), grad, color=_COLOURS[name], label=f"d {name} / dx")
    tanh_grad = 1 - torch.tanh(x.detach()) ** 2
    edge = float(x.detach()[tanh_grad >= saturated_below].abs().max())
    for ax in (f_ax, g_ax):
        ax.axvspan(-x_range, -edge, color="tab:orange", alpha=0.1)
        ax.axvspan(edge, x_range, color="tab:orange", alpha=0.1)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="upper left")
        ax.set_xlabel("x")
    f_ax.set_title("activation")
    g_ax.set_title(f"gradient (shaded: tanh' < {saturated_below})")
    fig.tight_layout()
    return fig


def plot_error_curves(result, title: str | None = None) -> plt.Figure:
    """Training error per epoch of every run of a ``ReluVsTanh`` result on one plot (thin lines:
    seeds; thick: mean), with the 25% line of the paper's Figure 1."""
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    names = list(dict.fromkeys(r.activation for r in result.runs))
    for name in names:
        curves = [r.train_error for r in result.runs if r.activation == name]
        epochs = np.arange(1, len(curves[0]) + 1)
        for curve in curves:
            ax.plot(epochs, curve, color=_COLOURS.get(name), lw=0.8, alpha=0.45)
        ax.plot(epochs, np.mean(curves, axis=0), color=_COLOURS.get(name), lw=2.2, marker="o",
                label=f"{name} (mean of {len(curves)})")
    ax.axhline(result.threshold, color="black", ls="--", lw=1, label=f"{result.threshold:.0%} training error")
    ax.set(xlabel="epoch", ylabel="training error", ylim=(0, 1))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(title or "ReLU vs tanh: training error while training")
    fig.tight_layout()
    return fig
