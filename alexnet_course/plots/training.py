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
