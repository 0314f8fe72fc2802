"""The paper's Figure 1 in small: the same network with ReLU or tanh, epochs to 25% training error.

Krizhevsky et al. (§3.1) trained "a four-layer convolutional neural network" on CIFAR-10 and
found that with ReLUs it reached 25% training error six times faster than with tanh units.
Here the network is the same kind of four-layer net (three 5x5 convolutions, each followed by
the activation and a 3/2 max-pool, then one linear layer), narrowed to 16-16-32 channels so that
several seeds of both activations train in minutes on a CPU; the data is Fashion-MNIST at 28 px.
It is used rather than the small AlexNet because it is the paper's own experiment, and because
it is cheap enough for several seeds of both activations (in a trial, a quarter-width small
AlexNet with ReLU and PyTorch's default initialisation had not left chance level after 8 short
epochs at learning rates 0.01 and 0.05, so it could not be timed on a CPU budget). Both
activations get the same optimiser and learning rate; the paper tuned each separately.

What is measured, per run: after every epoch (one pass over ``samples`` training images),
the *training error during that epoch* (1 - ``History.epochs[i]["train_top1"]``, counted on the
batches as they were trained on, as the paper's curve is) and the test error. "Epochs to 25%"
is the first epoch whose training error is at most 0.25 (``None`` if no epoch got there).

>>> SIZES["smoke"].seeds
(0, 1)
>>> net = figure1_net(nn.Tanh)
>>> [type(m).__name__ for m in net][:3], net(torch.zeros(2, 1, 28, 28)).shape
(['Conv2d', 'Tanh', 'MaxPool2d'], torch.Size([2, 10]))
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from typing import Callable

import torch
from torch import nn

from ..profiles import Profile
from .common import budget, fashion_splits, paired_effect, seeded_jobs

__all__ = ["Size", "SIZES", "ACTIVATIONS", "figure1_net", "RunCurve", "ReluVsTanh",
           "epochs_to", "relu_vs_tanh"]

THRESHOLD = 0.25  # the paper's Figure 1 line: 25% training error
ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {"ReLU": nn.ReLU, "tanh": nn.Tanh}


@dataclass(frozen=True)
class Size:
    """How big the experiment is in one profile."""

    samples: int  # training images (class-balanced subset); one epoch is one pass over them
    test_samples: int  # held-out images for the test error
    epochs: int  # epochs per run
    seeds: tuple[int, ...]  # one run per activation and seed
    batch_size: int = 50
    lr: float = 0.02  # SGD with momentum 0.9, constant rate, no weight decay (both activations)
    image_size: int = 28  # Fashion-MNIST's own size: no resizing


SIZES: dict[str, Size] = {
    "smoke": Size(samples=500, test_samples=200, epochs=2, seeds=(0, 1)),
    "cpu": Size(samples=2000, test_samples=1000, epochs=6, seeds=(0, 1, 2)),
    "gpu": Size(samples=20000, test_samples=10000, epochs=15, seeds=(0, 1, 2, 3, 4)),
}


def figure1_net(activation: Callable[[], nn.Module] = nn.ReLU, widths=(16, 16, 32),
                image_size: int = 28, num_classes: int = 10) -> nn.Sequential:
    """A four-layer convolutional net like the paper's Figure 1 network: three 5x5 convolutions
    (padding 2), each followed by ``activation`` and a 3/2 max-pool, then one linear layer."""
    layers: list[nn.Module] = []
    channels, size = 1, image_size
    for width in widths:
        layers += [nn.Conv2d(channels, width, 5, padding=2), activation(), nn.MaxPool2d(3, 2)]
        channels, size = width, (size - 3) // 2 + 1  # 28 -> 13 -> 6 -> 2
    layers += [nn.Flatten(), nn.Linear(channels * size * size, num_classes)]
    return nn.Sequential(*layers)


def epochs_to(errors: list[float], threshold: float = THRESHOLD) -> int | None:
    """The first epoch (counted from 1) whose error is at most ``threshold``, else None.

    >>> epochs_to([0.6, 0.3, 0.24, 0.2]), epochs_to([0.6, 0.3])
    (3, None)
    """
    return next((i for i, e in enumerate(errors, 1) if e <= threshold), None)


@dataclass
class RunCurve:
    """One training run: its activation, seed and per-epoch errors."""

    activation: str
    seed: int
    train_error: list[float]  # per epoch, measured on the batches while training
    test_error: list[float]  # per epoch, after it
    seconds: float

    @property
    def epochs_to_threshold(self) -> int | None:
        return epochs_to(self.train_error)


@dataclass
class ReluVsTanh:
    """Every run of the experiment, with summaries the notebook prints and plots."""

    profile: str
    size: Size
    runs: list[RunCurve] = field(default_factory=list)
    threshold: float = THRESHOLD

    def rows(self) -> list[dict]:
        """Tidy rows: one per (activation, seed, epoch)."""
        return [dict(activation=r.activation, seed=r.seed, epoch=e, train_error=tr, test_error=te)
                for r in self.runs for e, (tr, te) in enumerate(zip(r.train_error, r.test_error), 1)]

    def epochs_to_threshold(self, activation: str) -> list[int | None]:
        return [r.epochs_to_threshold for r in self.runs if r.activation == activation]

    def summary(self) -> list[dict]:
        """Per activation: runs, how many reached the threshold, mean ± std of epochs to it,
        and the final training error mean ± std."""
        out = []
        for name in ACTIVATIONS:
            runs = [r for r in self.runs if r.activation == name]
            if not runs:
                continue
            reached = [r.epochs_to_threshold for r in runs if r.epochs_to_threshold is not None]
            final = [r.train_error[-1] for r in runs]
            out.append(dict(
                activation=name, runs=len(runs), reached=len(reached),
                epochs_to_25_mean=statistics.fmean(reached) if reached else math.nan,
                epochs_to_25_std=statistics.pstdev(reached) if reached else math.nan,
                final_train_error_mean=statistics.fmean(final),
                final_train_error_std=statistics.pstdev(final)))
        return out

    def speedup(self) -> float | None:
        """Mean epochs of tanh over mean epochs of ReLU to the threshold (the paper: about 6),
        or None unless every run of both reached it."""
        relu, tanh = self.epochs_to_threshold("ReLU"), self.epochs_to_threshold("tanh")
        if not relu or not tanh or None in relu or None in tanh:
            return None
        return statistics.fmean(tanh) / statistics.fmean(relu)

    def verdict(self) -> str:
        """One sentence that says what this run measured (and nothing it did not)."""
        relu, tanh = self.epochs_to_threshold("ReLU"), self.epochs_to_threshold("tanh")
        pct, n = f"{self.threshold:.0%}", len(relu)  # runs per activation, one per seed
        reach_relu = sum(e is not None for e in relu)
        reach_tanh = sum(e is not None for e in tanh)
        if reach_relu == reach_tanh == n:
            # Paired by seed: tanh's epochs minus ReLU's, same data order and seed.
            effect = paired_effect(tanh, relu)
            reading = effect.reading(f"tanh's epochs to {pct} training error minus ReLU's",
                                     f"ReLU reached {pct} sooner", f"tanh reached {pct} sooner",
                                     unit=" epochs")
            return (f"{reading}; tanh/ReLU = {self.speedup():.2f} (the paper: ReLU about 6× sooner on "
                    "CIFAR-10).")
        if reach_relu and not reach_tanh:
            return (f"ReLU reached {pct} training error in {reach_relu} of {n} runs, tanh in none "
                    f"within {self.size.epochs} epochs: ReLU was faster, by more than this run can size.")
        if reach_tanh and not reach_relu:
            return (f"tanh reached {pct} training error in {reach_tanh} of {n} runs, ReLU in none "
                    f"within {self.size.epochs} epochs: the opposite of the paper at this scale.")
        if not reach_relu and not reach_tanh:
            return (f"Neither activation reached {pct} training error within {self.size.epochs} "
                    f"epochs of {self.size.samples} images: too short a run to compare speeds.")
        return (f"ReLU reached {pct} in {reach_relu} of {n} runs, tanh in {reach_tanh} of {n}: "
                "too close to the edge of the run to give a ratio.")

    def verdicts(self) -> list[str]:
        return [self.verdict()]


def train_one(activation: str, seed: int, train_data, test_data, size: Size,
              device: torch.device | str | None = None) -> RunCurve:
    """Train one seeded net with ``activation`` and record its per-epoch errors."""
    from .. import train

    torch.manual_seed(seed)
    model = figure1_net(ACTIVATIONS[activation], image_size=size.image_size)
    config = train.TrainConfig(epochs=size.epochs, batch_size=size.batch_size, lr=size.lr,
                               momentum=0.9, weight_decay=0.0, schedule="constant", seed=seed,
                               log_every=10)
    history = train.fit(model, train_data, test_data, config, image_size=size.image_size,
                        device=device, progress=False)
    return RunCurve(activation, seed,
                    train_error=[1 - a for a in history.column("train_top1")],
                    test_error=[1 - a for a in history.column("test_top1")],
                    seconds=sum(history.column("seconds")))


def relu_vs_tanh(profile: str | Profile | None = None, *, device: torch.device | str | None = None,
                 progress: bool = False) -> ReluVsTanh:
    """Run the experiment at the profile's size: every seed, ReLU and tanh, same data and seed."""
    prof, size = budget(profile, SIZES)
    train_data, test_data = fashion_splits(prof, size.samples, size.test_samples)
    runs = [train_one(name, seed, train_data, test_data, size, device)
            for seed, name in seeded_jobs(size.seeds, ACTIVATIONS, progress)]
    return ReluVsTanh(prof.name, size, runs)
