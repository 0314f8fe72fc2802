"""Figures of lesson 06: train/test curves for each dropout placement, the paired effects with
their 95 % intervals, and dropout as an ensemble of thinned networks. Each function returns
its figure."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .shared import mean_band

__all__ = ["plot_gap_curves", "plot_paired_effects", "plot_ensemble"]

COLOURS = {"none": "tab:red", "paper": "tab:blue", "torchvision": "tab:green"}


def _loss_band(ax, rows, colour, label) -> None:
    """The mean over seeds of the test loss per scored epoch, with the min–max band."""
    epochs = sorted({r["epoch"] for r in rows})
    values = np.array([[r["test_loss"] for r in rows if r["epoch"] == e] for e in epochs])
    ax.plot(epochs, values.mean(1), "-", color=colour, label=label)
    ax.fill_between(epochs, values.min(1), values.max(1), color=colour, alpha=0.15)


def plot_gap_curves(result) -> plt.Figure:
    """Per scored epoch and variant, mean over seeds with the min–max band: train (dashed,
    eval mode) and test (solid) accuracy; the gap, train minus test; the test loss. Dotted
    verticals: the two epochs the verdicts read (``early_epoch`` and the last)."""
    fig, (left, middle, right) = plt.subplots(1, 3, figsize=(14, 3.8))
    for variant in result.variants:
        rows = [r for r in result.rows if r["variant"] == variant]
        colour = COLOURS[variant]
        mean_band(left, rows, "train_top1", colour, "--", f"{variant}: train")
        mean_band(left, rows, "test_top1", colour, "-", f"{variant}: test")
        mean_band(middle, rows, "gap", colour, "-", variant)
        _loss_band(right, rows, colour, variant)
    left.set(xlabel="epoch", ylabel="accuracy (%)", title="train (dashed) and test (solid) accuracy")
    middle.set(xlabel="epoch", ylabel="train − test (points)", title="the over-fitting gap")
    right.set(xlabel="epoch", ylabel="test NLL (nats)", title="the test loss")
    for ax in (left, middle, right):
        for epoch in (result.size.early_epoch, result.size.epochs):
            ax.axvline(epoch, color="grey", ls=":", lw=1)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def _comparisons(result) -> list[tuple[str, str, str, int]]:
    """(label, variant, baseline, epoch) of every paired comparison the verdicts make."""
    early, last = result.size.early_epoch, result.size.epochs
    return ([(f"{v}\n− none\nepoch {e}", v, "none", e) for e in (early, last) for v in result.variants[1:]]
            + [(f"paper\n− torchvision\nepoch {last}", "paper", "torchvision", last)])


def plot_paired_effects(result) -> plt.Figure:
    """For each comparison (a placement minus none, early and at the end; paper minus
    torchvision at the end): the per-seed differences (dots) in test accuracy (left) and in
    the gap (right), their mean and its 95 % t-interval (black)."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    comparisons = _comparisons(result)
    for ax, key, title in zip(axes, ("test_top1", "gap"), ("test accuracy", "train − test gap")):
        for x, (_, variant, baseline, epoch) in enumerate(comparisons):
            effect = result.effect(variant, baseline, key, epoch)
            diffs = np.array(effect.differences)
            ax.plot(x + np.linspace(-0.12, 0.12, len(diffs)), diffs, "o", alpha=0.6,
                    color=COLOURS[variant])
            ax.errorbar(x + 0.25, effect.mean, yerr=[[effect.mean - effect.low], [effect.high - effect.mean]],
                        fmt="s", color="black", capsize=4)
        ax.axhline(0, color="grey", lw=1)
        ax.set_xticks(range(len(comparisons)), [label for label, *_ in comparisons], fontsize=7)
        ax.set(ylabel="difference (points)", title=f"{title}: paired by seed, mean and 95 % interval")
        ax.grid(alpha=0.3, axis="y")
    fig.tight_layout()
    return fig


def plot_ensemble(result) -> plt.Figure:
    """For each dropout placement, mean over seeds against the number of stochastic passes T:
    test NLL (left) and KL from the one deterministic pass (right) of the geometric mean (solid)
    and the arithmetic mean (dashed); dotted, the deterministic pass's NLL."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8))
    passes = sorted(result.size.passes)
    for variant in sorted({e["variant"] for e in result.ensembles}, key=list(COLOURS).index):
        colour = COLOURS[variant]
        for mean, style in (("geometric", "-"), ("arithmetic", "--")):
            nll = [np.mean(result.ensemble_values(variant, f"{mean}_nll", t)) for t in passes]
            kl = [np.mean(result.ensemble_values(variant, f"{mean}_kl", t)) for t in passes]
            left.plot(passes, nll, style, marker="o", ms=3, color=colour, label=f"{variant}: {mean} mean")
            right.plot(passes, kl, style, marker="o", ms=3, color=colour, label=f"{variant}: {mean} mean")
        left.axhline(np.mean(result.ensemble_values(variant, "deterministic_nll")), color=colour, ls=":",
                     label=f"{variant}: one deterministic pass")
    left.set(ylabel="test NLL (nats)", title="the mean of T stochastic passes against one pass")
    right.set(ylabel="KL(mean ‖ deterministic pass) (nats)", yscale="log",
              title="how far the one pass is from each mean")
    for ax in (left, right):
        ax.set_xscale("log", base=2)
        ax.set_xlabel("stochastic passes averaged (T)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    return fig
