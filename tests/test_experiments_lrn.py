"""Lessons 03 and 04's experiments run in the smoke profile and return well-formed results."""


import pytest
import torch
from learned import assert_every_run_learned
from torch import nn

from alexnet_course.experiments import lrn
from alexnet_course.layers import LocalResponseNorm


@pytest.fixture(scope="module")
def norm_result():
    return lrn.lrn_ablation("smoke")


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


def test_every_normalization_run_learned(norm_result):
    accuracies = {(r.norm, r.seed): 1 - r.test_error[-1] for r in norm_result.runs}
    assert_every_run_learned(accuracies)
