"""Figures of lesson 10: the relatives side by side, and where their parameters and
multiply-adds live."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..counting import count_layers

__all__ = ["plot_comparison", "plot_where_it_lives", "plot_stacks"]


def plot_comparison(rows: list[dict]) -> plt.Figure:
    """Parameters and multiply-adds (log scales) of each network, and, when the rows have
    them, training throughput relative to AlexNet and test accuracy of the trained version."""
    panels = [("params", "parameters", True), ("macs", "multiply-adds per image", True)]
    if all("train_vs_alexnet" in r for r in rows):
        panels.append(("train_vs_alexnet", "training images/s ÷ AlexNet's", True))
    if all(r.get("test_top1") is not None for r in rows):
        panels.append(("test_top1", "test top-1 of the trained version", False))
    fig, axes = plt.subplots(1, len(panels), figsize=(3.4 * len(panels), 3.4))
    names = [r["model"] for r in rows]
    colours = plt.cm.tab10(np.arange(len(rows)))
    for ax, (key, label, log) in zip(np.atleast_1d(axes), panels):
        ax.barh(names, [r[key] for r in rows], color=colours)
        ax.set(title=label, xscale="log" if log else "linear")
        ax.invert_yaxis()
        ax.grid(alpha=0.3, axis="x")
    for ax in np.atleast_1d(axes)[1:]:
        ax.set_yticklabels([])
    fig.tight_layout()
    return fig


def plot_where_it_lives(models: dict) -> plt.Figure:
    """For each ``{name: (model, input_size)}``: the share of parameters and of multiply-adds
    held by convolutions and by fully connected layers."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.2), sharey=True)
    names = list(models)
    for ax, column, title in zip(axes, ("param_share", "mac_share"), ("parameters", "multiply-adds")):
        shares = {}
        for name, (model, size) in models.items():
            by_type = {r.type: getattr(r, column) for r in count_layers(model, size).by_type().rows}
            shares[name] = (by_type.get("Conv2d", 0.0), by_type.get("Linear", 0.0))
        conv = np.array([shares[n][0] for n in names])
        fc = np.array([shares[n][1] for n in names])
        ax.barh(names, conv, color="tab:blue", label="convolutions")
        ax.barh(names, fc, left=conv, color="tab:orange", label="fully connected")
        for i, (c, f) in enumerate(zip(conv, fc)):
            ax.text(min(c, 97), i, f"{c:.0f}%", va="center", ha="right", color="white", fontsize=8)
        ax.set(title=f"share of {title} (%)", xlim=(0, 100))
    axes[0].invert_yaxis()  # the axes are shared: once flips both
    axes[1].legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0))
    fig.tight_layout()
    return fig


def plot_stacks(rows: list[dict]) -> plt.Figure:
    """One big kernel against a stack of 3x3s with the same receptive field: weights (for C
    channels in and out) and nonlinearities, per row of ``rows`` (as the lesson computes them)."""
    fig, axes = plt.subplots(1, 2, figsize=(9, 3))
    labels = [r["layers"] for r in rows]
    axes[0].barh(labels, [r["weights_per_c2"] for r in rows], color="tab:blue")
    axes[0].set(title="weights (× C²)")
    axes[1].barh(labels, [r["nonlinearities"] for r in rows], color="tab:green")
    axes[1].set(title="ReLUs on the path")
    axes[1].set_yticklabels([])
    for ax in axes:
        ax.invert_yaxis()
        ax.grid(alpha=0.3, axis="x")
    fig.tight_layout()
    return fig
