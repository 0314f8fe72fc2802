"""Lessons 03 and 04's experiments run in the smoke profile and return well-formed results."""

import math

import pytest
import torch
from torch import nn

from alexnet_course.experiments import lrn, relu_vs_tanh
from alexnet_course.layers import LocalResponseNorm


@pytest.fixture(scope="module")
def relu_result():
    return relu_vs_tanh.relu_vs_tanh("smoke")


@pytest.fixture(scope="module")
def norm_result():
    return lrn.lrn_ablation("smoke")


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


def test_lrn_ablation_is_well_formed(norm_result):
    size = lrn.SIZES["smoke"]
    assert len(norm_result.runs) == len(lrn.NORMS) * len(size.seeds)
    for run in norm_result.runs:
        assert len(run.train_error) == len(run.test_error) == size.epochs
        assert all(0 <= e <= 1 for e in run.train_error + run.test_error)
    summary = {row["norm"]: row for row in norm_result.summary()}
    assert set(summary) == set(lrn.NORMS) and summary["none"]["change_vs_none"] == 0
    for norm in lrn.NORMS[1:]:
        assert norm in norm_result.verdict(norm)
    assert len(norm_result.rows()) == len(norm_result.runs) * size.epochs


def test_ablation_verdict_follows_the_paired_interval():
    size = lrn.SIZES["cpu"]
    result = lrn.NormAblation("cpu", size)
    for seed, (none, with_lrn) in enumerate([(0.20, 0.10), (0.21, 0.11), (0.19, 0.09)]):
        result.runs += [lrn.NormRun("none", seed, [0.3], [none], 0),
                        lrn.NormRun("LRN", seed, [0.3], [with_lrn], 0)]
    # LRN minus none, per seed: −10, −10, −10 points: no spread, the interval is the point.
    assert "LRN lowered the test error (LRN minus none: −10.00 points" in result.verdict("LRN")
    result.runs[1].test_error = [0.20]
    result.runs[3].test_error = [0.30]  # now −0, +9, −10 points: the interval holds 0
    assert "no difference this run can show" in result.verdict("LRN")


def test_normalized_alexnet_places_each_norm_where_the_paper_put_lrn():
    for norm, kind in (("LRN", LocalResponseNorm), ("batch norm", nn.BatchNorm2d)):
        model = lrn.normalized_alexnet(norm)
        layers = list(model.features)
        positions = [i for i, m in enumerate(layers) if isinstance(m, kind)]
        assert len(positions) == 2
        assert all(isinstance(layers[i - 1], nn.ReLU) for i in positions)
        if kind is nn.BatchNorm2d:
            convs = [m for m in layers if isinstance(m, nn.Conv2d)]
            assert ([layers[i].num_features for i in positions]
                    == [convs[0].out_channels, convs[1].out_channels])
    assert not any(isinstance(m, (LocalResponseNorm, nn.BatchNorm2d))
                   for m in lrn.normalized_alexnet("none").modules())
    with pytest.raises(ValueError, match="norm must be"):
        lrn.normalized_alexnet("layer norm")


def test_divisor_and_layer_agree_on_the_real_map():
    a = lrn.conv1_like_activations(size=32)[None]  # (1, 16, H, W): one image
    b = LocalResponseNorm()(a)
    torch.testing.assert_close(a / lrn.lrn_divisor(a), b)
    torch.testing.assert_close(b, torch.nn.LocalResponseNorm(5, alpha=5e-4, beta=0.75, k=2.0)(a))
    assert lrn.lrn_divisor(a).min() >= 2 ** 0.75 - 1e-6


def test_ablation_verdict_refuses_when_the_baseline_did_not_learn():
    result = lrn.NormAblation("cpu", lrn.SIZES["cpu"])
    for seed in range(3):
        result.runs += [lrn.NormRun("none", seed, [0.9], [0.9], 0), lrn.NormRun("LRN", seed, [0.9], [0.9], 0)]
    assert "did not learn" in result.verdict("LRN")


# Ten classes: guessing scores 10 % top-1. A trained variant must clear it by 10 points on the
# smoke budget's 200 test images (where chance has a spread of about 2 points), or the
# experiment measures nothing.
CHANCE, MARGIN = 0.10, 0.10


def test_every_relu_and_tanh_run_learned(relu_result):
    accuracies = {(r.activation, r.seed): 1 - r.test_error[-1] for r in relu_result.runs}
    assert all(a >= CHANCE + MARGIN for a in accuracies.values()), accuracies


def test_every_normalization_run_learned(norm_result):
    accuracies = {(r.norm, r.seed): 1 - r.test_error[-1] for r in norm_result.runs}
    assert all(a >= CHANCE + MARGIN for a in accuracies.values()), accuracies
