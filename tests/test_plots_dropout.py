"""The figures of lesson 06 draw what the results hold."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from alexnet_course.experiments.dropout import PLACEMENTS, SIZES, DropoutResult
from alexnet_course.plots import dropout as dropout_plots

EPOCHS = (2, 4, 6)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _result() -> DropoutResult:
    """Two seeds; train accuracy climbs by epoch, dropout lowers it, the test loss climbs with
    dropout (k = 1, 2) and not without (k = 0); ensembles at T = 1, 4."""
    r = DropoutResult("smoke", SIZES["smoke"].replace(epochs=6, early_epoch=2, passes=(1, 4)))
    for seed in (0, 1):
        for k, variant in enumerate(PLACEMENTS):
            for epoch in EPOCHS:
                train, test = 0.5 + 0.08 * epoch - 0.05 * k, 0.5 + 0.01 * k + 0.01 * seed
                r.rows.append({"variant": variant, "seed": seed, "epoch": epoch, "train_top1": train,
                               "test_top1": test, "gap": train - test, "test_loss": 1.0 + 0.1 * epoch * k})
            if variant != "none":
                rows = [{"passes": t, "geometric_nll": 0.9 - 0.01 * t, "arithmetic_nll": 0.95,
                         "geometric_kl": 0.01 / t, "arithmetic_kl": 0.02} for t in (1, 4)]
                r.ensembles.append({"variant": variant, "seed": seed, "rows": rows,
                                    "deterministic": {"top1": 0.7, "nll": 0.8 + 0.1 * k}})
    return r


def test_gap_curves_plot_train_test_gap_and_loss_per_variant():
    r = _result()
    left, middle, right = dropout_plots.plot_gap_curves(r).axes
    curves = [line for line in left.lines if len(line.get_xdata()) == len(EPOCHS)]
    assert len(curves) == 2 * len(PLACEMENTS)
    gaps = [line for line in middle.lines if len(line.get_xdata()) == len(EPOCHS)]
    none = [row for row in r.rows if row["variant"] == "none"]
    expected = [100 * np.mean([row["gap"] for row in none if row["epoch"] == e]) for e in EPOCHS]
    assert np.allclose(gaps[0].get_ydata(), expected)  # the mean over the seeds
    losses = [line for line in right.lines if len(line.get_xdata()) == len(EPOCHS)]
    assert np.allclose(losses[1].get_ydata(), [1.0 + 0.1 * e for e in EPOCHS])  # paper's
    assert sorted({line.get_xdata()[0] for line in middle.lines if len(line.get_xdata()) == 2}) == [2, 6]


def test_paired_effects_show_each_seed_and_the_interval():
    r = _result()
    left, right = dropout_plots.plot_paired_effects(r).axes
    assert len(left.get_xticks()) == 5  # two placements × two epochs, and paper − torchvision
    dots = left.lines[0].get_ydata()  # paper − none, early: +1 point of test accuracy per seed
    assert np.allclose(dots, [1.0, 1.0])
    gap_dots = right.lines[0].get_ydata()  # paper − none: 5 points less trained, 1 more tested
    assert np.allclose(gap_dots, [-6.0, -6.0])


def test_ensemble_plot_has_both_means_and_the_one_pass():
    r = _result()
    left, right = dropout_plots.plot_ensemble(r).axes
    geometric = left.lines[0]
    assert list(geometric.get_xdata()) == [1, 4] and np.allclose(geometric.get_ydata(), [0.89, 0.86])
    flat = [line for line in left.lines if line.get_linestyle() == ":"]
    assert [line.get_ydata()[0] for line in flat] == pytest.approx([0.9, 1.0])  # paper, torchvision
    assert np.allclose(right.lines[1].get_ydata(), [0.02, 0.02])  # paper's arithmetic mean
