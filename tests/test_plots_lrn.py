"""Lesson 04's figures (plots/lrn.py) draw from real results without errors and show what they say."""

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


def test_norm_ablation_plot_has_a_panel_per_regime_with_paired_seeds_and_means():
    result = lrn.LRNAblation("smoke", lrn.SIZES["smoke"])
    errors = {"none": [30.0, 34.0], "LRN": [31.0, 33.0], "batch norm": [20.0, 26.0]}
    for regime in lrn.REGIMES:
        result.rows += [dict(regime=regime, norm=norm, seed=seed, test_top1_error=e, divisors=())
                        for norm, values in errors.items() for seed, e in enumerate(values)]
    fig = lrn_plots.plot_norm_ablation(result)
    assert len(fig.axes) == len(lrn.REGIMES)
    for ax, regime in zip(fig.axes, lrn.REGIMES):
        assert ax.get_title() == lrn.REGIME_NAMES[regime]
        lines = ax.get_lines()
        seeds, means = lines[:2], lines[2:]
        # one grey line per seed through its three nets, in NORMS order
        assert [list(line.get_ydata()) for line in seeds] == [[30, 31, 20], [34, 33, 26]]
        assert [float(line.get_ydata()[0]) for line in means] == [32.0, 32.0, 23.0]
    plt.close(fig)
