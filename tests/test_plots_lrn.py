"""Lesson 03 and 04 figures (plots/relu_vs_tanh.py, plots/lrn.py) draw from real results without errors
and show what they say."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from alexnet_course.experiments import lrn
from alexnet_course.layers import LocalResponseNorm, lrn_divisor
from alexnet_course.plots import lrn as lrn_plots


def test_lrn_figures():
    a = lrn.conv1_like_activations(size=32)
    b = LocalResponseNorm()(a[None])[0]
    fig = lrn_plots.plot_lrn_maps(a, b, lrn_divisor(a[None])[0], channel=3)
    assert len(fig.axes) == 6  # three images and their colour bars
    plt.close(fig)
    fig = lrn_plots.plot_channel_profile(a, b, (5, 5))
    assert len(fig.axes[0].patches) == 2 * a.shape[0]
    plt.close(fig)


def test_norm_ablation_plot():
    result = lrn.NormAblation("smoke", lrn.SIZES["smoke"])
    for norm in lrn.NORMS:
        result.runs.append(lrn.NormRun(norm, 0, [0.5, 0.4], [0.5, 0.3], 1.0))
    fig = lrn_plots.plot_norm_ablation(result)
    assert len(fig.axes[0].get_lines()) == len(lrn.NORMS)
    plt.close(fig)
