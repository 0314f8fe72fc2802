"""Figures of lesson 07: crop windows on a photo, the RGB cloud with its principal axes,
and the measured effect of crops, mirrors and ten-crop testing."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.patches import Rectangle

from .shared import to_displayable

__all__ = ["plot_crop_boxes", "plot_rgb_pca", "plot_augmentation"]

_COLOURS = ("tab:red", "tab:blue", "tab:green", "tab:orange", "tab:purple",
            "tab:brown", "tab:pink", "tab:olive", "tab:cyan", "black")


def plot_crop_boxes(image, boxes, size: int, title: str | None = None) -> plt.Figure:
    """``image`` with one ``size``×``size`` square per ``(top, left[, mirrored])`` box;
    mirrored boxes are dashed and slightly inset so that they stay visible."""
    fig, ax = plt.subplots(figsize=(2.3, 2.3))
    ax.imshow(to_displayable(image))
    for i, box in enumerate(boxes):
        top, left = box[0], box[1]
        mirrored = len(box) > 2 and box[2]
        inset = 3 if mirrored else 0
        ax.add_patch(Rectangle((left - 0.5 + inset, top - 0.5 + inset), size - 2 * inset,
                               size - 2 * inset, fill=False, ec=_COLOURS[i % len(_COLOURS)],
                               lw=1.8, ls="--" if mirrored else "-"))
    ax.set_title(title or f"{len(boxes)} windows of {size}×{size}", fontsize=7)
    ax.set_xticks([])
    ax.set_yticks([])
    fig.tight_layout()
    return fig


def plot_rgb_pca(pixels: torch.Tensor, pca, points: int = 2000, seed: int = 0) -> plt.Figure:
    """Left: a random sample of ``pixels`` ``(K, 3)`` in [0, 1] drawn in RGB space in their own
    colours, with the three eigenvectors from the mean, each ``2·√λ`` long. Right: the
    eigenvalues, on a log scale."""
    pick = torch.randperm(len(pixels), generator=torch.Generator().manual_seed(seed))[:points]
    sample = pixels[pick].numpy()
    fig = plt.figure(figsize=(9, 3.6))
    ax = fig.add_subplot(1, 2, 1, projection="3d")
    ax.scatter(*sample.T, c=np.clip(sample, 0, 1), s=3, alpha=0.5)
    mean = pca.mean.numpy()
    for i, colour in enumerate(("black", "tab:red", "tab:blue")):
        arm = 2 * float(pca.eigenvalues[i]) ** 0.5 * pca.eigenvectors[:, i].numpy()
        ax.plot(*np.stack([mean - arm, mean + arm]).T, color=colour, lw=3, label=f"p{i + 1}")
    ax.set(xlabel="R", ylabel="G", zlabel="B", xlim=(0, 1), ylim=(0, 1), zlim=(0, 1),
           title="pixels and principal axes (±2√λ)")
    ax.legend(fontsize=8)
    right = fig.add_subplot(1, 2, 2)
    values = pca.eigenvalues.numpy()
    right.bar([f"λ{i + 1}" for i in range(3)], values, color=["black", "tab:red", "tab:blue"])
    for i, v in enumerate(values):
        right.text(i, v, f"{v:.4f}", ha="center", va="bottom", fontsize=9)
    right.set_yscale("log")
    right.set(ylabel="variance (pixel values in [0, 1])", title="eigenvalues of the RGB covariance")
    fig.tight_layout()
    return fig


def plot_augmentation(result) -> plt.Figure:
    """Left: mean training loss per epoch over seeds (on the inputs each network trains on),
    per regime and variant. Middle: final test accuracy of every seed, the two runs of a seed
    joined. Right: the paired differences with their 95 % intervals."""
    fig, (left, middle, right) = plt.subplots(1, 3, figsize=(13, 3.8))
    regimes = list(dict.fromkeys(r["regime"] for r in result.rows))
    variants = list(dict.fromkeys(r["variant"] for r in result.rows))
    for i, regime in enumerate(regimes):
        for colour, variant in zip(_COLOURS, variants):
            curves = np.array([r["losses"] for r in result.rows
                               if r["regime"] == regime and r["variant"] == variant])
            left.plot(np.arange(1, curves.shape[1] + 1), curves.mean(0), "-" if i == 0 else "--",
                      color=colour, label=f"{variant}, {result.regime_name(regime)}")
        at = 3 * i + np.arange(len(variants))
        tests = np.array([result.values("test_top1", regime, v) for v in variants])
        middle.plot(at, tests, "-", color="grey", alpha=0.5, lw=0.8)
        for x, colour, values in zip(at, _COLOURS, tests):
            middle.plot([x] * len(values), values, "o", color=colour, alpha=0.8)
            middle.plot([x - 0.25, x + 0.25], [values.mean()] * 2, color="black")
    left.set(xlabel="epoch", ylabel="training loss", yscale="log", title="fitting the training images")
    left.legend(fontsize=7)
    middle.set_xticks([3 * i + j for i in range(len(regimes)) for j in range(len(variants))])
    middle.set_xticklabels([v.replace(" ", "\n", 1) for _ in regimes for v in variants], fontsize=7)
    for i, regime in enumerate(regimes):  # each pair of columns named under its tick labels
        middle.text(3 * i + (len(variants) - 1) / 2, -0.2, result.regime_name(regime), ha="center",
                    va="top", fontsize=8, transform=middle.get_xaxis_transform())
    middle.set(ylabel="test accuracy (%)", title="every seed (lines join a pair)")
    effects = {f"crop + flip − centre crop\n{result.regime_name(r)}": result.effect(r) for r in regimes}
    effects.update({f"ten crops − centre crop\n(trained on {v})": result.tencrop_change(v) for v in variants})
    for y, (label, effect) in enumerate(effects.items()):
        right.errorbar(effect.mean, y, xerr=effect.half_width, fmt="o", color="black", capsize=3)
    right.axvline(0, color="grey", lw=1)
    right.set_yticks(range(len(effects)))
    right.set_yticklabels(list(effects), fontsize=7)
    right.invert_yaxis()
    right.set(xlabel="test accuracy difference (points)", title="paired differences, 95 % intervals")
    for ax in (left, middle, right):
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig
