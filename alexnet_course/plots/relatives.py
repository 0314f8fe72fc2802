"""Figures of lesson 10: the relatives side by side, and where their parameters and
multiply-adds live."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..counting import count_layers

__all__ = ["plot_comparison", "plot_where_it_lives", "plot_stacks"]


def plot_comparison(full: list[dict], stand_ins: list[dict] | None = None) -> plt.Figure:
    """The lesson's table as bars, its two parts apart: for the ``full`` networks (``full_table``
    rows) parameters and multiply-adds (log scales) and, when timed, training images/s relative
    to AlexNet; for the ``stand_ins`` trained (``stand_in_table`` rows), test top-1 with its 95 %
    interval."""
    panels = [(full, "model", "params", "full networks: parameters", True),
              (full, "model", "macs", "full networks: multiply-adds per image", True)]
    if all("train_vs_alexnet" in r for r in full):
        panels.append((full, "model", "train_vs_alexnet", "full networks: training images/s ÷ AlexNet's",
                       True))
    if stand_ins:
        panels.append((stand_ins, "trained", "test_top1", "stand-ins trained: test top-1 (%), 95 % interval",
                       False))
    fig, axes = plt.subplots(1, len(panels), figsize=(3.6 * len(panels), 3.6))
    for ax, (rows, name, key, title, log) in zip(np.atleast_1d(axes), panels):
        names = [r[name] for r in rows]
        errors = [r["interval_95"] for r in rows] if key == "test_top1" else None
        ax.barh(names, [r[key] for r in rows], xerr=errors, capsize=3,
                color=plt.cm.tab10(np.arange(len(rows)) % 10))
        ax.set_title(title, fontsize=9)
        ax.set(xscale="log" if log else "linear")
        ax.invert_yaxis()
        ax.grid(alpha=0.3, axis="x")
    for ax in np.atleast_1d(axes)[1:len(panels) - (1 if stand_ins else 0)]:
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
