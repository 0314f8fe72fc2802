"""Lesson 04's experiment: the normalization ablation in two input regimes runs in the smoke
profile, every net learns, its verdicts follow the paired interval, and the divisor spread it
reports is the one computed by hand."""

import math

import pytest
import torch
from learned import assert_every_run_learned
from torch import nn

from alexnet_course.data import FASHION_MNIST_MEAN, FASHION_MNIST_STD
from alexnet_course.experiments import lrn
from alexnet_course.layers import LocalResponseNorm, lrn_divisor
from alexnet_course.loaders import prepare_batch


@pytest.fixture(scope="module")
def norm_result():
    return lrn.lrn_ablation("smoke", device="cpu")


def test_lrn_ablation_is_well_formed(norm_result):
    seeds = lrn.SIZES["smoke"].seeds
    assert len(norm_result.rows) == len(lrn.REGIMES) * len(lrn.NORMS) * seeds
    for row in norm_result.rows:
        assert 0 <= row["test_top1_error"] <= 100 and 0 <= row["train_top1_error"] <= 100
        # two LRN layers (after conv1 and conv2) in the LRN nets, none elsewhere
        assert len(row["divisors"]) == (2 if row["norm"] == "LRN" else 0)
    assert [(r["regime"], r["norm"]) for r in norm_result.summary()] == [
        (regime, norm) for regime in lrn.REGIMES for norm in lrn.NORMS]
    verdicts = norm_result.verdicts()
    assert len(verdicts) == len(lrn.REGIMES) * 2
    for verdict, (regime, norm) in zip(verdicts, [(r, n) for r in lrn.REGIMES for n in lrn.NORMS[1:]]):
        assert verdict.startswith(lrn.REGIME_NAMES[regime]) and f"{norm} minus none" in verdict
        assert f"over {seeds} paired seeds" in verdict


def test_every_normalization_learned_in_both_regimes(norm_result):
    accuracies = {(r["regime"], r["norm"], r["seed"]): 1 - r["test_top1_error"] / 100
                  for r in norm_result.rows}
    assert_every_run_learned(accuracies)


def test_standardised_lrn_divides_by_a_constant_and_raw_does_not(norm_result):
    # On standardised inputs the trained nets' activations are a few units: α Σ a² ≪ k, so every
    # divisor stays within 1 % of k^β; on raw pixels most of conv1's divisors move above it.
    table = {(row["regime"], row["layer"]): row for row in norm_result.divisor_table()}
    assert len(table) == 4
    assert all(table["standardised", layer]["share > 1.01 k^β"] == 0
               for layer in ("LRN after conv1", "LRN after conv2"))
    assert table["raw", "LRN after conv1"]["largest ÷ k^β"] > 1.5


def fabricated(errors: dict) -> lrn.LRNAblation:
    """An ablation whose final test errors are ``errors[regime, norm]``, one per seed."""
    result = lrn.LRNAblation("cpu", lrn.SIZES["cpu"])
    for (regime, norm), values in errors.items():
        result.rows += [dict(regime=regime, norm=norm, seed=seed, test_top1_error=e, divisors=())
                        for seed, e in enumerate(values)]
    return result


def test_verdict_follows_the_paired_interval():
    result = fabricated({("raw", "none"): [20, 21, 19], ("raw", "LRN"): [10, 11, 9],
                         ("standardised", "none"): [20, 21, 19], ("standardised", "LRN"): [20, 30, 9]})
    # raw: LRN minus none is −10, −10, −10 points: no spread, the interval is the point.
    raw = result.verdict("raw", "LRN")
    assert raw.startswith("raw pixels (0–255 minus the mean): LRN lowered the test error "
                          "(LRN minus none, test top-1 error: −10.00 points, 95 % interval [−10.00, −10.00]")
    assert raw.endswith("paper, ImageNet: −1.4 top-1, −1.2 top-5 points.")
    # standardised: 0, +9, −10 points: the interval holds 0.
    assert "no difference this run can show" in result.verdict("standardised", "LRN")
    assert "paper" not in fabricated({("raw", "none"): [20, 21], ("raw", "batch norm"): [30, 32]}
                                     ).verdict("raw", "batch norm")
    assert result.verdict("raw", "batch norm").endswith("batch norm not measured.")


def test_verdict_refuses_when_the_baseline_did_not_learn():
    result = fabricated({("raw", "none"): [90, 89, 90], ("raw", "LRN"): [30, 31, 29]})
    assert "did not learn" in result.verdict("raw", "LRN")


