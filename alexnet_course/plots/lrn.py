"""Figures of lesson 04: what local response normalization does to an activation map and
across channels, and the normalization ablation. Each function returns its figure."""

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
    """Test error per epoch for each normalization of a ``NormAblation``: mean over seeds
    with a band of ± one standard deviation."""
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    for norm in dict.fromkeys(r.norm for r in result.runs):
        curves = np.array([r.test_error for r in result.runs if r.norm == norm])
        epochs = np.arange(1, curves.shape[1] + 1)
        mean, std = curves.mean(0), curves.std(0)
        ax.plot(epochs, mean, marker="o", color=_COLOURS.get(norm), label=f"{norm} ({len(curves)} seeds)")
        ax.fill_between(epochs, mean - std, mean + std, color=_COLOURS.get(norm), alpha=0.15)
    ax.set(xlabel="epoch", ylabel="test error", xticks=epochs)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title("small AlexNet: no normalization, LRN, batch norm")
    fig.tight_layout()
    return fig
