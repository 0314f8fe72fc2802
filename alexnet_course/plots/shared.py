"""Figure helpers every lesson shares: image grids (a learner would rather look at the data
than read about it), first-layer kernels as pictures, the paper's layer names, and a
mean-with-band curve over seeds."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

__all__ = ["to_displayable", "image_grid", "show_filters", "layer_labels", "mean_band"]


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


def show_filters(weight, ncols: int = 8, size: float = 0.9, title: str | None = None) -> plt.Figure:
    """First-layer kernels ``(out, in, k, k)`` as small images, each scaled to its own
    range (as the paper's Figure 3); 3-channel kernels in colour, others in grey."""
    kernels = weight.detach().float().cpu()
    if kernels.shape[1] not in (1, 3):
        kernels = kernels.mean(dim=1, keepdim=True)
    low = kernels.amin(dim=(1, 2, 3), keepdim=True)
    high = kernels.amax(dim=(1, 2, 3), keepdim=True)
    scaled = (kernels - low) / (high - low).clamp_min(1e-12)
    return image_grid(list(scaled), ncols=ncols, size=size, suptitle=title)


def layer_labels(layers: nn.Module | Sequence[str]) -> dict[str, str] | list[str]:
    """The paper's names for layers: conv1, relu1, norm1, pool1, ..., drop6, fc6, ..., fc8.

    Weight layers (Conv2d, Linear) are numbered in order; a pool, ReLU or normalization takes
    the number of the weight layer before it, a dropout the number of the layer it feeds.
    Given layer type names, one label each; given a model, a dict from each leaf module's
    name to its label.

    >>> layer_labels(["Conv2d", "ReLU", "MaxPool2d", "Flatten", "Dropout", "Linear"])
    ['conv1', 'relu1', 'pool1', 'flatten1', 'drop2', 'fc2']
    >>> layer_labels(nn.Sequential(nn.Conv2d(1, 2, 3), nn.LocalResponseNorm(5)))
    {'0': 'conv1', '1': 'norm1'}
    """
    if isinstance(layers, nn.Module):
        leaves = [(name, m) for name, m in layers.named_modules() if not list(m.children())]
        return dict(zip([name for name, _ in leaves],
                        layer_labels([type(m).__name__ for _, m in leaves])))
    kinds = {"Conv2d": "conv", "Linear": "fc", "ReLU": "relu", "Dropout": "drop", "Flatten": "flatten",
             "MaxPool2d": "pool", "AvgPool2d": "pool", "AdaptiveAvgPool2d": "avgpool"}
    labels, count = [], 0
    for name in layers:
        kind = kinds.get(name) or ("norm" if "Norm" in name else name.lower())
        if kind in ("conv", "fc"):
            count += 1
        labels.append(f"{kind}{count + 1 if kind == 'drop' else count}")
    return labels


def mean_band(ax, rows, key, colour, style, label):
    """Plot the mean over seeds of ``key`` (a fraction, drawn in %) per epoch of ``rows``,
    with the min–max band when there is more than one seed."""
    epochs = sorted({r["epoch"] for r in rows})
    values = np.array([[r[key] for r in rows if r["epoch"] == e] for e in epochs]) * 100
    ax.plot(epochs, values.mean(1), style, color=colour, label=label)
    if values.shape[1] > 1:
        ax.fill_between(epochs, values.min(1), values.max(1), color=colour, alpha=0.15)
