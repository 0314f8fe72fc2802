"""Lesson 07's measurement: random crops and mirrors against over-fitting, and ten-crop
testing, on Fashion-MNIST at the small AlexNet's scale.

The paper stores every image at 256×256 and trains on random 224×224 crops and their
mirrors; without this, it says (§4.1), the network "suffers from substantial overfitting".
The analogue here: each 28×28 image is resized to ``stored`` = 36 pixels a side and the
network sees ``crop`` = 32 (32/36 = 0.89 of the side, the paper's 224/256 = 0.875). Two
networks per seed, identical but for the input layer (:class:`~alexnet_course.augment.CropAndFlip`):

- ``centre crop``: always the central 32×32 window (no augmentation);
- ``crop + flip``: a random 32×32 window and a coin-flip mirror per image per step.

Both are tested on the centre crop (same scale as training) and on the average of the
ten crops. Nothing else regularises: no dropout, no weight decay, a constant learning rate
on a small training subset, so that the network can over-fit.

>>> SIZES["cpu"].stored, SIZES["cpu"].crop
(36, 32)
>>> crop_count(36, 32)  # distinct training views of one image: 5 positions per axis, 2 mirrors
50
"""

from __future__ import annotations

import math
import statistics
import time
from dataclasses import dataclass, field, replace

import torch
from torch import nn

from ..augment import CropAndFlip, crop_count, ten_crop_predict
from ..loaders import batches
from ..models.alexnet import SMALL, build_alexnet
from ..profiles import Profile
from ..train import evaluate, fit, recipe
from .common import PairedEffect, budget, fashion_splits, paired_effect, seeded_jobs

__all__ = ["AugmentationSize", "SIZES", "VARIANTS", "AugmentationResult", "augmented_model",
           "crop_count", "crop_and_flip", "ten_crop_accuracy"]

# name → does the input layer augment in training?
VARIANTS = {"centre crop": False, "crop + flip": True}


@dataclass(frozen=True)
class AugmentationSize:
    """How big the augmentation experiment is in one profile."""

    train_samples: int  # a small training subset, so that the network can over-fit
    test_samples: int
    epochs: int  # passes at a constant learning rate
    seeds: int  # paired runs per variant
    batch_size: int
    lr: float  # constant AdamW learning rate (no weight decay, no label smoothing)
    widths: tuple[int, int, int, int, int]  # conv widths of the small AlexNet used
    hidden: int  # width of fc6 and fc7
    stored: int = 36  # side the 28×28 images are resized to (the paper's 256)
    crop: int = 32  # side the network sees (the paper's 224)


SIZES = {
    "smoke": AugmentationSize(500, 200, 3, 2, 50, 2e-3, (8, 16, 24, 24, 16), 64),
    # Narrow convolutions for speed; enough epochs on 1,000 images for the network without
    # augmentation to pull clearly ahead on its training images (about 6 minutes on 2 cores).
    "cpu": AugmentationSize(1000, 1000, 24, 5, 50, 2e-3, (8, 16, 24, 24, 16), 256),
    "gpu": AugmentationSize(5000, 10_000, 60, 5, 50, 2e-3, SMALL.widths, SMALL.hidden),
}


def augmented_model(size: AugmentationSize, augment: bool, seed: int) -> nn.Sequential:
    """The input layer (random crop + mirror, or centre crop) in front of a small AlexNet
    without dropout; the layer's generator is seeded by ``seed``, as is the network."""
    torch.manual_seed(seed)
    net = build_alexnet(replace(SMALL, widths=size.widths, hidden=size.hidden), dropout=0.0)
    generator = torch.Generator().manual_seed(seed)
    return nn.Sequential(CropAndFlip(size.crop, augment, generator), net)


@torch.inference_mode()
def ten_crop_accuracy(model: nn.Sequential, data, image_size: int, crop: int,
                      batch_size: int = 500) -> float:
    """Top-1 accuracy of the network behind ``model``'s input layer when its softmax is
    averaged over the ten ``crop`` crops of each ``image_size`` test image."""
    net = model[1]
    device = next(net.parameters()).device
    correct = total = 0
    for x, y in batches(data, batch_size, device=device, image_size=image_size):
        probs = ten_crop_predict(net, x, crop)
        correct += (probs.argmax(1) == y).sum().item()
        total += len(y)
    return correct / total


