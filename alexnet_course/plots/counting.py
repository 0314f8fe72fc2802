"""Figures of lesson 02: where a network's parameters, multiply-adds and activation memory live.

Every function takes :class:`~alexnet_course.counting.LayerTable` objects (from
``count_layers``) and returns its figure. Weighted layers are labelled the way
the paper names them: the convolutions ``conv1``, ``conv2``, ... in order, then
the fully connected layers numbered on from there (``fc6``, ``fc7``, ``fc8`` in AlexNet),
by :func:`~alexnet_course.plots.shared.layer_labels`.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np

from alexnet_course.counting import LayerRow, LayerTable

from .shared import layer_labels

__all__ = ["weighted_rows", "plot_layer_counts", "plot_shares", "plot_activation_memory"]

MIB = 2**20  # bytes in a mebibyte: the "MB" of torchinfo, Keras and Paddle summaries
CONV_COLOURS = plt.get_cmap("Blues")
FC_COLOURS = plt.get_cmap("Oranges")


def weighted_rows(table: LayerTable) -> dict[str, LayerRow]:
    """The rows of ``table`` that hold weights (Conv2d and Linear), by paper-style label.

    >>> import torch
    >>> from alexnet_course.counting import count_layers
    >>> net = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.Flatten(),
    ...                           torch.nn.Linear(4 * 6 * 6, 10))
    >>> {name: row.params for name, row in weighted_rows(count_layers(net, (1, 8, 8))).items()}
    {'conv1': 40, 'fc2': 1450}
    """
    labels = layer_labels([r.type for r in table.rows])
    return {label: r for label, r in zip(labels, table.rows) if r.type in ("Conv2d", "Linear")}


def _colour(label: str, index: int, count: int):
    """Blues for convolutions, oranges for fully connected layers, darker with depth."""
    cmap = CONV_COLOURS if label.startswith("conv") else FC_COLOURS
    return cmap(0.35 + 0.55 * index / max(1, count - 1))


def plot_layer_counts(tables: Mapping[str, LayerTable], title: str | None = None) -> plt.Figure:
    """Parameters (left) and multiply-adds (right) per weighted layer, one bar per network.

    The networks must have the same weighted layers (e.g. the AlexNet variants);
    counts are in millions so conv1's 35 thousand and fc6's 38 million share an axis.
    """
    rows = {name: weighted_rows(t) for name, t in tables.items()}
    labels = list(next(iter(rows.values())))
    if any(list(r) != labels for r in rows.values()):
        raise ValueError("plot_layer_counts needs networks with the same weighted layers")
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    x = np.arange(len(labels))
    width = 0.8 / len(tables)
    hatches = ["", "//", "..", "xx", "\\\\"]
    for ax, what, unit in ((axes[0], "params", "parameters"), (axes[1], "macs", "multiply-adds")):
        for i, (name, by_label) in enumerate(rows.items()):
            values = [getattr(by_label[lab], what) / 1e6 for lab in labels]
            colours = [_colour(lab, 2, 3) for lab in labels]
            ax.bar(x + (i - (len(tables) - 1) / 2) * width, values, width, color=colours,
                   edgecolor="black", linewidth=0.5, hatch=hatches[i % len(hatches)], label=name)
        ax.set_xticks(x, labels)
        ax.set_ylabel(f"{unit} (millions)")
        ax.set_title(f"{unit} per layer (one image)")
        ax.grid(axis="y", alpha=0.3)
    # The legend shows the hatch, which is what tells the networks apart.
    handles = [plt.Rectangle((0, 0), 1, 1, facecolor="white", edgecolor="black",
                             hatch=hatches[i % len(hatches)])
               for i in range(len(tables))]
    axes[0].legend(handles, list(tables), fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_shares(tables: Mapping[str, LayerTable], min_label: float = 4.0) -> plt.Figure:
    """For each network, two stacked 100% bars: its parameters and its multiply-adds split by layer.

    Convolutions are blue, fully connected layers orange; segments of at least
    ``min_label`` percent are labelled.
    """
    fig, ax = plt.subplots(figsize=(10, 0.9 + 0.75 * len(tables) * 2))
    ticks, names = [], []
    y = 0.0
    for name, table in tables.items():
        by_label = weighted_rows(table)
        labels = list(by_label)
        for what, share in (("multiply-adds", "mac_share"), ("parameters", "param_share")):
            left = 0.0
            convs = [lab for lab in labels if lab.startswith("conv")]
            fcs = [lab for lab in labels if not lab.startswith("conv")]
            for lab in labels:
                group = convs if lab in convs else fcs
                value = getattr(by_label[lab], share)
                colour = _colour(lab, group.index(lab), len(group))
                ax.barh(y, value, left=left, color=colour, edgecolor="white", linewidth=0.8)
                if value >= min_label:
                    dark = 0.299 * colour[0] + 0.587 * colour[1] + 0.114 * colour[2] < 0.5
                    ax.text(left + value / 2, y, f"{lab}\n{value:.0f}%", ha="center", va="center", fontsize=7,
                            color="white" if dark else "black")
                left += value
            ticks.append(y)
            names.append(f"{name}: {what}")
            y += 1
        y += 0.5
    ax.set_yticks(ticks, names)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("share of the network's total (%)")
    ax.set_title("Convolutions (blue) do the work; fully connected layers (orange) hold the weights")
    fig.tight_layout()
    return fig


def plot_activation_memory(table: LayerTable, title: str | None = None) -> plt.Figure:
    """Memory of every layer's output for the table's batch, in MiB, with the parameters' memory beside.

    Each bar is one leaf layer's output (what the backward pass keeps); the dashed
    line is the memory of all the parameters in the table's dtype, for scale.
    """
    itemsize = table.activation_bytes // max(1, table.activations)
    names = layer_labels([r.type for r in table.rows])
    mib = np.array([r.activation_bytes / MIB for r in table.rows])
    colours = ["tab:blue" if r.type == "Conv2d" else "tab:orange" if r.type == "Linear" else "0.65"
               for r in table.rows]
    fig, ax = plt.subplots(figsize=(11, 4))
    ax.bar(np.arange(len(mib)), mib, color=colours, edgecolor="black", linewidth=0.4)
    ax.set_xticks(np.arange(len(mib)), names, rotation=60, ha="right", fontsize=8)
    params_mib = table.params * itemsize / MIB
    ax.axhline(params_mib, ls="--", color="black", lw=1)
    ax.text(len(mib) - 0.5, params_mib, f"all parameters: {params_mib:,.0f} MiB", ha="right", va="bottom",
            fontsize=8)
    dtype = str(table.dtype).removeprefix("torch.")
    ax.set_ylabel("output memory (MiB)")
    ax.set_title(title or f"Activation memory per layer, batch {table.batch_size}, {dtype}: "
                          f"{table.activation_bytes / MIB:,.0f} MiB in all")
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig
