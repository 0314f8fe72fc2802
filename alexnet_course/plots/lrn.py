"""Figures of lesson 04: what local response normalization does to an activation map and
across channels, and the normalization ablation in its two input regimes. Each function
returns its figure."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch

__all__ = ["plot_lrn_maps", "plot_channel_profile", "plot_norm_ablation"]

_COLOURS = {"none": "tab:gray", "LRN": "tab:green", "batch norm": "tab:purple"}


def plot_lrn_maps(a: torch.Tensor, b: torch.Tensor, divisor: torch.Tensor, channel: int = 0) -> plt.Figure:
    """One channel of an activation map ``a`` (C, H, W), its LRN output ``b`` and the divisor
    ``a / b``, side by side."""
    fig, axes = plt.subplots(1, 3, figsize=(9.6, 3.2))
    panels = ((a, f"a: channel {channel} before LRN"), (b, "b: after LRN"),
              (divisor, "divisor (k + α Σ a²)^β"))
    for ax, (t, name) in zip(axes, panels):
        im = ax.imshow(t[channel].detach().cpu().numpy(), cmap="viridis")
        ax.set_title(name, fontsize=9)
        ax.axis("off")
        fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
    fig.tight_layout()
    return fig


def plot_channel_profile(a: torch.Tensor, b: torch.Tensor, pixel: tuple[int, int],
                         title: str | None = None) -> plt.Figure:
    """Every channel's value at one ``pixel`` before (``a``) and after (``b``) LRN, as bars."""
    i, j = pixel
    before = a[:, i, j].detach().cpu().numpy()
    after = b[:, i, j].detach().cpu().numpy()
    channels = np.arange(len(before))
    fig, ax = plt.subplots(figsize=(6.4, 3.0))
    ax.bar(channels - 0.2, before, width=0.4, label="before (a)", color="tab:gray")
    ax.bar(channels + 0.2, after, width=0.4, label="after LRN (b)", color="tab:green")
    ax.set(xlabel="channel", ylabel="activation", xticks=channels)
    ax.grid(alpha=0.3, axis="y")
    ax.legend(fontsize=8)
    ax.set_title(title or f"channels at pixel {pixel}", fontsize=10)
    fig.tight_layout()
    return fig


def plot_norm_ablation(result) -> plt.Figure:
    """Final test error of every run of an ``LRNAblation``, one panel per input regime: each
    seed's three nets joined by a grey line (a paired comparison reads along it), the mean over
    seeds as a large marker."""
    norms = result.norms
    regimes = list(dict.fromkeys(row["regime"] for row in result.rows))
    fig, axes = plt.subplots(1, len(regimes), figsize=(4.2 * len(regimes), 3.6), sharey=True,
                             squeeze=False)
    positions = np.arange(len(norms))
    for ax, regime in zip(axes[0], regimes):
        errors = np.array([result.errors(regime, norm) for norm in norms])  # (norm, seed)
        ax.plot(positions, errors, color="tab:gray", alpha=0.5, lw=1, marker=".")
        for x, norm in zip(positions, norms):
            ax.plot(x, errors[x].mean(), marker="o", ms=10, color=_COLOURS[norm], mec="black",
                    label=f"{norm}: mean of {errors.shape[1]} seeds")
        ax.set(xticks=positions, xticklabels=norms, title=result.regime_names[regime])
        ax.title.set_fontsize(10)
        ax.grid(alpha=0.3, axis="y")
    axes[0, 0].set_ylabel("final test top-1 error (points)")
    axes[0, -1].legend(fontsize=8)
    fig.tight_layout()
    return fig
