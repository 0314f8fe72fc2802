"""Lesson 03 and 04 figures (plots/relu_vs_tanh.py, plots/lrn.py) draw from real results without errors
and show what they say."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from alexnet_course.experiments import relu_vs_tanh
from alexnet_course.plots import relu_vs_tanh as relu_vs_tanh_plots


def test_activations_plot_has_both_functions_and_gradients():
    fig = relu_vs_tanh_plots.plot_activations()
    f_ax, g_ax = fig.axes
    assert [line.get_label() for line in f_ax.get_lines()] == ["tanh", "ReLU"]
    tanh_grad = g_ax.get_lines()[0].get_ydata()
    assert abs(tanh_grad.max() - 1.0) < 1e-6 and tanh_grad.min() < 1e-3
    plt.close(fig)


def _result():
    size = relu_vs_tanh.SIZES["smoke"]
    result = relu_vs_tanh.ReluVsTanh("smoke", size)
    for seed in size.seeds:
        result.runs.append(relu_vs_tanh.RunCurve("ReLU", seed, [0.5, 0.2], [0.5, 0.3], 1.0))
        result.runs.append(relu_vs_tanh.RunCurve("tanh", seed, [0.6, 0.4], [0.6, 0.4], 1.0))
    return result


def test_error_curves_one_line_per_run_plus_means():
    result = _result()
    fig = relu_vs_tanh_plots.plot_error_curves(result)
    (ax,) = fig.axes
    assert len(ax.get_lines()) == len(result.runs) + 2 + 1  # runs, two means, the 25% line
    assert any("25%" in t.get_text() for t in ax.get_legend().get_texts())
    plt.close(fig)
