"""Lesson 07's experiment runs in the smoke profile and returns well-formed, paired results
(the numbers themselves are the notebook's business)."""

from __future__ import annotations

import math
from dataclasses import fields

import pytest
import torch
from learned import assert_every_run_learned

from alexnet_course.augment import CropAndFlip, StackedTenCrop
from alexnet_course.data import fashion_mnist
from alexnet_course.experiments import augmentation
from alexnet_course.loaders import batches
from alexnet_course.profiles import PROFILES


@pytest.fixture(scope="module")
def result():
    return augmentation.crop_and_flip("smoke", device="cpu")


def test_every_profile_has_a_size_and_smoke_is_smallest():
    assert set(augmentation.SIZES) == set(PROFILES)
    smoke, cpu = augmentation.SIZES["smoke"], augmentation.SIZES["cpu"]
    for f in fields(smoke):
        if f.name in ("train_samples", "test_samples", "epochs", "seeds"):
            assert getattr(smoke, f.name) <= getattr(cpu, f.name)
    for size in augmentation.SIZES.values():
        # the crop keeps about the paper's share of the side (224/256 = 0.875)
        assert abs(size.crop / size.stored - 224 / 256) < 0.02


def test_both_variants_start_from_the_same_weights_and_differ_only_in_the_input_layer():
    size = augmentation.SIZES["smoke"]
    plain = augmentation.augmented_model(size, False, seed=3)
    augmented = augmentation.augmented_model(size, True, seed=3)
    assert isinstance(plain[0], CropAndFlip) and not plain[0].augment and augmented[0].augment
    for a, b in zip(plain.state_dict().values(), augmented.state_dict().values()):
        assert torch.equal(a, b)
    assert all(m.p == 0 for m in plain.modules() if isinstance(m, torch.nn.Dropout))  # no dropout


def test_rows_are_paired_and_well_formed(result):
    size = augmentation.SIZES["smoke"]
    assert len(result.rows) == len(augmentation.VARIANTS) * size.seeds * size.epochs
    for row in result.rows:
        assert row["variant"] in augmentation.VARIANTS
        assert 0 <= row["train_top1"] <= 1 and 0 <= row["test_top1"] <= 1
        assert math.isclose(row["gap"], row["train_top1"] - row["test_top1"])
    final = result.final()
    assert len(final) == len(augmentation.VARIANTS) * size.seeds
    assert all(r["epoch"] == size.epochs and 0 <= r["tencrop_top1"] <= 1 for r in final)
    on, off = result.values("crop + flip", "gap"), result.values("centre crop", "gap")
    gaps = [a - b for a, b in zip(on, off)]
    assert result.gap_change().mean == pytest.approx(sum(gaps) / len(gaps))
    summary = {r["variant"]: r for r in result.summary()}
    assert summary["centre crop"]["seeds"] == size.seeds
    verdict = result.verdict()
    assert "train–test gap" in verdict and verdict.count("ten-crop vs centre-crop") == 2


def test_ten_crop_accuracy_counts_the_averaged_softmax():
    size = augmentation.SIZES["smoke"]
    model = augmentation.augmented_model(size, True, seed=0)
    data = fashion_mnist("test", samples=50)
    accuracy = augmentation.ten_crop_accuracy(model, data, size.stored, size.crop, batch_size=20)
    (x, y), = list(batches(data, 50, device=torch.device("cpu"), image_size=size.stored))
    net = model[1].eval()
    with torch.no_grad():
        probs = torch.stack([net(c).softmax(-1) for c in StackedTenCrop(size.crop)(x).unbind(1)]).mean(0)
    assert accuracy == pytest.approx((probs.argmax(1) == y).double().mean().item())


def test_cli_experiment_prints_the_verdict(result, monkeypatch, capsys):
    from alexnet_course import cli

    calls = []
    monkeypatch.setattr(augmentation, "crop_and_flip",
                        lambda prof, device, progress: calls.append(prof.name) or result)
    assert cli.main(["experiment", "augmentation", "--profile", "smoke", "--device", "cpu"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert calls == ["smoke"] and lines[0].startswith("experiment augmentation, profile smoke")
    assert lines[1:] == result.verdict().splitlines()


def test_every_variant_learned(result):
    assert_every_run_learned({(r["variant"], r["seed"], key): r[key] for r in result.final()
                              for key in ("test_top1", "tencrop_top1")})
