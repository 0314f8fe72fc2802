"""Lesson 07's measurement: random crops and mirrors against over-fitting, and ten-crop
testing, on a few hundred Fashion-MNIST images.

The paper stores every image at 256×256 and trains on random 224×224 crops and their
mirrors; without this, it says (§4.1), the network "suffers from substantial overfitting".
Fashion-MNIST is already cut tight around each garment, so here the stored image is the
28×28 picture on a ``stored`` × ``stored`` black canvas (a one-pixel margin) and the
network sees ``crop`` = 28: the centre crop is the picture itself, the other crops shift
it by a pixel. Two networks per seed, identical but for the input layer
(:class:`~alexnet_course.augment.CropAndFlip`):

- ``centre crop``: always the central window (no augmentation);
- ``crop + flip``: a random window and a coin-flip mirror per image per step.

Nothing else regularises (no dropout, no weight decay), and both train in two regimes:

- ``long``: ``epochs`` passes over ``train_samples`` images, long enough for the network
  without augmentation to learn its training images by heart and for the one with it to
  fit its harder task;
- ``short``: ``short_epochs`` passes, before either network has fitted its training images.

The test set is scored on the centre crop; in the long regime also on the average of the
ten crops, on ``tencrop_samples`` test images (ten forward passes per image).

>>> SIZES["cpu"].stored, SIZES["cpu"].crop
(30, 28)
>>> crop_count(30, 28)  # distinct training views of one image: 3 positions per axis, 2 mirrors
18
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field, replace

import torch
import torch.nn.functional as F
from torch import nn

from ..augment import CropAndFlip, crop_count, fit_colour_pca, ten_crop_predict
from ..data import FashionMNIST, fashion_mnist
from ..devices import device as best_device
from ..loaders import batches
from ..models.alexnet import SMALL, build_alexnet
from ..profiles import Profile
from ..train import evaluate, prepare_model, recipe, run_epoch, training_state
from .common import Budget, PairedEffect, budget, fashion_splits, paired_effect, run_seeds, seed_values

__all__ = ["SIZES", "VARIANTS", "REGIMES", "AugmentationResult", "augmented_model", "on_canvas",
           "crop_count", "crop_and_flip", "ten_crop_accuracy", "colour_pca_verdict"]

# name → does the input layer augment in training?
VARIANTS = {"centre crop": False, "crop + flip": True}
# name → the budget's setting that says how many epochs that regime trains
REGIMES = {"long": "epochs", "short": "short_epochs"}

SIZES = {
    "smoke": Budget(train_samples=300, test_samples=200, epochs=14, seeds=2, batch_size=25, lr=3e-3,
                    short_epochs=10, tencrop_samples=200, widths=(8, 16, 24, 24, 16), hidden=128,
                    stored=30, crop=28),
    # A few hundred images and a narrow net, so that five paired seeds of both regimes fit in
    # about a minute and a half on one CPU core. Batches of 25: 12 steps an epoch.
    "cpu": Budget(train_samples=300, test_samples=4000, epochs=64, seeds=5, batch_size=25, lr=3e-3,
                  short_epochs=10, tencrop_samples=500, widths=(8, 16, 24, 24, 16), hidden=128,
                  stored=30, crop=28),
    "gpu": Budget(train_samples=300, test_samples=None, epochs=100, seeds=10, batch_size=25, lr=3e-3,
                  short_epochs=10, tencrop_samples=None, widths=SMALL.widths, hidden=SMALL.hidden,
                  stored=30, crop=28),
}


def on_canvas(images: torch.Tensor, side: int) -> torch.Tensor:
    """``(N, H, W)`` uint8 images centred on a black ``side`` × ``side`` canvas: the stored
    images the crops are cut from (Fashion-MNIST's background is 0, black).

    >>> on_canvas(torch.full((2, 28, 28), 7, dtype=torch.uint8), 30)[0, :2, :3]
    tensor([[0, 0, 0],
            [0, 7, 7]], dtype=torch.uint8)
    """
    margin = side - images.shape[-1]
    if margin < 0 or margin % 2:
        raise ValueError(f"a {images.shape[-1]}-pixel image cannot be centred on a {side}-pixel canvas")
    return F.pad(images, (margin // 2,) * 4)


def _stored(data: FashionMNIST, side: int) -> FashionMNIST:
    """``data`` with every image on its stored canvas (:func:`on_canvas`)."""
    return FashionMNIST(on_canvas(data.images, side), data.targets, split=data.split,
                        source=data.source, normalize=data.normalize)


def augmented_model(size: Budget, augment: bool, seed: int) -> nn.Sequential:
    """The input layer (random crop + mirror, or centre crop) in front of a small AlexNet
    without dropout; the layer draws its crops and mirrors from a generator seeded by
    ``seed``. The network's weights come from the global generator (``run_seeds`` seeds it)."""
    net = build_alexnet(replace(SMALL, widths=size.widths, hidden=size.hidden), dropout=0.0)
    generator = torch.Generator().manual_seed(seed)
    return nn.Sequential(CropAndFlip(size.crop, augment, generator), net)


def train_without_testing(model: nn.Module, train_data, config, image_size: int,
                          device) -> list[float]:
    """``train.fit`` without its test pass after every epoch (which would cost more than the
    training at this size): the same batches, optimiser and schedule. Returns the mean
    training loss of every epoch."""
    dev = torch.device(device) if device is not None else best_device()
    prepare_model(model, config, dev, resume=False)
    train_batches = batches(train_data, config.batch_size, device=dev, image_size=image_size,
                            shuffle=True, seed=config.seed)
    optimizer, scheduler, _, scaler, history, _ = training_state(
        model, config, dev, len(train_batches), None, resume=False)
    losses = []
    for epoch in range(1, config.epochs + 1):
        train_batches.set_epoch(epoch)
        trained = run_epoch(model, train_batches, optimizer, scaler, config, epoch=epoch,
                            history=history, scheduler=scheduler)
        losses.append(trained.loss)
    return losses


@torch.inference_mode()
def ten_crop_accuracy(model: nn.Sequential, data, image_size: int, crop: int,
                      batch_size: int = 50) -> float:
    """Top-1 accuracy of the network behind ``model``'s input layer when its softmax is
    averaged over the ten ``crop`` crops of each ``image_size`` test image."""
    net = model[-1]
    device = next(net.parameters()).device
    correct = total = 0
    for x, y in batches(data, batch_size, device=device, image_size=image_size):
        probs = ten_crop_predict(net, x, crop)
        correct += (probs.argmax(1) == y).sum().item()
        total += len(y)
    return correct / total


def colour_pca_verdict(images: torch.Tensor) -> str:
    """Whether the paper's PCA colour augmentation can be fitted on ``images`` (uint8,
    ``(N, H, W)`` grey or ``(N, C, H, W)``): it needs the 3×3 covariance of RGB pixels.

    >>> print(colour_pca_verdict(torch.zeros(4, 28, 28, dtype=torch.uint8)))
    PCA colour augmentation does not apply here: colour PCA needs 3 (RGB) channels, got 1. ...
    """
    batch = images[:, None] if images.ndim == 3 else images
    try:
        pca = fit_colour_pca([batch])
    except ValueError as refusal:
        return (f"PCA colour augmentation does not apply here: {refusal}. A grey image has no "
                f"3×3 RGB covariance to take eigenvectors of (its covariance is "
                f"{batch.shape[1]}×{batch.shape[1]}), so the colour measurement belongs to colour "
                "images (the course's Imagenette path)")
    return f"PCA colour augmentation applies: λ = {[round(v, 5) for v in pca.eigenvalues.tolist()]}"


@dataclass
class AugmentationResult:
    """One row per run (regime, variant, seed): final train and test accuracy (fractions),
    the training loss of every epoch, and in the long regime the ten-crop score."""

    profile: str
    size: Budget
    rows: list[dict] = field(default_factory=list)
    colour: str = ""  # colour_pca_verdict of the training images

    def values(self, key: str, regime: str, variant: str) -> list[float]:
        """``key`` in % (points) for every seed of ``variant`` in ``regime``, seed order."""
        return [100 * v for v in seed_values(self.rows, key, regime=regime, variant=variant)]

    def regime_name(self, regime: str) -> str:
        """e.g. "300 images × 64 epochs"."""
        return f"{self.size.train_samples:,} images × {getattr(self.size, REGIMES[regime])} epochs"

    def effect(self, regime: str, key: str = "test_top1") -> PairedEffect:
        """Paired per seed: ``key`` with crop + flip minus without, in points."""
        return paired_effect(self.values(key, regime, "crop + flip"),
                             self.values(key, regime, "centre crop"))

    def tencrop_change(self, variant: str) -> PairedEffect:
        """Paired per seed (long regime): ten-crop minus centre-crop accuracy of ``variant``
        on the same ``tencrop_samples`` test images."""
        return paired_effect(self.values("tencrop_top1", "long", variant),
                             self.values("centre_on_tencrop_set", "long", variant))

    def summary(self) -> list[dict]:
        """Per regime and variant: mean over seeds of final train and test accuracy and of
        their gap, in %."""
        return [{"regime": self.regime_name(regime), "variant": variant,
                 **{key: statistics.fmean(self.values(key, regime, variant))
                    for key in ("train_top1", "test_top1", "gap")}}
                for regime in REGIMES for variant in VARIANTS]

    def verdicts(self) -> list[str]:
        """What the numbers allow one to say, each difference paired by seed and called real
        only when its 95 % interval excludes zero."""
        lines = []
        for regime in REGIMES:
            test = self.effect(regime).reading(
                "crop + flip minus centre crop, test accuracy",
                "crop + flip raised test accuracy", "crop + flip lowered test accuracy")
            gap = self.effect(regime, "gap").reading(
                "train–test gap, crop + flip minus centre crop",
                "it widened the train–test gap", "it narrowed the train–test gap")
            lines.append(f"{self.regime_name(regime)}: {test}; {gap}")
        for variant in VARIANTS:
            reading = self.tencrop_change(variant).reading(
                "ten-crop minus centre crop", "ten crops scored higher", "ten crops scored lower")
            lines.append(f"{self.regime_name('long')}, network trained on {variant}: {reading}")
        lines.append(self.colour)
        return lines


def crop_and_flip(profile: str | Profile | None = None, device=None,
                  progress: bool = False) -> AugmentationResult:
    """Train both variants in both regimes for every seed; score the training images (eval
    mode: centre crop) and the test images at the end, and the ten-crop test accuracy after
    the long regime."""
    prof, size = budget(profile, SIZES)
    pictures, test_pictures = fashion_splits(prof, size.train_samples, size.test_samples)
    train_data, test_data = _stored(pictures, size.stored), _stored(test_pictures, size.stored)
    tencrop_data = _stored(fashion_mnist("test", prof, samples=size.tencrop_samples or len(test_data)),
                           size.stored)

    def score(model, data) -> float:
        device_of_model = next(model.parameters()).device
        return evaluate(model, batches(data, 500, device=device_of_model, image_size=size.stored))["top1"]

    def train_one(seed: int, run: tuple[str, str]) -> dict:
        regime, variant = run
        model = augmented_model(size, VARIANTS[variant], seed)
        # AdamW with a one-cycle schedule: the rate falls to almost nothing at the end, so the
        # final weights do not jitter (a constant rate kept the augmented net from settling).
        config = recipe("modern", optimizer="adamw", epochs=getattr(size, REGIMES[regime]),
                        batch_size=size.batch_size, lr=size.lr, weight_decay=0.0,
                        label_smoothing=0.0, seed=seed)
        began = time.perf_counter()
        losses = train_without_testing(model, train_data, config, size.stored, device)
        row = {"regime": regime, "variant": variant, "seed": seed, "losses": losses,
               "train_top1": score(model, train_data), "test_top1": score(model, test_data)}
        row["gap"] = row["train_top1"] - row["test_top1"]
        if regime == "long":
            row["tencrop_top1"] = ten_crop_accuracy(model, tencrop_data, size.stored, size.crop)
            row["centre_on_tencrop_set"] = score(model, tencrop_data)
        row["seconds"] = time.perf_counter() - began
        return row

    runs = [(regime, variant) for regime in REGIMES for variant in VARIANTS]
    rows = [row for _, _, row in run_seeds(size.seeds, runs, train_one, progress)]
    return AugmentationResult(prof.name, size, rows, colour_pca_verdict(pictures.images))
