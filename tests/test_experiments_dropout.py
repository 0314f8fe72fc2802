"""Lesson 06's experiment: the smoke run is well formed and every variant learns; the
placements are where the paper and torchvision put them; the geometric mean is the one the
paper means; the verdicts follow the intervals."""

from __future__ import annotations

import itertools
import math

import pytest
import torch
from learned import assert_every_run_learned
from torch import nn

from alexnet_course.data import fashion_mnist
from alexnet_course.experiments import dropout
from alexnet_course.experiments.common import fashion_splits
from alexnet_course.layers import Dropout

SMOKE = dropout.SIZES["smoke"]


@pytest.fixture(scope="module")
def drop_result():
    return dropout.overfitting("smoke", device="cpu")


def test_rows_are_well_formed(drop_result):
    scored = sorted({e for e in range(1, SMOKE.epochs + 1) if e % SMOKE.score_every == 0}
                    | {SMOKE.early_epoch, SMOKE.epochs})
    assert len(drop_result.rows) == len(dropout.PLACEMENTS) * SMOKE.seeds * len(scored)
    assert sorted({r["epoch"] for r in drop_result.rows}) == scored
    for row in drop_result.rows:
        assert 0.0 <= row["train_top1"] <= 1.0 and 0.0 <= row["test_top1"] <= 1.0
        assert math.isclose(row["gap"], row["train_top1"] - row["test_top1"])
    assert [r["variant"] for r in drop_result.summary()] == list(dropout.PLACEMENTS)
    # the trained networks use the course's Dropout, where their placement puts it
    for (variant, _), model in drop_result.models.items():
        assert not any(isinstance(m, nn.Dropout) for m in model.modules())
        assert (variant == "none") == (not any(isinstance(m, Dropout) for m in model.modules()))


def test_every_dropout_run_learned(drop_result):
    accuracies = {(r["variant"], r["seed"]): r["test_top1"] for r in drop_result.rows
                  if r["epoch"] == SMOKE.epochs}
    assert len(accuracies) == len(dropout.PLACEMENTS) * SMOKE.seeds
    assert_every_run_learned(accuracies)


def test_ensembles_are_well_formed(drop_result):
    assert sorted((e["variant"], e["seed"]) for e in drop_result.ensembles) == sorted(
        itertools.product(("paper", "torchvision"), range(SMOKE.seeds)))
    for ens in drop_result.ensembles:
        assert [r["passes"] for r in ens["rows"]] == sorted(SMOKE.passes)
        for row in ens["rows"]:
            for mean in ("geometric", "arithmetic"):
                assert 0.0 <= row[f"{mean}_top1"] <= 1.0 and row[f"{mean}_nll"] > 0
                assert row[f"{mean}_kl"] >= 0 and 0.0 <= row[f"{mean}_agree"] <= 1.0
        one = ens["rows"][0]  # T = 1: both means are that pass's softmax
        assert one["passes"] == 1 and math.isclose(one["geometric_nll"], one["arithmetic_nll"], rel_tol=1e-5)
    assert len(drop_result.verdicts()) == 6 + 6 + 2 + 6


def test_placements_sit_where_the_paper_and_torchvision_put_them():
    # Caffe's bvlc_alexnet: fc6 → relu6 → drop6 → fc7 → relu7 → drop7 → fc8 (dropout on the
    # outputs of fc6 and fc7); torchvision: Dropout → fc6 → ReLU → Dropout → fc7 → ReLU → fc8.
    layouts = {"none": ["Linear", "ReLU", "Linear", "ReLU", "Linear"],
               "paper": ["Linear", "ReLU", "Dropout", "Linear", "ReLU", "Dropout", "Linear"],
               "torchvision": ["Dropout", "Linear", "ReLU", "Dropout", "Linear", "ReLU", "Linear"]}
    fed = {"none": [], "paper": ["fc7", "fc8"], "torchvision": ["fc6", "fc7"]}
    for variant, layout in layouts.items():
        model = dropout.build_variant(variant, SMOKE)
        assert [type(m).__name__ for m in model.classifier] == layout
        assert all(m.p == SMOKE.p for m in model.classifier if isinstance(m, Dropout))
        assert dropout.dropped_inputs(model) == fed[variant]
        assert dropout.placement_config(variant, SMOKE).dropout_after == (variant == "paper")


