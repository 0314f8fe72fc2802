"""Image grids: a learner would rather look at the data than read about it."""

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

