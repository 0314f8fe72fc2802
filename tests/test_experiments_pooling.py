"""The experiments of lessons 05 and 06 run in the smoke profile and return well-formed,
tidy results (the numbers themselves are the notebooks' business)."""

from __future__ import annotations

import pytest
from learned import assert_every_run_learned
from torch import nn

from alexnet_course.arithmetic import window_coverage
from alexnet_course.experiments import pooling
from alexnet_course.models.alexnet import build_alexnet


@pytest.fixture(scope="module")
def pool_result():
    return pooling.overlapping_pooling("smoke", device="cpu")


def test_pooling_rows_are_paired_and_well_formed(pool_result):
    size = pooling.SIZES["smoke"]
    assert len(pool_result.rows) == 2 * size.seeds
    keys = {"pool", "seed", "train_top1_error", "test_top1_error", "seconds"}  # no top-5 on 10 classes
    for row in pool_result.rows:
        assert set(row) == keys
        assert row["pool"] in pooling.POOLS
        for k in ("train_top1_error", "test_top1_error"):
            assert 0.0 <= row[k] <= 100.0
    assert len(pool_result.differences()) == size.seeds
    assert pool_result.differences() == [
        a - b for a, b in zip(pool_result.errors("3/2"), pool_result.errors("2/2"))]
    verdict = pool_result.verdict()
    assert "top-1" in verdict and "top-5" not in verdict and "paper, ImageNet: -0.4" in verdict
    assert pool_result.effect().differences == tuple(pool_result.differences())


def test_coverage_counts_windows():
    assert window_coverage(5, 3, 2).tolist() == [1, 1, 2, 1, 1]
    assert window_coverage(5, 2, 2).tolist() == [1, 1, 1, 1, 0]
    # every window holds kernel pixels: the counts sum to windows * kernel
    n, k, s = 101, 3, 2
    assert window_coverage(n, k, s).sum().item() == ((n - k) // s + 1) * k


def test_pooling_config_sets_the_pool_and_keeps_parameters():
    size = pooling.SIZES["smoke"]
    a = build_alexnet(pooling.pooling_config((3, 2), size))
    b = build_alexnet(pooling.pooling_config((2, 2), size))
    pools = [m for m in b.features if isinstance(m, nn.MaxPool2d)]
    assert len(pools) == 3 and all(m.kernel_size == 2 and m.stride == 2 for m in pools)
    assert [p.shape for p in a.parameters()] == [p.shape for p in b.parameters()]


def test_every_pooling_run_learned(pool_result):
    accuracies = {(r["pool"], r["seed"]): 1 - r["test_top1_error"] / 100 for r in pool_result.rows}
    assert_every_run_learned(accuracies)