def test_placements_draw_the_same_initial_weights():
    weights = {}
    for variant in dropout.PLACEMENTS:
        torch.manual_seed(3)
        model = dropout.build_variant(variant, SMOKE)
        weights[variant] = [m.weight for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    for variant in ("paper", "torchvision"):
        assert all(torch.equal(a, b) for a, b in zip(weights["none"], weights[variant]))


def test_geometric_mean_by_hand():
    p1, p2 = [0.7, 0.2, 0.1], [0.4, 0.4, 0.2]
    products = [math.sqrt(a * b) for a, b in zip(p1, p2)]  # the geometric mean of each class
    expected = [g / sum(products) for g in products]  # renormalised
    log_probs = torch.tensor([[p1], [p2]], dtype=torch.float64).log()  # (T=2, N=1, C=3)
    assert dropout.geometric_mean(log_probs).exp()[0].tolist() == pytest.approx(expected, rel=1e-12)
    arithmetic = [(a + b) / 2 for a, b in zip(p1, p2)]
    assert dropout.arithmetic_mean(log_probs).exp()[0].tolist() == pytest.approx(arithmetic, rel=1e-12)
    # one pass: both means are that pass's softmax
    logits = torch.randn(1, 5, 4, generator=torch.Generator().manual_seed(0))
    one = logits.log_softmax(-1)
    assert torch.allclose(dropout.geometric_mean(one), one[0], atol=1e-6)
    assert torch.allclose(dropout.arithmetic_mean(one), one[0], atol=1e-6)
    # and the normalised geometric mean of softmaxes is the softmax of the mean logits
    logits = torch.randn(6, 5, 4, generator=torch.Generator().manual_seed(1))
    mean_logits = logits.mean(0).log_softmax(-1)
    assert torch.allclose(dropout.geometric_mean(logits.log_softmax(-1)), mean_logits, atol=1e-6)


def test_for_a_last_linear_layer_the_geometric_mean_over_all_masks_is_the_one_pass():
    # Dropout on the input of a linear-softmax layer: the logits are linear in the mask and
    # E[mask / (1 − p)] = 1, so the mean logits over all 2^4 masks are the deterministic ones,
    # and so is the normalised geometric mean; the arithmetic mean is not.
    torch.manual_seed(0)
    layer, x = nn.Linear(4, 3).double(), torch.randn(2, 4, dtype=torch.float64) * 3
    masks = torch.tensor(list(itertools.product((0.0, 1.0), repeat=4)), dtype=torch.float64)
    log_probs = torch.stack([layer(x * m / 0.5).log_softmax(-1) for m in masks])
    deterministic = layer(x).log_softmax(-1)
    assert torch.allclose(dropout.geometric_mean(log_probs), deterministic, atol=1e-12)
    assert dropout.kl_divergence(dropout.arithmetic_mean(log_probs), deterministic) > 1e-3


def test_ensemble_of_a_net_without_dropout_is_its_deterministic_pass():
    torch.manual_seed(0)
    model = dropout.build_variant("none", SMOKE)
    test = fashion_mnist("test", "smoke", samples=50)
    torch.manual_seed(5)
    expected = torch.rand(3)
    torch.manual_seed(5)
    ens = dropout.ensemble(model, test, (1, 3), image_size=SMOKE.image_size, device="cpu")
    assert torch.equal(torch.rand(3), expected)  # the caller's random stream is untouched
    for row in ens["rows"]:
        for mean in ("geometric", "arithmetic"):
            assert math.isclose(row[f"{mean}_top1"], ens["deterministic"]["top1"])
            assert row[f"{mean}_agree"] == 1.0 and abs(row[f"{mean}_kl"]) < 1e-6
    assert not model.training


def test_ensemble_leaves_the_dropout_layers_off():
    torch.manual_seed(0)
    model = dropout.build_variant("paper", SMOKE)
    dropout.ensemble(model, fashion_mnist("test", "smoke", samples=20), (2,), image_size=SMOKE.image_size,
                     device="cpu")
    assert not any(m.training for m in model.modules())


def test_a_run_read_after_k_epochs_is_the_k_epoch_run():
    # the early-epoch regime reads the long runs early: at a constant rate that is the short run
    size = SMOKE.replace(train_samples=100, test_samples=50, epochs=3, score_every=1)
    train, test = fashion_splits("smoke", size.train_samples, size.test_samples)
    runs = []
    for epochs in (2, 3):
        torch.manual_seed(0)
        runs.append(dropout.train_and_score(dropout.build_variant("paper", size), train, test,
                                            size.replace(epochs=epochs), seed=0, device="cpu"))
    keys = ("train_top1", "test_top1", "train_loss", "test_loss")
    assert [[r[k] for k in keys] for r in runs[0]] == [[r[k] for k in keys] for r in runs[1][:2]]


def test_with_course_dropout_swaps_every_dropout():
    model = dropout.with_course_dropout(nn.Sequential(nn.Dropout(0.3), nn.Sequential(nn.Dropout(0.2))))
    assert [type(m).__name__ for m in model.modules()][1:] == ["Dropout", "Sequential", "Dropout"]
    assert all(isinstance(m, Dropout) for m in (model[0], model[1][0]))
    assert (model[0].p, model[1][0].p) == (0.3, 0.2)


def _fabricated(seeds: int = 5) -> dropout.DropoutResult:
    """Paper's placement: +3 points of test accuracy at the end (±0.5 across seeds), gap −10,
    test loss −0.3; torchvision's: test accuracy unchanged up to noise; early on both 5 points lower."""
    size = SMOKE.replace(seeds=seeds, epochs=10, early_epoch=2, passes=(1, 4))
    result = dropout.DropoutResult("smoke", size)
    wiggle = [0.005, -0.005, 0.0, 0.004, -0.004][:seeds]
    for seed, w in enumerate(wiggle):
        for epoch in (2, 10):
            late = epoch == 10
            test = {"none": 0.70, "paper": 0.73 + w if late else 0.65 + w,
                    "torchvision": 0.70 + 4 * w if late else 0.65 - w}
            train = {"none": 1.0 if late else 0.75, "paper": 0.93 if late else 0.70,
                     "torchvision": 0.95 if late else 0.70}
            loss = {"none": 1.2 if late else 1.0, "paper": 0.9 + w if late else 1.3 + w, "torchvision": 1.0}
            for v in dropout.PLACEMENTS:
                result.rows.append({"variant": v, "seed": seed, "epoch": epoch, "train_top1": train[v],
                                    "test_top1": test[v], "gap": train[v] - test[v], "test_loss": loss[v]})
        for v in ("paper", "torchvision"):
            rows = [{"passes": t, "geometric_top1": 0.72, "arithmetic_top1": 0.72, "geometric_nll": 0.80,
                     "arithmetic_nll": 0.81, "geometric_kl": 0.001 + w / 10, "arithmetic_kl": 0.004,
                     "geometric_agree": 0.99, "arithmetic_agree": 0.98} for t in (1, 4)]
            result.ensembles.append({"variant": v, "seed": seed, "rows": rows,
                                     "deterministic": {"top1": 0.72 + w, "nll": 0.78 + w / 10}})
    return result


def test_verdicts_follow_the_intervals_of_fabricated_results():
    result = _fabricated()
    final, early = result.overfitting_verdicts(), result.early_verdicts()
    assert final[0].startswith("dropout on fc6's and fc7's outputs (paper, Caffe) raised test accuracy")
    assert "+3.00 points" in final[0] and "over 5 paired seeds" in final[0] and "95 % interval" in final[0]
    assert final[1].startswith("dropout on fc6's and fc7's outputs (paper, Caffe) narrowed the gap")
    assert final[2].startswith("dropout on fc6's and fc7's outputs (paper, Caffe) lowered the test loss")
    assert "test NLL: −0.30 nats" in final[2]
    assert final[3].startswith("no difference this run can show (torchvision placement minus none after 10")
    assert len(final) == len(early) == 6
    assert early[0].startswith("dropout on fc6's and fc7's outputs (paper, Caffe) lowered test accuracy")
    assert "after 2 epochs" in early[0] and early[2].startswith(
        "dropout on fc6's and fc7's outputs (paper, Caffe) raised the test loss")
    assert result.placement_verdicts()[0].startswith("dropping the outputs gave the higher test accuracy")
    ens = result.ensemble_verdicts()
    assert ens[0].startswith("no difference this run can show (paper placement, one deterministic pass")
    assert ens[1].startswith("the one pass had the lower NLL") and "−20.00 × 10⁻³ nats" in ens[1]
    assert ens[2].startswith("the one pass was nearer the geometric mean")
    assert result.verdicts() == final + early + result.placement_verdicts() + ens


def test_first_epoch_reaching_a_training_accuracy():
    result = _fabricated()
    assert result.first_epoch_reaching("none", 95) == 10 and result.first_epoch_reaching("none", 75) == 2
    assert result.first_epoch_reaching("paper", 95) is None


def test_one_seed_gives_no_verdict():
    assert all(v.startswith("one seed cannot tell") for v in _fabricated(seeds=1).verdicts())
