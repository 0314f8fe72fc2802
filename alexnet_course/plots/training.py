"""Figures of a training run: its curves."""

from __future__ import annotations

import matplotlib.pyplot as plt


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


def plot_confusion(matrix, classes, title: str | None = None) -> plt.Figure:
    """A confusion matrix as a heat map with counts; rows are true classes."""
    import numpy as np

    counts = np.asarray(matrix)
    fig, ax = plt.subplots(figsize=(6.4, 5.6))
    ax.imshow(counts, cmap="Blues")
    ax.set(xticks=range(len(classes)), yticks=range(len(classes)),
           xlabel="predicted class", ylabel="true class")
    ax.set_xticklabels(classes, rotation=45, ha="right", fontsize=8)
    ax.set_yticklabels(classes, fontsize=8)
    threshold = counts.max() / 2
    for (i, j), n in np.ndenumerate(counts):
        ax.text(j, i, str(n), ha="center", va="center", fontsize=7,
                color="white" if n > threshold else "black")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


class LivePlot:
    """Redraws a history's curves in place after every epoch: ``fit(..., on_epoch=LivePlot())``.

    Uses one IPython display handle, so a notebook shows one figure that updates; outside
    a notebook it does nothing.
    """

    def __init__(self, title: str | None = None):
        self.title, self.handle = title, None

    def __call__(self, history) -> None:
        try:
            from IPython import get_ipython
            from IPython.display import display
        except ImportError:
            return
        if get_ipython() is None:
            return
        fig = plot_history(history, self.title)
        if self.handle is None:
            self.handle = display(fig, display_id=True)
        else:
            self.handle.update(fig)
        plt.close(fig)
