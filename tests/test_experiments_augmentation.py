"""Lesson 07's experiment runs in the smoke profile and returns well-formed, paired results;
its verdicts follow the 95 % intervals of fabricated results (the measured numbers themselves
are the notebook's business)."""

from __future__ import annotations

import pytest
import torch
from learned import assert_every_run_learned

from alexnet_course.augment import CentreCrop, CropAndFlip, StackedTenCrop
from alexnet_course.data import fashion_mnist
from alexnet_course.experiments import augmentation
from alexnet_course.experiments.augmentation import REGIMES, SIZES, VARIANTS, AugmentationResult
from alexnet_course.loaders import batches
from alexnet_course.train import fit, recipe


@pytest.fixture(scope="module")
def result():
    return augmentation.crop_and_flip("smoke", device="cpu")


def test_every_profile_crops_the_picture_out_of_a_one_pixel_margin():
    for size in SIZES.values():
        assert size.crop == 28 and size.stored == 30  # the centre crop is the 28×28 picture itself
        assert size.short_epochs < size.epochs
    smoke, cpu = SIZES["smoke"], SIZES["cpu"]
    assert smoke.short_epochs <= cpu.short_epochs and smoke.tencrop_samples <= cpu.tencrop_samples


def test_the_centre_crop_of_the_stored_image_is_the_picture():
    pictures = fashion_mnist("test", samples=20).images
    stored = augmentation.on_canvas(pictures, 30)
    assert stored.shape == (20, 30, 30)
    assert torch.equal(CentreCrop(28)(stored[:, None])[:, 0], pictures)
    # the margin is black: everything outside the picture is 0
    assert stored.sum() == pictures.sum()
    with pytest.raises(ValueError, match="cannot be centred"):
        augmentation.on_canvas(pictures, 31)


def test_both_variants_start_from_the_same_weights_and_differ_only_in_the_input_layer():
    size = SIZES["smoke"]
    torch.manual_seed(3)
    plain = augmentation.augmented_model(size, False, seed=3)
    torch.manual_seed(3)
    augmented = augmentation.augmented_model(size, True, seed=3)
    assert isinstance(plain[0], CropAndFlip) and not plain[0].augment and augmented[0].augment
    for a, b in zip(plain.state_dict().values(), augmented.state_dict().values()):
        assert torch.equal(a, b)
    assert all(m.p == 0 for m in plain.modules() if isinstance(m, torch.nn.Dropout))  # no dropout


def test_training_without_testing_ends_where_fit_ends():
    size = SIZES["smoke"]
    train = augmentation._stored(fashion_mnist("train", samples=50), size.stored)
    config = recipe("modern", optimizer="adamw", epochs=3, batch_size=10, lr=size.lr,
                    weight_decay=0.0, label_smoothing=0.0, seed=1)
    models = []
    for _ in range(2):
        torch.manual_seed(1)
        models.append(augmentation.augmented_model(size, True, seed=1))
    losses = augmentation.train_without_testing(models[0], train, config, size.stored, "cpu")
    history = fit(models[1], train, train, config, image_size=size.stored, device="cpu", progress=False)
    assert losses == pytest.approx([row["train_loss"] for row in history.epochs])
    for a, b in zip(models[0].state_dict().values(), models[1].state_dict().values()):
        assert torch.equal(a, b)


def test_rows_are_paired_and_well_formed(result):
    size = SIZES["smoke"]
    assert len(result.rows) == len(REGIMES) * len(VARIANTS) * size.seeds
    for row in result.rows:
        assert 0 <= row["train_top1"] <= 1 and 0 <= row["test_top1"] <= 1
        assert row["gap"] == pytest.approx(row["train_top1"] - row["test_top1"])
        assert len(row["losses"]) == getattr(size, REGIMES[row["regime"]])
        assert ("tencrop_top1" in row) == (row["regime"] == "long")
    on = result.values("test_top1", "long", "crop + flip")
    off = result.values("test_top1", "long", "centre crop")
    assert result.effect("long").differences == pytest.approx(tuple(a - b for a, b in zip(on, off)))
    assert len(result.summary()) == len(REGIMES) * len(VARIANTS)


def test_ten_crop_accuracy_counts_the_averaged_softmax():
    size = SIZES["smoke"]
    model = augmentation.augmented_model(size, True, seed=0)
    data = augmentation._stored(fashion_mnist("test", samples=50), size.stored)
    accuracy = augmentation.ten_crop_accuracy(model, data, size.stored, size.crop, batch_size=20)
    (x, y), = list(batches(data, 50, device=torch.device("cpu"), image_size=size.stored))
    net = model[-1].eval()
    with torch.no_grad():
        probs = torch.stack([net(c).softmax(-1) for c in StackedTenCrop(size.crop)(x).unbind(1)]).mean(0)
    assert accuracy == pytest.approx((probs.argmax(1) == y).double().mean().item())


