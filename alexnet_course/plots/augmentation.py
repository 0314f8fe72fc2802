"""Figures of lesson 07: crop windows on a photo, the RGB cloud with its principal axes,
and the measured effect of crops, mirrors and ten-crop testing."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.patches import Rectangle

from .shared import mean_band, to_displayable

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
    """Left: train (dashed, centre crop, eval mode) and test (solid) accuracy per epoch for
    both variants, mean over seeds with the min–max band. Right: final centre-crop and
    ten-crop test accuracy of every seed, per variant."""
    variants = list(dict.fromkeys(r["variant"] for r in result.rows))
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    for i, (colour, variant) in enumerate(zip(_COLOURS, variants)):
        rows = [r for r in result.rows if r["variant"] == variant]
        mean_band(left, rows, "train_top1", colour, "--", f"{variant}: train")
        mean_band(left, rows, "test_top1", colour, "-", f"{variant}: test")
        for j, key in enumerate(("test_top1", "tencrop_top1")):
            values = result.values(variant, key)
            x = 2 * i + j + np.linspace(-0.1, 0.1, len(values))
            right.plot(x, values, "o", color=colour, alpha=0.8, mfc="white" if j else colour)
            right.plot([2 * i + j - 0.25, 2 * i + j + 0.25], [np.mean(values)] * 2, color="black")
    left.set(xlabel="epoch", ylabel="accuracy (%)", title="train vs test accuracy")
    left.legend(fontsize=8)
    labels = [f"{v}\n{test}" for v in variants for test in ("centre", "ten-crop")]
    right.set(xticks=range(len(labels)), ylabel="test accuracy (%)",
              title="test on one crop vs ten (every seed, mean)")
    right.set_xticklabels(labels, fontsize=8)
    for ax in (left, right):
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig
