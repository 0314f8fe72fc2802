"""Figures of lesson 05: pooling windows on a real photo, pooled photos, and the paired
pooling ablation. Each function returns its figure."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from matplotlib.patches import Rectangle

from ..arithmetic import window_coverage

__all__ = ["plot_pool_windows", "plot_pooled", "plot_pool_ablation"]

_COLOURS = ("tab:red", "tab:blue", "tab:green", "tab:orange")


def _grey(image) -> np.ndarray:
    array = np.asarray(image, dtype=np.float64)
    if array.ndim == 3:
        array = array[..., :3].mean(-1)
    return array / max(array.max(), 1e-12)


def plot_pool_windows(image, top: int, left: int, size: int = 9,
                      pools=((3, 2), (2, 2))) -> plt.Figure:
    """The photo with a ``size``×``size`` patch marked; then, for each (kernel, stride) in
    ``pools``, the patch with its first pooling windows drawn and, in every pixel, the number
    of windows that contain it (1, 2 or 4 for overlapping 3×3/2; 1 or 0 for 2×2/2)."""
    grey = _grey(image)
    patch = grey[top:top + size, left:left + size]
    fig, axes = plt.subplots(1, 1 + len(pools), figsize=(3.6 * (1 + len(pools)), 3.6))
    axes[0].imshow(grey, cmap="gray")
    axes[0].add_patch(Rectangle((left - 0.5, top - 0.5), size, size, fill=False, ec="yellow", lw=2))
    axes[0].set_title(f"photo {grey.shape[0]}×{grey.shape[1]}, patch {size}×{size}")
    for ax, (k, s) in zip(axes[1:], pools):
        counts = torch.outer(window_coverage(size, k, s), window_coverage(size, k, s)).numpy()
        ax.imshow(patch, cmap="gray")
        for (i, j), n in np.ndenumerate(counts):
            ax.text(j, i, str(n), ha="center", va="center", fontsize=9,
                    color="yellow" if n != 1 else "white", fontweight="bold")
        # The first windows of the first row and of the first column, each in its colour.
        starts = [(0, 0), (0, s), (s, 0), (s, s)]
        for colour, (r, c) in zip(_COLOURS, starts):
            ax.add_patch(Rectangle((c - 0.5 + 0.08, r - 0.5 + 0.08), k - 0.16, k - 0.16,
                                   fill=False, ec=colour, lw=2.2))
        out = (size - k) // s + 1
        ax.set_title(f"{k}×{k} windows, stride {s}: {size}→{out} per axis\n"
                     f"numbers: windows containing each pixel", fontsize=9)
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return fig


def plot_pooled(image, pools=((3, 2), (2, 2)), repeats: int = 2) -> plt.Figure:
    """The grey photo after ``repeats`` max-pools of each (kernel, stride), side by side."""
    grey = torch.tensor(_grey(image), dtype=torch.float32)[None, None]
    fig, axes = plt.subplots(1, 1 + len(pools), figsize=(3.6 * (1 + len(pools)), 3.0))
    axes[0].imshow(grey[0, 0].numpy(), cmap="gray")
    axes[0].set_title(f"input {grey.shape[-2]}×{grey.shape[-1]}")
    for ax, (k, s) in zip(axes[1:], pools):
        x = grey
        for _ in range(repeats):
            x = F.max_pool2d(x, k, s)
        ax.imshow(x[0, 0].numpy(), cmap="gray")
        ax.set_title(f"{repeats}× max-pool {k}×{k}/{s}: {x.shape[-2]}×{x.shape[-1]}")
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return fig


def plot_pool_ablation(result) -> plt.Figure:
    """Left: test top-1 error of every seed for each pooling, with mean ± std. Right: the
    paired difference (3/2 minus 2/2) per seed, its mean, and the paper's −0.4."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
    pools = ["3/2", "2/2"]
    for i, pool in enumerate(pools):
        errors = np.array(result.errors(pool))
        left.plot(np.full(len(errors), i) + np.linspace(-0.08, 0.08, len(errors)), errors, "o",
                  color=_COLOURS[i], alpha=0.7)
        spread = errors.std(ddof=1) if len(errors) > 1 else 0.0
        left.errorbar(i + 0.25, errors.mean(), yerr=spread, fmt="s", color="black", capsize=5)
    left.set(xticks=[0, 1], xticklabels=["3×3, stride 2\n(overlapping)", "2×2, stride 2"],
             ylabel="test top-1 error (%)", title="every seed, and mean ± std", xlim=(-0.5, 1.6))
    diffs = np.array(result.differences())
    right.axhline(0, color="grey", lw=1)
    paper = result.paper_effect["top1"]
    right.axhline(paper, color="tab:purple", ls="--", label=f"paper (ImageNet): {paper:+.1f}")
    right.bar(range(len(diffs)), diffs, color="tab:red", alpha=0.7, label="this run, per seed")
    right.axhline(diffs.mean(), color="tab:red", lw=2, label=f"mean {diffs.mean():+.2f}")
    right.set(xlabel="seed", ylabel="error change (points)", xticks=range(len(diffs)),
              title="overlapping minus non-overlapping, paired by seed")
    right.legend(fontsize=8)
    for ax in (left, right):
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig
