"""Figures the lessons share: image grids first (a learner would rather look than read)."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch


def to_displayable(image) -> np.ndarray:
    """A tensor ``(C, H, W)`` / ``(H, W)`` or an array ``(H, W[, C])`` as an ``(H, W[, 3])``
    array matplotlib can draw; single channels are squeezed so a grey colormap applies.
    """
    if isinstance(image, torch.Tensor):
        image = image.detach().cpu()
        if image.ndim == 3:
            image = image.permute(1, 2, 0)
        image = image.numpy()
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    return image


def image_grid(images: Sequence, titles: Sequence[str] | None = None, ncols: int = 8,
               size: float = 1.4, cmap: str = "gray", suptitle: str | None = None) -> plt.Figure:
    """Draw ``images`` in a grid with optional per-image ``titles``; returns the figure.

    Grey images use ``cmap``; each image keeps its own value range.
    """
    if len(images) == 0:
        raise ValueError("image_grid needs at least one image")
    ncols = min(ncols, len(images))
    nrows = -(-len(images) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows * 1.15),
                             squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < len(images):
            ax.imshow(to_displayable(images[i]), cmap=cmap)
            if titles is not None:
                ax.set_title(titles[i], fontsize=8)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def plot_history(history, title: str | None = None) -> plt.Figure:
    """Training curves from a :class:`~alexnet_course.history.History`: losses on the left,
    top-1 accuracies on the right, one point per epoch (the step loss as a thin line)."""
    fig, (loss_ax, acc_ax) = plt.subplots(1, 2, figsize=(10, 3.6))
    if history.steps:
        steps, losses = zip(*history.steps)
        per_epoch = max(1, history.epochs[0].get("steps", 1)) if history.epochs else 1
        loss_ax.plot([s / per_epoch for s in steps], losses, lw=0.6, alpha=0.5, label="train (steps)")
    epochs = history.column("epoch")
    for name, style in (("train_loss", "o-"), ("test_loss", "s-")):
        if history.column(name):
            loss_ax.plot(epochs, history.column(name), style, label=name.replace("_", " "))
    for name, style in (("train_top1", "o-"), ("test_top1", "s-"), ("test_top5", "^--")):
        if history.column(name):
            acc_ax.plot(epochs, history.column(name), style, label=name.replace("_", " "))
    loss_ax.set(xlabel="epoch", ylabel="cross-entropy loss")
    acc_ax.set(xlabel="epoch", ylabel="accuracy")
    for ax in (loss_ax, acc_ax):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
