"""Lessons 03 and 04's experiments run in the smoke profile and return well-formed results."""

import math

import pytest
import torch
from learned import assert_every_run_learned
from torch import nn

from alexnet_course.experiments import relu_vs_tanh


@pytest.fixture(scope="module")
def relu_result():
    return relu_vs_tanh.relu_vs_tanh("smoke")


def test_relu_vs_tanh_is_well_formed(relu_result):
    size = relu_vs_tanh.SIZES["smoke"]
    assert relu_result.profile == "smoke"
    assert len(relu_result.runs) == 2 * len(size.seeds)
    assert {(r.activation, r.seed) for r in relu_result.runs} == {
        (a, s) for a in relu_vs_tanh.ACTIVATIONS for s in size.seeds}
    for run in relu_result.runs:
        assert len(run.train_error) == len(run.test_error) == size.epochs
        assert all(0 <= e <= 1 for e in run.train_error + run.test_error)
        assert run.epochs_to_threshold is None or 1 <= run.epochs_to_threshold <= size.epochs
    rows = relu_result.rows()
    assert len(rows) == len(relu_result.runs) * size.epochs
    assert set(rows[0]) == {"activation", "seed", "epoch", "train_error", "test_error"}
    summary = {row["activation"]: row for row in relu_result.summary()}
    assert set(summary) == {"ReLU", "tanh"}
    for row in summary.values():
        assert row["runs"] == len(size.seeds) and 0 <= row["reached"] <= row["runs"]
        assert 0 <= row["final_train_error_mean"] <= 1
    assert isinstance(relu_result.verdict(), str) and relu_result.verdict().endswith(".")


def test_relu_vs_tanh_is_reproducible(relu_result):
    size = relu_vs_tanh.SIZES["smoke"]
    from alexnet_course import data

    train = data.fashion_mnist("train", "smoke", samples=size.samples)
    test = data.fashion_mnist("test", "smoke", samples=size.test_samples)
    again = relu_vs_tanh.train_one("tanh", size.seeds[0], train, test, size)
    first = next(r for r in relu_result.runs if r.activation == "tanh" and r.seed == size.seeds[0])
    assert again.train_error == first.train_error and again.test_error == first.test_error


def _fake(ratios):
    size = relu_vs_tanh.SIZES["smoke"]
    result = relu_vs_tanh.ReluVsTanh("smoke", size)
    for seed, (relu, tanh) in enumerate(ratios):
        for name, errors in (("ReLU", relu), ("tanh", tanh)):
            result.runs.append(relu_vs_tanh.RunCurve(name, seed, errors, errors, 0.0))
    return result


def test_verdicts_follow_the_numbers():
    # Paired by seed: tanh needs 6, 5 and 7 epochs where ReLU needs 1: +5 epochs, 95 % ± 2.48.
    six = _fake([([0.2], [0.5] * k + [0.2]) for k in (5, 4, 6)])
    assert six.speedup() == 6 and six.verdict().startswith("ReLU reached 25% sooner (")
    assert "+5.00 epochs, 95 % interval [+2.52, +7.48] over 3 paired seeds" in six.verdict()
    same = _fake([([0.5, 0.2], [0.5, 0.2]), ([0.5, 0.2], [0.2]), ([0.2], [0.5, 0.2])])
    assert same.speedup() == 1 and same.verdict().startswith("no difference this run can show")
    none = _fake([([0.5], [0.5])])
    assert none.speedup() is None and "Neither" in none.verdict()
    tanh_only = _fake([([0.5], [0.2])])
    assert "opposite of the paper" in tanh_only.verdict()
    assert math.isnan(none.summary()[0]["epochs_to_25_mean"])


def test_figure1_net_shapes():
    for act in (nn.ReLU, nn.Tanh):
        net = relu_vs_tanh.figure1_net(act)
        assert net(torch.zeros(3, 1, 28, 28)).shape == (3, 10)
        assert sum(isinstance(m, act) for m in net) == 3


def test_every_relu_and_tanh_run_learned(relu_result):
    accuracies = {(r.activation, r.seed): 1 - r.test_error[-1] for r in relu_result.runs}
    assert_every_run_learned(accuracies)