@dataclass
class AugmentationResult:
    """Per-epoch rows for every (variant, seed); ``final`` adds the ten-crop score."""

    profile: str
    size: AugmentationSize
    rows: list[dict] = field(default_factory=list)

    def final(self) -> list[dict]:
        """The last epoch of every run (the rows that carry ``tencrop_top1``)."""
        return [r for r in self.rows if "tencrop_top1" in r]

    def values(self, variant: str, key: str) -> list[float]:
        """``key`` (in %) at the last epoch for every seed of ``variant``, seed order."""
        runs = sorted((r for r in self.final() if r["variant"] == variant), key=lambda r: r["seed"])
        return [100 * r[key] for r in runs]

    def summary(self) -> list[dict]:
        """Per variant: mean and sample std over seeds of final train, test (centre and
        ten-crop) accuracy and the train − test gap, in %."""
        out = []
        for variant in VARIANTS:
            row = {"variant": variant, "seeds": len(self.values(variant, "gap"))}
            for key in ("train_top1", "test_top1", "tencrop_top1", "gap"):
                v = self.values(variant, key)
                row[key], row[f"{key}_std"] = statistics.fmean(v), _std(v)
            out.append(row)
        return out

    def gap_change(self) -> PairedEffect:
        """Paired per seed: gap with crop + flip minus gap without, in points."""
        return paired_effect(self.values("crop + flip", "gap"), self.values("centre crop", "gap"))

    def test_change(self) -> PairedEffect:
        """Paired per seed: centre-crop test accuracy with crop + flip minus without."""
        return paired_effect(self.values("crop + flip", "test_top1"),
                             self.values("centre crop", "test_top1"))

    def tencrop_change(self, variant: str) -> PairedEffect:
        """Paired per seed: ten-crop minus centre-crop test accuracy of ``variant``."""
        return paired_effect(self.values(variant, "tencrop_top1"), self.values(variant, "test_top1"))

    def verdict(self) -> str:
        """What the numbers allow one to say, each difference paired by seed and called
        real only when its 95 % interval excludes zero."""
        rows = {r["variant"]: r for r in self.summary()}
        off, on = rows["centre crop"], rows["crop + flip"]
        gap = self.gap_change().reading("with minus without", "crop + flip widened the gap",
                                        "crop + flip narrowed the gap")
        test = self.test_change().reading("with minus without", "crop + flip raised test accuracy",
                                          "crop + flip lowered test accuracy")
        lines = [
            f"train–test gap: {_pm(off, 'gap')} points without augmentation, {_pm(on, 'gap')} "
            f"with crop + flip → {gap}",
            f"centre-crop test accuracy: {_pm(off, 'test_top1')}% without, {_pm(on, 'test_top1')}% "
            f"with → {test}",
        ]
        for variant in VARIANTS:
            reading = self.tencrop_change(variant).reading(
                "ten-crop minus centre crop", "ten crops scored higher", "ten crops scored lower")
            lines.append(f"ten-crop vs centre-crop test accuracy ({variant}): "
                         f"{_pm(rows[variant], 'tencrop_top1')}% vs {_pm(rows[variant], 'test_top1')}% "
                         f"→ {reading}")
        return "\n".join(lines)

    def verdicts(self) -> list[str]:
        return [self.verdict()]


def _std(values: list[float]) -> float:
    return statistics.stdev(values) if len(values) > 1 else math.nan


def _pm(row: dict, key: str) -> str:
    spread = "" if math.isnan(row[f"{key}_std"]) else f" ± {row[f'{key}_std']:.1f}"
    return f"{row[key]:.1f}{spread}"


def crop_and_flip(profile: str | Profile | None = None, device=None,
                  progress: bool = False) -> AugmentationResult:
    """Train both variants for every seed; after every epoch score the training subset
    (eval mode: centre crop) and, after the last, the ten-crop test accuracy."""
    prof, size = budget(profile, SIZES)
    train_data, test_data = fashion_splits(prof, size.train_samples, size.test_samples)
    result = AugmentationResult(prof.name, size)
    for seed, variant in seeded_jobs(range(size.seeds), VARIANTS, progress):
        model = augmented_model(size, VARIANTS[variant], seed)
        # AdamW at a constant rate without weight decay: only the input layer differs.
        config = recipe("modern", optimizer="adamw", epochs=size.epochs, batch_size=size.batch_size,
                        lr=size.lr, schedule="constant", weight_decay=0.0, label_smoothing=0.0,
                        seed=seed)
        scored = {}

        def score_train(history, model=model):
            model_device = next(model.parameters()).device
            train_batches = batches(train_data, 500, device=model_device, image_size=size.stored)
            scored[history.last("epoch")] = evaluate(model, train_batches)["top1"]

        began = time.perf_counter()
        history = fit(model, train_data, test_data, config, image_size=size.stored, device=device,
                      progress=False, on_epoch=score_train)
        seconds = time.perf_counter() - began
        for row in history.epochs:
            result.rows.append({
                "variant": variant, "seed": seed, "epoch": row["epoch"],
                "train_top1": scored[row["epoch"]], "test_top1": row["test_top1"],
                "gap": scored[row["epoch"]] - row["test_top1"], "seconds": seconds,
            })
        result.rows[-1]["tencrop_top1"] = ten_crop_accuracy(model, test_data, size.stored, size.crop)
    return result
