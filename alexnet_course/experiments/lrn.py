"""Local response normalization (paper §3.3): what it does to a real activation map, and a
measured small ablation of the small AlexNet without normalization, with the paper's LRN,
and with batch normalization in LRN's place (what later networks used instead).

The activation map is "conv1-like": a real photo (the paper fed raw pixels minus the mean,
so values span hundreds) through a fixed bank of oriented Gabor filters, ordered by
orientation so that neighbouring channels detect similar edges, then a ReLU. It needs no
training, so every number computed from it is exact and repeatable.

>>> a = conv1_like_activations(size=32)
>>> tuple(a.shape), bool((a >= 0).all())
((16, 22, 22), True)
>>> SIZES["smoke"].seeds
(0,)
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field, replace

import torch
import torch.nn.functional as F
from torch import nn

from ..layers import LocalResponseNorm, lrn_divisor  # lrn_divisor: shown again in lesson 04
from ..profiles import Profile
from .common import budget, fashion_splits, paired_effect, seeded_jobs

__all__ = ["lrn_divisor", "gabor_bank", "conv1_like_activations", "NORMS", "Size",
           "SIZES", "normalized_alexnet", "NormRun", "NormAblation", "lrn_ablation"]


def gabor_bank(orientations: int = 8, phases: int = 2, size: int = 11, wavelength: float = 6.0,
               sigma: float = 2.5) -> torch.Tensor:
    """``(orientations * phases, 1, size, size)`` Gabor filters of unit L2 norm and zero mean,
    channel order: orientation-major, so neighbouring channels are similar edge detectors
    (like the oriented kernels of the paper's Figure 3).

    >>> w = gabor_bank()
    >>> tuple(w.shape), round(float(w[0].norm()), 6)
    ((16, 1, 11, 11), 1.0)
    """
    r = torch.arange(size, dtype=torch.float64) - (size - 1) / 2
    y, x = torch.meshgrid(r, r, indexing="ij")
    filters = []
    for i in range(orientations):
        theta = math.pi * i / orientations
        along = x * math.cos(theta) + y * math.sin(theta)
        across = -x * math.sin(theta) + y * math.cos(theta)
        envelope = torch.exp(-(along ** 2 + across ** 2) / (2 * sigma ** 2))
        for j in range(phases):
            g = envelope * torch.cos(2 * math.pi * along / wavelength + math.pi / 2 * j)
            g = g - g.mean()
            filters.append(g / g.norm())
    return torch.stack(filters).unsqueeze(1).float()


def conv1_like_activations(photo_name: str = "chelsea", size: int = 96, stride: int = 1) -> torch.Tensor:
    """ReLU(Gabor bank * photo) for a real photo in grey, ``size`` px square, pixel values 0–255
    minus their mean (the paper's only preprocessing): a ``(16, H, W)`` map of the magnitudes
    AlexNet's conv1 saw."""
    from ..data import photo

    image = torch.from_numpy(photo(photo_name).copy()).double().mean(dim=2)  # (H, W) grey, 0-255
    side = min(image.shape)
    top, left = (image.shape[0] - side) // 2, (image.shape[1] - side) // 2
    image = image[top:top + side, left:left + side][None, None]
    image = F.interpolate(image, size=(size, size), mode="area")  # deterministic downscale
    image = image - image.mean()
    weight = gabor_bank().double()
    a = F.relu(F.conv2d(image, weight, stride=stride))[0]
    return a.float()


# ----------------------------------------------------------------------------- the ablation

NORMS = ("none", "LRN", "batch norm")
CHANCE_LEVEL = 0.85  # test error at or above this (chance: 0.9 on 10 classes) means "did not learn"


@dataclass(frozen=True)
class Size:
    """How big the ablation is in one profile."""

    samples: int  # training images (class-balanced subset)
    test_samples: int  # test images
    epochs: int
    seeds: tuple[int, ...]  # one run per normalization and seed
    width: float = 0.25  # the small AlexNet's widths scaled (0.25: 8-16-24-24-16, fc 128)
    batch_size: int = 32
    image_size: int = 32
    # AdamW rather than the recipe's SGD: with SGD (lr 0.05, one-cycle) the quarter-width net
    # without normalization had not left chance level (90% error) after 4 epochs of 1,600 images.
    optimizer: str = "adamw"
    lr: float = 3e-3


SIZES: dict[str, Size] = {
    "smoke": Size(samples=1000, test_samples=200, epochs=3, seeds=(0,), batch_size=50),
    "cpu": Size(samples=3000, test_samples=1000, epochs=5, seeds=(0, 1, 2, 3, 4), batch_size=64),
    "gpu": Size(samples=20000, test_samples=10000, epochs=10, seeds=(0, 1, 2, 3, 4), width=1.0,
                batch_size=128),
}


def normalized_alexnet(norm: str, width: float = 0.25) -> nn.Module:
    """The small AlexNet (``models.alexnet.SMALL``) scaled by ``width``, with nothing, the
    paper's LRN, or ``BatchNorm2d`` after the ReLUs of conv1 and conv2 (where the paper put LRN).

    >>> [type(m).__name__ for m in normalized_alexnet("batch norm").features][:3]
    ['Conv2d', 'ReLU', 'BatchNorm2d']
    """
    from ..models.alexnet import SMALL, build_alexnet, scaled

    if norm not in NORMS:
        raise ValueError(f"norm must be one of {NORMS}, not {norm!r}")
    config = replace(scaled(SMALL, width), lrn=norm != "none")
    model = build_alexnet(config)
    if norm == "batch norm":
        channels = None
        for i, module in enumerate(model.features):
            if isinstance(module, nn.Conv2d):
                channels = module.out_channels
            elif isinstance(module, LocalResponseNorm):
                model.features[i] = nn.BatchNorm2d(channels)
    return model


@dataclass
class NormRun:
    norm: str
    seed: int
    train_error: list[float]  # per epoch, on the batches while training
    test_error: list[float]  # per epoch
    seconds: float


@dataclass
class NormAblation:
    """All runs of the ablation and the summaries the notebook prints."""

    profile: str
    size: Size
    runs: list[NormRun] = field(default_factory=list)

    def rows(self) -> list[dict]:
        return [dict(norm=r.norm, seed=r.seed, epoch=e, train_error=tr, test_error=te)
                for r in self.runs for e, (tr, te) in enumerate(zip(r.train_error, r.test_error), 1)]

    def final_test_errors(self, norm: str) -> list[float]:
        return [r.test_error[-1] for r in self.runs if r.norm == norm]

    def summary(self) -> list[dict]:
        """Per normalization: final test error mean ± std over seeds, and its change vs none."""
        base = self.final_test_errors("none")
        out = []
        for norm in NORMS:
            errors = self.final_test_errors(norm)
            if not errors:
                continue
            mean = statistics.fmean(errors)
            out.append(dict(norm=norm, runs=len(errors), test_error_mean=mean,
                            test_error_std=statistics.pstdev(errors),
                            change_vs_none=mean - statistics.fmean(base) if base else math.nan))
        return out

    def verdict(self, norm: str) -> str:
        """Whether ``norm`` changed the final test error: its runs minus the runs without
        normalization, paired by seed, judged by the 95 % interval."""
        rows = {r["norm"]: r for r in self.summary()}
        if norm not in rows or "none" not in rows:
            return f"{norm}: not measured."
        row, base = rows[norm], rows["none"]
        what = (f"{norm}: final test error {row['test_error_mean']:.1%} vs "
                f"{base['test_error_mean']:.1%} without")
        if base["test_error_mean"] >= CHANCE_LEVEL:
            return what + ": the network without normalization did not learn, so this run cannot measure it."
        by_seed = {n: [100 * r.test_error[-1] for r in sorted(self.runs, key=lambda r: r.seed) if r.norm == n]
                   for n in (norm, "none")}
        effect = paired_effect(by_seed[norm], by_seed["none"])
        reading = effect.reading(f"{norm} minus none", f"{norm} raised the test error",
                                 f"{norm} lowered the test error")
        return f"{what} → {reading}."

    def verdicts(self) -> list[str]:
        return [self.verdict(norm) for norm in NORMS[1:]]


def lrn_ablation(profile: str | Profile | None = None, *, device: torch.device | str | None = None,
                 progress: bool = False) -> NormAblation:
    """Train the small AlexNet without normalization, with LRN and with batch norm, every seed."""
    from .. import train

    prof, size = budget(profile, SIZES)
    train_data, test_data = fashion_splits(prof, size.samples, size.test_samples)
    result = NormAblation(prof.name, size)
    for seed, norm in seeded_jobs(size.seeds, NORMS, progress):
        torch.manual_seed(seed)
        model = normalized_alexnet(norm, size.width)
        config = train.recipe("modern", optimizer=size.optimizer, lr=size.lr, epochs=size.epochs,
                              batch_size=size.batch_size, seed=seed)
        history = train.fit(model, train_data, test_data, config, image_size=size.image_size,
                            device=device, progress=False)
        result.runs.append(NormRun(norm, seed,
                                   train_error=[1 - a for a in history.column("train_top1")],
                                   test_error=[1 - a for a in history.column("test_top1")],
                                   seconds=sum(history.column("seconds"))))
    return result
