"""The experiments of lessons 05 and 06 run in the smoke profile and return well-formed,
tidy results (the numbers themselves are the notebooks' business)."""

from __future__ import annotations

import math
from dataclasses import fields

import pytest
import torch
from torch import nn

from alexnet_course.arithmetic import window_coverage
from alexnet_course.experiments import dropout, pooling
from alexnet_course.experiments.common import PairedEffect, paired_effect
from alexnet_course.layers import Dropout
from alexnet_course.models.alexnet import SMALL, build_alexnet
from alexnet_course.profiles import PROFILES


@pytest.fixture(scope="module")
def pool_result():
    return pooling.overlapping_pooling("smoke", device="cpu")


@pytest.fixture(scope="module")
def drop_result():
    return dropout.overfitting("smoke", device="cpu")


def test_every_profile_has_a_size():
    for module in (pooling, dropout):
        assert set(module.SIZES) == set(PROFILES)
        # smoke is the smallest in every count
        for f in fields(module.SIZES["smoke"]):
            smoke = getattr(module.SIZES["smoke"], f.name)
            cpu = getattr(module.SIZES["cpu"], f.name)
            if isinstance(smoke, int) and f.name in ("train_samples", "test_samples", "epochs", "seeds"):
                assert smoke <= cpu


def test_pooling_rows_are_paired_and_well_formed(pool_result):
    size = pooling.SIZES["smoke"]
    assert len(pool_result.rows) == 2 * size.seeds
    keys = {"pool", "seed", "train_top1_error", "test_top1_error", "test_top5_error", "seconds"}
    for row in pool_result.rows:
        assert set(row) == keys
        assert row["pool"] in pooling.POOLS
        for k in ("train_top1_error", "test_top1_error", "test_top5_error"):
            assert 0.0 <= row[k] <= 100.0
        assert row["test_top5_error"] <= row["test_top1_error"]
    assert len(pool_result.differences()) == size.seeds
    assert pool_result.differences() == [
        a - b for a, b in zip(pool_result.errors("3/2"), pool_result.errors("2/2"))]
    verdict = pool_result.verdict()
    assert "top-1" in verdict and "top-5" not in verdict and "paper, ImageNet: -0.4" in verdict
    assert pool_result.effect().differences == tuple(pool_result.differences())


def test_paired_effect_uses_the_t_interval():
    # n = 3: t(0.975, 2) = 4.303 (tables); the differences 1, 2, 3 have sd 1, so ± 4.303 / √3.
    effect = PairedEffect((1.0, 2.0, 3.0))
    assert effect.n == 3 and effect.mean == 2.0
    assert math.isclose(effect.half_width, 4.3027 / math.sqrt(3), rel_tol=1e-4)
    assert effect.reading("m", "up", "down").startswith("no difference")  # 2 − 2.48 < 0
    assert PairedEffect((2.0, 2.5, 3.0)).reading("m", "up", "down").startswith("up")  # ± 1.24
    assert PairedEffect((-2.0, -2.5, -3.0)).reading("m", "up", "down").startswith("down")
    assert PairedEffect((0.5,)).reading("m", "up", "down").startswith("one seed")
    assert paired_effect([3.0, 4.0], [1.0, 1.0]).differences == (2.0, 3.0)
    with pytest.raises(ValueError, match="as many"):
        paired_effect([1.0], [1.0, 2.0])


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


def test_dropout_rows_and_summary_are_well_formed(drop_result):
    size = dropout.SIZES["smoke"]
    assert len(drop_result.rows) == len(size.probabilities) * size.seeds * size.epochs
    for row in drop_result.rows:
        assert {"p", "seed", "epoch", "train_top1", "test_top1", "gap", "train_loss",
                "test_loss"} <= set(row)
        assert 0.0 <= row["train_top1"] <= 1.0 and 0.0 <= row["test_top1"] <= 1.0
        assert math.isclose(row["gap"], row["train_top1"] - row["test_top1"])
    summary = drop_result.summary()
    assert [r["p"] for r in summary] == list(size.probabilities)
    assert "gap without dropout" in drop_result.verdict()
    # the trained networks use the course's Dropout
    model = drop_result.models[(0.5, 0)]
    assert any(isinstance(m, Dropout) for m in model.modules())
    assert not any(isinstance(m, nn.Dropout) for m in model.modules())


def test_ensemble_results_are_well_formed(drop_result):
    size = dropout.SIZES["smoke"]
    assert len(drop_result.ensembles) == size.seeds * sum(p > 0 for p in size.probabilities)
    for ens in drop_result.ensembles:
        assert [r["passes"] for r in ens["rows"]] == list(size.passes)
        for r in ens["rows"] + [ens["deterministic"]]:
            assert 0.0 <= r["top1"] <= 1.0 and r["nll"] > 0
        assert 0.0 <= ens["single_pass_top1_mean"] <= 1.0


def test_ensemble_of_a_net_without_dropout_equals_its_deterministic_pass():
    torch.manual_seed(0)
    from alexnet_course.data import fashion_mnist

    model = build_alexnet(SMALL, dropout=0.0)
    test = fashion_mnist("test", "smoke", samples=50)
    ens = dropout.mc_ensemble(model, test, (1, 3), image_size=32, device="cpu")
    assert all(math.isclose(r["top1"], ens["deterministic"]["top1"]) for r in ens["rows"])
    assert not model.training  # left in eval mode


def test_with_course_dropout_swaps_every_dropout():
    model = dropout.with_course_dropout(build_alexnet(SMALL, dropout=0.3))
    drops = [m for m in model.modules() if isinstance(m, Dropout)]
    assert len(drops) == 2 and all(m.p == 0.3 for m in drops)


# Ten classes: guessing scores 10 % top-1. A trained variant must clear it by 10 points on the
# smoke budget's 200 test images (where chance has a spread of about 2 points), or the
# experiment measures nothing.
CHANCE, MARGIN = 0.10, 0.10


def test_every_pooling_run_learned(pool_result):
    accuracies = {(r["pool"], r["seed"]): 1 - r["test_top1_error"] / 100 for r in pool_result.rows}
    assert all(a >= CHANCE + MARGIN for a in accuracies.values()), accuracies


def test_every_dropout_run_learned(drop_result):
    accuracies = {(r["p"], r["seed"]): r["test_top1"] for r in drop_result.final()}
    assert all(a >= CHANCE + MARGIN for a in accuracies.values()), accuracies
