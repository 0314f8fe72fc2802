"""The experiments of lessons 05 and 06 run in the smoke profile and return well-formed,
tidy results (the numbers themselves are the notebooks' business)."""

from __future__ import annotations

import math

import pytest
import torch
from learned import assert_every_run_learned
from torch import nn

from alexnet_course.experiments import dropout
from alexnet_course.layers import Dropout
from alexnet_course.models.alexnet import SMALL, build_alexnet


@pytest.fixture(scope="module")
def drop_result():
    return dropout.overfitting("smoke", device="cpu")


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


def test_every_dropout_run_learned(drop_result):
    accuracies = {(r["p"], r["seed"]): r["test_top1"] for r in drop_result.final()}
    assert_every_run_learned(accuracies)
