"""The figures of lessons 05 and 06 draw what the results hold."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from alexnet_course.data import photo
from alexnet_course.experiments.pooling import SIZES as POOL_SIZES
from alexnet_course.experiments.pooling import PoolingResult
from alexnet_course.plots import pooling as pooling_plots


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_pool_windows_shows_the_coverage_counts():
    fig = pooling_plots.plot_pool_windows(photo("chelsea"), top=60, left=180, size=9)
    overlap, tiled = fig.axes[1], fig.axes[2]

    def counts(ax):
        return sorted({int(t.get_text()) for t in ax.texts})

    assert counts(overlap) == [1, 2, 4]
    assert counts(tiled) == [0, 1]  # 9 is odd: 2x2/2 drops the last row and column
    assert "9→4" in overlap.get_title() and "9→4" in tiled.get_title()


def test_pooled_titles_give_the_sizes():
    fig = pooling_plots.plot_pooled(np.zeros((20, 21, 3), np.uint8) + 1, repeats=1)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[1].endswith("9×10") and titles[2].endswith("10×10")


def _pool_result():
    r = PoolingResult("smoke", POOL_SIZES["smoke"])
    for seed, (a, b) in enumerate([(30.0, 31.0), (29.0, 28.5), (32.0, 33.0)]):
        for pool, e in (("3/2", a), ("2/2", b)):
            r.rows.append({"pool": pool, "seed": seed, "train_top1_error": e - 2,
                           "test_top1_error": e, "seconds": 1.0})
    return r


def test_pool_ablation_draws_every_seed_and_the_paired_differences():
    r = _pool_result()
    fig = pooling_plots.plot_pool_ablation(r)
    left, right = fig.axes
    points = [y for line in left.lines if line.get_marker() == "o" for y in line.get_ydata()]
    assert sorted(points) == sorted(row["test_top1_error"] for row in r.rows)
    bars = [p.get_height() for p in right.patches]
    assert np.allclose(bars, r.differences())
