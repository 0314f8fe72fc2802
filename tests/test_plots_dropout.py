"""The figures of lessons 05 and 06 draw what the results hold."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from alexnet_course.experiments.dropout import SIZES as DROP_SIZES
from alexnet_course.experiments.dropout import DropoutResult
from alexnet_course.plots import dropout as dropout_plots


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _drop_result():
    r = DropoutResult("smoke", DROP_SIZES["smoke"])
    for p in (0.0, 0.5):
        for epoch in (1, 2, 3):
            train = 0.5 + 0.15 * epoch - 0.1 * p
            r.rows.append({"p": p, "seed": 0, "epoch": epoch, "train_top1": train,
                           "test_top1": 0.5, "gap": train - 0.5, "train_loss": 1.0,
                           "test_loss": 1.0, "seconds": 1.0})
    r.ensembles.append({"p": 0.5, "seed": 0, "deterministic": {"top1": 0.8, "nll": 0.5},
                        "rows": [{"passes": t, "top1": 0.7 + 0.01 * t, "nll": 0.6} for t in (1, 4, 16)],
                        "single_pass_top1_mean": 0.7})
    return r


def test_gap_curves_plot_train_test_and_gap_per_p():
    r = _drop_result()
    fig = dropout_plots.plot_gap_curves(r)
    left, right = fig.axes
    assert len(left.lines) == 4 and len(right.lines) == 2
    gap_no_dropout = right.lines[0].get_ydata()
    assert np.allclose(gap_no_dropout, [100 * row["gap"] for row in r.rows if row["p"] == 0.0])


def test_ensemble_plot_has_the_passes_and_the_deterministic_line():
    r = _drop_result()
    fig = dropout_plots.plot_ensemble(r)
    ax = fig.axes[0]
    curve, flat = ax.lines[0], ax.lines[1]
    assert list(curve.get_xdata()) == [1, 4, 16]
    assert np.allclose(flat.get_ydata(), 80.0)
