"""Figures of lesson 06: train/test curves with and without dropout, and dropout as an
ensemble of thinned networks. Each function returns its figure."""

from __future__ import annotations

import matplotlib.pyplot as plt

from .shared import mean_band

__all__ = ["plot_gap_curves", "plot_ensemble"]

_COLOURS = ("tab:red", "tab:blue", "tab:green", "tab:orange")


def plot_gap_curves(result) -> plt.Figure:
    """Left: train (dashed, eval mode) and test (solid) accuracy per epoch for each dropout p,
    mean over seeds with the min–max band. Right: the gap, train minus test."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
    for colour, p in zip(_COLOURS, result.size.probabilities):
        rows = [r for r in result.rows if r["p"] == p]
        name = "no dropout" if p == 0 else f"dropout p = {p}"
        mean_band(left, rows, "train_top1", colour, "--", f"{name}: train")
        mean_band(left, rows, "test_top1", colour, "-", f"{name}: test")
        mean_band(right, rows, "gap", colour, "-", name)
    left.set(xlabel="epoch", ylabel="accuracy (%)", title="train vs test accuracy")
    right.set(xlabel="epoch", ylabel="train − test (points)", title="the over-fitting gap")
    for ax in (left, right):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_ensemble(result) -> plt.Figure:
    """Test accuracy of the average of T stochastic passes against T, beside the one
    deterministic (scaled) pass, for every dropout-trained network."""
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    for colour, ens in zip(_COLOURS, result.ensembles):
        passes = [r["passes"] for r in ens["rows"]]
        ax.plot(passes, [100 * r["top1"] for r in ens["rows"]], "o-", color=colour,
                label=f"seed {ens['seed']}: average of T stochastic passes")
        ax.axhline(100 * ens["deterministic"]["top1"], color=colour, ls="--",
                   label=f"seed {ens['seed']}: one deterministic pass")
    ax.set_xscale("log", base=2)
    ax.set(xlabel="stochastic passes averaged (T)", ylabel="test accuracy (%)",
           title="dropout as an ensemble of thinned networks")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
