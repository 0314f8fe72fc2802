"""The counting figures draw what the tables hold."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
import torch

from alexnet_course.counting import count_layers
from alexnet_course.models import alexnet, lenet5
from alexnet_course.plots import layer_labels
from alexnet_course.plots.counting import (
    MIB,
    plot_activation_memory,
    plot_layer_counts,
    plot_shares,
    weighted_rows,
)


@pytest.fixture(scope="module")
def tables():
    with torch.device("meta"):
        nets = {v: alexnet(v) for v in ("paper", "single", "torchvision")}
    return {v: count_layers(m, m_size) for (v, m), m_size in
            zip(nets.items(), [(3, 227, 227), (3, 227, 227), (3, 224, 224)])}


def test_layer_labels_follow_the_paper():
    types = ["Conv2d", "ReLU", "MaxPool2d"] * 5 + ["Dropout", "Linear", "ReLU"] * 2 + ["Linear"]
    labels = [label for label in layer_labels(types) if label.startswith(("conv", "fc"))]
    assert labels == ["conv1", "conv2", "conv3", "conv4", "conv5", "fc6", "fc7", "fc8"]


def test_weighted_rows_are_the_convs_and_linears(tables):
    rows = weighted_rows(tables["paper"])
    assert list(rows) == ["conv1", "conv2", "conv3", "conv4", "conv5", "fc6", "fc7", "fc8"]
    assert rows["fc6"].params == 9216 * 4096 + 4096
    assert sum(r.params for r in rows.values()) == tables["paper"].params


def test_layer_counts_draw_one_bar_per_layer_and_network(tables):
    fig = plot_layer_counts(tables, title="three AlexNets")
    params_ax, macs_ax = fig.axes
    assert len(params_ax.patches) == len(macs_ax.patches) == 8 * 3
    heights = sorted(p.get_height() for p in params_ax.patches)
    assert heights[-1] == pytest.approx((9216 * 4096 + 4096) / 1e6)  # fc6, the tallest
    assert [t.get_text() for t in params_ax.get_xticklabels()][-3:] == ["fc6", "fc7", "fc8"]
    plt.close(fig)


def test_layer_counts_refuse_different_layouts(tables):
    with torch.device("meta"):
        lenet = count_layers(lenet5(), (1, 32, 32))
    with pytest.raises(ValueError, match="same weighted layers"):
        plot_layer_counts({"paper": tables["paper"], "lenet": lenet})


def test_shares_stack_to_one_hundred_percent(tables):
    fig = plot_shares(tables)
    (ax,) = fig.axes
    bars = {}
    for patch in ax.patches:
        bars.setdefault(round(patch.get_y(), 3), []).append(patch.get_width())
    assert len(bars) == 2 * 3  # parameters and multiply-adds for each network
    assert all(sum(widths) == pytest.approx(100) for widths in bars.values())
    labels = [t.get_text() for t in ax.texts]
    assert "fc6\n62%" in labels  # fc6 holds 62% of the paper net's parameters
    plt.close(fig)


def test_activation_memory_bars_are_the_outputs_in_mib():
    with torch.device("meta"):
        table = count_layers(alexnet("paper"), (3, 227, 227), batch_size=128)
    fig = plot_activation_memory(table)
    (ax,) = fig.axes
    heights = [p.get_height() for p in ax.patches]
    assert heights[0] == pytest.approx(128 * 96 * 55 * 55 * 4 / MIB)
    assert len(heights) == len(table.rows)
    names = [t.get_text() for t in ax.get_xticklabels()]
    assert names[:4] == ["conv1", "relu1", "norm1", "pool1"] and "drop6" in names and names[-1] == "fc8"
    assert "batch 128" in ax.get_title()
    plt.close(fig)
