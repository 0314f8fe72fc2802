"""Lesson 05's measurement: overlapping (3×3, stride 2) vs non-overlapping (2×2, stride 2)
max-pooling in the small AlexNet, several seeds, paired.

The paper (§3.4) reports that overlapping pooling lowers ImageNet top-1 error by 0.4 and
top-5 error by 0.3 points. Here both networks are trained with the same seed (same
initial weights, they have the same parameters, and the same batch order), so each seed
gives one *paired* difference, and the 95 % interval of their mean says whether the effect
shows up at this scale. Only top-1 is compared: on 10 classes five guesses leave almost
nothing to miss, so a top-5 error says nothing here.

How often each pixel is pooled is :func:`alexnet_course.arithmetic.window_coverage`.

>>> SIZES["smoke"].seeds
2
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

from ..models.alexnet import SMALL, AlexNetConfig, build_alexnet
from ..profiles import Profile
from ..train import fit, recipe
from .common import Budget, PairedEffect, budget, fashion_splits, paired_effect, run_seeds, seed_values

__all__ = ["PAPER_EFFECT", "POOLS", "SIZES", "PoolingResult",
           "pooling_config", "overlapping_pooling"]

# Krizhevsky et al. 2012, §3.4: error reduction from overlapping pooling, in points.
PAPER_EFFECT = {"top1": -0.4, "top5": -0.3}
# (kernel, stride): the paper's overlapping pool, and the "traditional" pool it replaced.
POOLS = {"3/2": (3, 2), "2/2": (2, 2)}


SIZES = {
    "smoke": Budget(train_samples=2000, test_samples=200, epochs=3, seeds=2, lr=3e-3,
                    widths=(8, 16, 24, 24, 16), hidden=64, image_size=32),
    # A quarter of the small AlexNet's widths, so that five paired seeds fit in minutes on a CPU.
    "cpu": Budget(train_samples=6000, test_samples=2000, epochs=5, seeds=5, lr=3e-3,
                  widths=(8, 16, 24, 24, 16), hidden=128, image_size=32),
    "gpu": Budget(train_samples=None, test_samples=None, epochs=10, seeds=5, batch_size=128, lr=3e-3,
                  widths=SMALL.widths, hidden=SMALL.hidden, image_size=224),
}


def pooling_config(pool: tuple[int, int], size: Budget) -> AlexNetConfig:
    """The small AlexNet with ``pool`` (kernel, stride) in its three max-pools."""
    return replace(SMALL, pool=pool, widths=size.widths, hidden=size.hidden)


@dataclass
class PoolingResult:
    """One row per run (``rows``) and the paired per-seed differences, 3/2 minus 2/2."""

    profile: str
    size: Budget
    rows: list[dict] = field(default_factory=list)

    paper_effect = PAPER_EFFECT

    def errors(self, pool: str) -> list[float]:
        """Test top-1 error in points (100 − accuracy) of every seed with ``pool``, seed order."""
        return seed_values(self.rows, "test_top1_error", pool=pool)

    def differences(self) -> list[float]:
        """Per seed: top-1 error with overlapping pooling minus error without, in points."""
        return [a - b for a, b in zip(self.errors("3/2"), self.errors("2/2"))]

    def effect(self) -> PairedEffect:
        """Overlapping minus non-overlapping test top-1 error, paired by seed, in points."""
        return paired_effect(self.errors("3/2"), self.errors("2/2"))

    def verdict(self) -> str:
        """The measured top-1 effect next to the paper's, worded by its 95 % interval. (No
        top-5: with 10 classes, five guesses leave almost nothing to miss.)"""
        reading = self.effect().reading(
            "overlapping minus non-overlapping test top-1 error",
            "overlapping pooling raised the test error", "overlapping pooling lowered the test error")
        return f"{reading} (paper, ImageNet: {PAPER_EFFECT['top1']:+.1f} points)"

    def verdicts(self) -> list[str]:
        return [self.verdict()]


def overlapping_pooling(profile: str | Profile | None = None, device=None,
                        progress: bool = False) -> PoolingResult:
    """Train the small AlexNet with 3/2 and with 2/2 pooling for every seed of the profile."""
    prof, size = budget(profile, SIZES)
    train_data, test_data = fashion_splits(prof, size.train_samples, size.test_samples)

    def train_one(seed: int, name: str) -> dict:
        model = build_alexnet(pooling_config(POOLS[name], size))
        # AdamW: the plain SGD of the paper needs many more steps to get a deep, narrow,
        # un-normalised net off the ground than a few epochs on a CPU allow.
        config = recipe("modern", optimizer="adamw", lr=size.lr, epochs=size.epochs,
                        batch_size=size.batch_size, seed=seed)
        began = time.perf_counter()
        history = fit(model, train_data, test_data, config, image_size=size.image_size,
                      device=device, progress=False)
        last = history.epochs[-1]
        return {
            "pool": name, "seed": seed,
            "train_top1_error": 100 * (1 - last["train_top1"]),
            "test_top1_error": 100 * (1 - last["test_top1"]),
            "seconds": time.perf_counter() - began,
        }

    rows = [row for _, _, row in run_seeds(size.seeds, POOLS, train_one, progress)]
    return PoolingResult(prof.name, size, rows)
