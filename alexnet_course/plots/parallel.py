"""Figures of lesson 12: the paper's two-GPU split drawn from a split network, and measured
data-parallel scaling."""

from __future__ import annotations

import matplotlib.pyplot as plt
import torch
from matplotlib.patches import FancyBboxPatch

__all__ = ["plot_two_gpu_split", "plot_scaling"]

_CROSS, _OWN = "tab:red", "0.45"


def _tower_shapes(split, input_size: tuple[int, int, int]) -> list[tuple[str, tuple[int, ...]]]:
    """(layer, output shape of tower 0's part) for conv1..conv5 (after pooling), fc6, fc7; fc8."""
    tower, shapes, hooks = split.towers[0], [], []
    named = [(f"conv{j + 1}", pool) for j, pool in enumerate(tower.pools)]
    named += [("fc6", tower.fc6), ("fc7", tower.fc7), ("fc8", split.fc8)]
    for name, module in named:
        hooks.append(module.register_forward_hook(
            lambda _m, _i, out, name=name: shapes.append((name, tuple(out.shape[1:])))))
    try:
        with torch.no_grad():
            split.eval()(torch.zeros(1, *input_size))
    finally:
        for hook in hooks:
            hook.remove()
    return shapes


def _box(ax, x: float, y: float, text: str, colour: str) -> None:
    ax.add_patch(FancyBboxPatch((x - 0.42, y - 0.3), 0.84, 0.6, boxstyle="round,pad=0.02",
                                fc=colour, ec="0.2", lw=1))
    ax.text(x, y, text, ha="center", va="center", fontsize=8)


def _arrow(ax, start, end, colour: str) -> None:
    ax.annotate("", xy=end, xytext=start,
                arrowprops=dict(arrowstyle="->", color=colour, lw=1.6 if colour == _CROSS else 1.0,
                                shrinkA=14, shrinkB=14))


def plot_two_gpu_split(split, input_size: tuple[int, int, int]) -> plt.Figure:
    """The paper's Figure 2 as boxes: one row per device, one column per layer, each box with
    that tower's output (maps × side² or units). Grey arrows stay on a device; red arrows copy
    activations to the other device, labelled with the numbers each device sends per image."""
    shapes = _tower_shapes(split, input_size)
    sent = {link.split(" → ")[1]: (a, b) for link, a, b in split.traffic(input_size)
            if "halo" not in link}
    fig, ax = plt.subplots(figsize=(13, 4.2))
    rows = {0: 1.0, 1: 0.0}  # device 0 on top
    _box(ax, 0, 0.5, f"image\n{input_size[0]}×{input_size[1]}²", "0.9")
    for t, y in rows.items():
        _arrow(ax, (0, 0.5), (1, y), _OWN)  # both towers read the whole image
    for x, (name, shape) in enumerate(shapes, start=1):
        label = f"{shape[0]}×{shape[1]}²" if len(shape) == 3 else f"{shape[0]}"
        if name == "fc8":
            _box(ax, x, rows[0], f"fc8 (device 0)\n{label}", "moccasin")
        else:
            for t, y in rows.items():
                _box(ax, x, y, f"{name}\n{label}", "lightsteelblue" if t == 0 else "lightgreen")
        if x == 1:
            continue
        targets = [rows[0]] if name == "fc8" else list(rows.values())
        for y_from in rows.values():
            for y_to in targets:
                crossing = y_from != y_to
                if crossing and name not in sent:
                    continue
                _arrow(ax, (x - 1, y_from), (x, y_to), _CROSS if crossing else _OWN)
        if name in sent:
            a, b = sent[name]
            each = f"{a:,} each way" if a == b else f"{b:,} to device 0"
            ax.text(x - 0.5, 0.5, each, ha="center", va="center", fontsize=7, color=_CROSS,
                    bbox=dict(fc="white", ec="none", pad=0.5))
    for t, y in rows.items():
        ax.text(-0.6, y, f"device {t}\n{split.devices[t]}", ha="right", va="center", fontsize=9)
    ax.set_xlim(-1.4, len(shapes) + 0.6)
    ax.set_ylim(-0.55, 1.55)
    ax.axis("off")
    ax.set_title("Two towers, two devices. Each box: what its layer passes on (after pooling). "
                 "Red arrows copy activations to the other device (numbers per image).", fontsize=10)
    fig.tight_layout()
    return fig


def plot_scaling(runs: dict[str, list[dict]]) -> plt.Figure:
    """One panel per set of runs: training images/s of each layout (processes × threads),
    with its speed-up over the panel's first bar (rows from ``launch.with_speedups``)."""
    fig, axes = plt.subplots(1, len(runs), figsize=(4.6 * len(runs), 3.4), squeeze=False)
    for ax, (title, rows) in zip(axes[0], runs.items()):
        labels = [f"{r['processes']} proc × {r['omp_threads_per_process']} thr" for r in rows]
        speeds = [r["train_images_per_s"] for r in rows]
        bars = ax.bar(labels, speeds, color=["tab:blue", "tab:orange", "tab:gray"][:len(rows)])
        for bar, r in zip(bars, rows):
            ax.text(bar.get_x() + bar.get_width() / 2, bar.get_height(), f"×{r['speedup']:.2f}",
                    ha="center", va="bottom", fontsize=9)
        ax.set_ylabel("training images / s (all processes)")
        ax.set_title(title, fontsize=10)
        ax.set_ylim(0, max(speeds) * 1.2)
        ax.tick_params(axis="x", labelsize=8)
    fig.tight_layout()
    return fig