def test_colour_pca_is_refused_on_grey_images_and_fitted_on_colour_ones():
    grey = augmentation.colour_pca_verdict(fashion_mnist("test", samples=10).images)
    assert grey.startswith("PCA colour augmentation does not apply") and "got 1" in grey
    colour = torch.rand(2, 3, 4, 4)
    assert augmentation.colour_pca_verdict(colour).startswith("PCA colour augmentation applies")


def test_cli_experiment_prints_the_verdicts(result, monkeypatch, capsys):
    from alexnet_course import cli

    calls = []
    monkeypatch.setattr(augmentation, "crop_and_flip",
                        lambda prof, device, progress: calls.append(prof.name) or result)
    assert cli.main(["experiment", "augmentation", "--profile", "smoke", "--device", "cpu"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert calls == ["smoke"] and lines[0].startswith("experiment augmentation, profile smoke")
    assert lines[1:] == result.verdicts()


def test_every_variant_learned(result):
    assert_every_run_learned({(r["regime"], r["variant"], r["seed"], key): r[key] for r in result.rows
                              for key in ("test_top1", "tencrop_top1") if key in r})


def _fabricated(long_gain, short_gain, tencrop_gain) -> AugmentationResult:
    """Five seeds: crop + flip adds ``long_gain[seed]`` / ``short_gain[seed]`` points of test
    accuracy; ten crops add ``tencrop_gain[variant][seed]`` over the centre crop."""
    r = AugmentationResult("cpu", SIZES["cpu"], colour="no colour here")
    for seed in range(5):
        for regime, gains in (("long", long_gain), ("short", short_gain)):
            for variant in VARIANTS:
                test = 0.70 + (gains[seed] / 100 if variant == "crop + flip" else 0)
                row = {"regime": regime, "variant": variant, "seed": seed, "losses": [1.0],
                       "train_top1": 0.99, "test_top1": test, "gap": 0.99 - test}
                if regime == "long":
                    row["centre_on_tencrop_set"] = test
                    row["tencrop_top1"] = test + tencrop_gain[variant][seed] / 100
                r.rows.append(row)
    return r


def test_verdicts_follow_the_intervals():
    r = _fabricated(long_gain=[2.0, 2.5, 1.5, 2.2, 1.8], short_gain=[-3.0, 2.0, -1.0, 1.0, -4.0],
                    tencrop_gain={"centre crop": [-3.0, -2.0, -4.0, -3.5, -2.5],
                                  "crop + flip": [0.5, 1.0, 0.5, 1.5, 1.0]})
    long, short, plain, augmented, colour = r.verdicts()
    cpu = SIZES["cpu"]
    assert long.startswith(f"{cpu.train_samples} images × {cpu.epochs} epochs: crop + flip raised test")
    assert "+2.00 points" in long and "it narrowed the train–test gap" in long
    assert short.startswith(f"{cpu.train_samples} images × {cpu.short_epochs} epochs: no difference this run")
    assert "trained on centre crop: ten crops scored lower" in plain
    assert "trained on crop + flip: ten crops scored higher" in augmented
    assert colour == "no colour here"
    for line in (long, short, plain, augmented):
        assert "95 % interval" in line and "over 5 paired seeds" in line
    worse = _fabricated(long_gain=[-2.0, -2.5, -1.5, -2.2, -1.8], short_gain=[0.0] * 5,
                        tencrop_gain={v: [0.0] * 5 for v in VARIANTS}).verdicts()[0]
    assert "crop + flip lowered test accuracy" in worse and "it widened the train–test gap" in worse


def test_the_figure_draws_every_seed_and_every_paired_difference():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from alexnet_course.plots.augmentation import plot_augmentation

    r = _fabricated(long_gain=[2.0, 2.5, 1.5, 2.2, 1.8], short_gain=[-3.0, 2.0, -1.0, 1.0, -4.0],
                    tencrop_gain={v: [1.0, 0.0, 2.0, 1.0, 1.0] for v in VARIANTS})
    fig = plot_augmentation(r)
    try:
        _, middle, right = fig.axes
        points = [y for line in middle.lines if line.get_marker() == "o" for y in line.get_ydata()]
        assert sorted(points) == pytest.approx(sorted(100 * row["test_top1"] for row in r.rows))
        means = [line.get_xdata()[0] for line in right.lines if line.get_marker() == "o"]
        expected = ([r.effect(regime).mean for regime in REGIMES]
                    + [r.tencrop_change(v).mean for v in VARIANTS])
        assert means == pytest.approx(expected)
    finally:
        plt.close(fig)
