"""Lesson 03's figures (plots/relu_vs_tanh.py) draw what they say from the data they get."""

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
import torch

from alexnet_course.experiments import relu_vs_tanh as rvt
from alexnet_course.plots import relu_vs_tanh as relu_vs_tanh_plots


def test_activations_plot_has_both_functions_gradients_and_the_saturated_band():
    fig = relu_vs_tanh_plots.plot_activations()
    f_ax, g_ax = fig.axes
    assert [line.get_label() for line in f_ax.get_lines()] == ["tanh", "ReLU"]
    tanh_grad = g_ax.get_lines()[0].get_ydata()
    assert abs(tanh_grad.max() - 1.0) < 1e-6 and tanh_grad.min() < 1e-3
    # the band starts at atanh(0.99) = ½ ln(1.99 / 0.01)
    left_band, right_band = f_ax.patches
    assert right_band.get_x() == pytest.approx(0.5 * math.log(1.99 / 0.01))
    assert left_band.get_x() + left_band.get_width() == pytest.approx(-right_band.get_x())
    plt.close(fig)


def test_preactivation_histograms_title_each_layer_with_its_saturated_share():
    # 1 of 4 values beyond ±2.647 in the first layer, none in the second
    pre = {"paper": [torch.tensor([0.0, 1.0, -3.0, 2.0]), torch.tensor([0.1, -0.1])],
           "modern": [torch.tensor([0.0, 0.5]), torch.tensor([0.2, 0.0])]}
    fig = relu_vs_tanh_plots.plot_preactivations(pre)
    titles = [ax.get_title() for ax in fig.axes]
    assert len(titles) == 4
    assert titles[0].startswith("paper, conv1") and titles[0].endswith("saturated 25%")
    assert titles[1].endswith("saturated 0%") and titles[2].startswith("modern, conv1")
    plt.close(fig)


def _result():
    rows = []
    for seed in (0, 1):
        for v in rvt.VARIANTS:
            reached = v.activation == "ReLU"
            rows.append(dict(regime=v.regime, activation=v.activation, lr=v.lr, seed=seed,
                             curve=[(10, 0.6), (15, 0.2 if reached else 0.4)], steps=15 if reached else None,
                             saturation=[]))
    return rvt.ReluVsTanh("smoke", rvt.SIZES["smoke"], 15, rows)


def test_step_curves_one_panel_per_regime_one_line_per_run_and_a_dot_per_arrival():
    result = _result()
    fig = relu_vs_tanh_plots.plot_step_curves(result)
    paper, modern = fig.axes
    assert paper.get_title() == "paper regime" and modern.get_title() == "modern regime"
    assert paper.get_xscale() == "log"
    # paper: 3 variants × 2 seeds lines, 2 ReLU dots, the 25 % line
    assert len(paper.get_lines()) == 6 + 2 + 1
    assert len(modern.get_lines()) == 4 + 2 + 1
    labels = [t.get_text() for t in paper.get_legend().get_texts()]
    assert labels == ["ReLU, lr 0.003", "tanh, lr 0.003", "tanh, lr 0.03"]
    plt.close(fig)