def test_divisor_spread_by_hand():
    # Seven channels at one pixel, only channel 0 active (100). The paper's window of channel i
    # is i − 2 … i + 2, so channels 0, 1, 2 sum 100² and divide by (2 + 1e-4·10⁴)^0.75 = 3^0.75;
    # channels 3 … 6 sum 0 and divide by the floor 2^0.75. Relative to the floor: 1.5^0.75, three
    # times, and 1, four times; the median of the seven is the fourth smallest, 1.
    a = torch.zeros(1, 7, 1, 1)
    a[0, 0] = 100.0
    spread = lrn.divisor_spread(a)
    assert spread.smallest == pytest.approx(1.0)
    assert spread.median == pytest.approx(1.0)
    assert spread.largest == pytest.approx(1.5 ** 0.75)
    assert spread.share_moved == pytest.approx(3 / 7)


def test_divisor_spreads_are_measured_on_each_lrn_layers_own_input():
    # LRN(n=1, α=1, β=1, k=1) divides a by 1 + a²: 0 → 0 (÷ 1), 3 → 0.3 (÷ 10); times 2 gives
    # 0 and 0.6, which the second one divides by 1 and 1.36.
    model = nn.Sequential(LocalResponseNorm(1, 1.0, 1.0, 1.0), lrn.InputScale(2.0),
                          LocalResponseNorm(1, 1.0, 1.0, 1.0))
    first, second = lrn.lrn_divisor_spreads(model, torch.tensor([0.0, 3.0]).reshape(1, 1, 1, 2))
    assert (first.smallest, first.largest) == pytest.approx((1.0, 10.0))
    assert (second.smallest, second.largest) == pytest.approx((1.0, 1.36))
    assert first.median == pytest.approx(5.5) and first.share_moved == 0.5


def test_standardised_photo_map_leaves_the_divisor_at_its_floor():
    # Activations below 1 give α Σ a² ≤ 1e-4 · 5 = 5e-4 ≪ k = 2: the divisor is within
    # (1 + 2.5e-4)^0.75 of k^β everywhere, a constant scaling.
    a = lrn.conv1_like_activations(size=32) / 255
    assert a.max() < 1
    spread = lrn.divisor_spread(a[None])
    assert spread.share_moved == 0 and spread.largest < (1 + 2.5e-4) ** 0.75


def test_raw_regime_feeds_pixels_minus_the_mean():
    pixels = torch.arange(0, 256, 4, dtype=torch.uint8)[:49].reshape(1, 7, 7)
    raw = lrn.InputScale(lrn.REGIMES["raw"])(prepare_batch(pixels, 7))
    torch.testing.assert_close(raw[0, 0], pixels[0].float() - 255 * FASHION_MNIST_MEAN)
    assert lrn.REGIMES["raw"] == pytest.approx(255 * FASHION_MNIST_STD) and lrn.REGIMES["standardised"] == 1


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
    with pytest.raises(ValueError, match="regime must be"):
        lrn.normalized_alexnet("LRN", regime="imagenet")


def test_both_regimes_and_all_norms_of_a_seed_start_from_the_same_weights():
    weights = {}
    for regime in lrn.REGIMES:
        for norm in lrn.NORMS:
            torch.manual_seed(3)
            model = lrn.normalized_alexnet(norm, regime=regime)
            weights[regime, norm] = [m.weight for m in model.modules()
                                     if isinstance(m, (nn.Conv2d, nn.Linear))]
    first = weights["raw", "none"]
    for other in weights.values():
        assert len(other) == len(first) and all(torch.equal(a, b) for a, b in zip(first, other))
    raw = lrn.normalized_alexnet("none", regime="raw").features[0]
    assert isinstance(raw, lrn.InputScale) and math.isclose(raw.factor, 255 * FASHION_MNIST_STD)


def test_divisor_and_layer_agree_on_the_real_map():
    a = lrn.conv1_like_activations(size=32)[None]  # (1, 16, H, W): one image
    b = LocalResponseNorm()(a)
    torch.testing.assert_close(a / lrn_divisor(a), b)
    torch.testing.assert_close(b, torch.nn.LocalResponseNorm(5, alpha=5e-4, beta=0.75, k=2.0)(a))
    assert lrn_divisor(a).min() >= 2 ** 0.75 - 1e-6
