"""Lesson 06's measurements: dropout on a deliberately over-fitting setting, and dropout
as a cheap ensemble.

*Over-fitting*: the small AlexNet trained on a small class-balanced subset of
Fashion-MNIST for many epochs at a constant learning rate, without weight decay or label
smoothing, once without dropout (p = 0) and once with the paper's p = 0.5 before fc6 and
fc7 (the course's own :class:`~alexnet_course.layers.Dropout`). After every epoch both the
training subset and the test set are scored in eval mode; the difference is the gap.

*Ensemble*: a network trained with dropout is an average over the 2^n thinned networks
its masks select. Averaging the softmax of T stochastic passes approximates that average;
the single deterministic pass with all units on (what eval mode computes) is the paper's
cheap stand-in for it.

>>> SIZES["smoke"].probabilities
(0.0, 0.5)
"""

from __future__ import annotations

import math
import statistics
import time
from dataclasses import dataclass, field, replace

import torch
import torch.nn.functional as F
from torch import nn

from ..layers import Dropout
from ..loaders import batches
from ..models.alexnet import SMALL, build_alexnet
from ..profiles import Profile
from ..train import evaluate, fit, input_channels, recipe
from .common import budget, fashion_splits, paired_effect, seeded_jobs

__all__ = ["DropoutSize", "SIZES", "DropoutResult", "with_course_dropout", "mc_ensemble",
           "overfitting"]


@dataclass(frozen=True)
class DropoutSize:
    """How big the dropout experiments are in one profile."""

    train_samples: int  # a small training subset, so that the network can memorise it
    test_samples: int
    epochs: int  # many passes at a constant learning rate
    seeds: int  # runs per dropout probability
    batch_size: int
    lr: float  # constant AdamW learning rate (no weight decay, no label smoothing)
    widths: tuple[int, int, int, int, int]  # conv widths of the small AlexNet used
    hidden: int  # width of fc6 and fc7, where dropout acts
    probabilities: tuple[float, ...] = (0.0, 0.5)  # dropout p compared (0 = none, 0.5 = paper)
    passes: tuple[int, ...] = (1, 2, 4, 8, 16, 32, 64)  # stochastic passes averaged


SIZES = {
    "smoke": DropoutSize(300, 200, 8, 1, 50, 2e-3, (8, 16, 24, 24, 16), 128, passes=(1, 4, 16)),
    # Narrow convolutions (a quarter of the small AlexNet's) for speed, and fc6 and fc7
    # twice as wide as the small AlexNet's, so the fully connected layers can memorise.
    "cpu": DropoutSize(300, 1000, 60, 2, 50, 2e-3, (8, 16, 24, 24, 16), 1024),
    "gpu": DropoutSize(2000, 10_000, 100, 5, 50, 2e-3, SMALL.widths, 2 * SMALL.hidden),
}


def with_course_dropout(model: nn.Module) -> nn.Module:
    """Replace every ``nn.Dropout`` of ``model`` by the course's from-scratch ``Dropout``
    with the same p (in place; the masks are the same for the same seed)."""
    for name, child in model.named_children():
        if isinstance(child, nn.Dropout):
            setattr(model, name, Dropout(child.p))
        else:
            with_course_dropout(child)
    return model


def _set_dropout(model: nn.Module, stochastic: bool) -> None:
    for m in model.modules():
        if isinstance(m, (nn.Dropout, Dropout)):
            m.train(stochastic)


@torch.inference_mode()
def mc_ensemble(model: nn.Module, test_data, passes=(1, 4, 16), *, image_size: int,
                seed: int = 0, device=None, batch_size: int = 500) -> dict:
    """Test accuracy of the average softmax of T stochastic (dropout on) passes, for each
    T in ``passes``, and of the one deterministic pass (dropout off, eval mode).

    The convolutional part has no randomness, so its output is computed once and only
    the classifier is run T times. Returns ``{"deterministic": {...}, "rows": [...]}``.
    """
    device = next(model.parameters()).device if device is None else torch.device(device)
    model.eval()
    feats, targets = [], []
    for x, y in batches(test_data, batch_size, device=device, image_size=image_size,
                        channels=input_channels(model)):
        h = model.features(x)
        if model.avgpool is not None:
            h = model.avgpool(h)
        feats.append(torch.flatten(h, 1))
        targets.append(y)
    h, y = torch.cat(feats), torch.cat(targets)

    def score(probs: torch.Tensor) -> dict:
        return {"top1": (probs.argmax(1) == y).double().mean().item(),
                "nll": F.nll_loss(probs.clamp_min(1e-12).log(), y).item()}

    deterministic = score(model.classifier(h).softmax(1))
    _set_dropout(model.classifier, True)
    torch.manual_seed(seed)
    total, rows, single = torch.zeros(len(y), model.classifier[-1].out_features, device=device), [], []
    for t in range(1, max(passes) + 1):
        probs = model.classifier(h).softmax(1)
        total += probs
        single.append(score(probs)["top1"])
        if t in passes:
            rows.append({"passes": t, **score(total / t)})
    _set_dropout(model.classifier, False)
    return {"deterministic": deterministic, "rows": rows,
            "single_pass_top1_mean": statistics.fmean(single)}


@dataclass
class DropoutResult:
    """Per-epoch rows for every (p, seed), ensemble results per seed of the largest p, and
    the trained models (not part of the tidy data; kept for the notebook's follow-ups)."""

    profile: str
    size: DropoutSize
    rows: list[dict] = field(default_factory=list)
    ensembles: list[dict] = field(default_factory=list)
    models: dict = field(default_factory=dict, repr=False)

    def final(self) -> list[dict]:
        """The last epoch of every run."""
        last = max(r["epoch"] for r in self.rows)
        return [r for r in self.rows if r["epoch"] == last]

    def summary(self) -> list[dict]:
        """Per p: mean and spread (sample std) over seeds of final train/test accuracy and gap."""
        out = []
        for p in self.size.probabilities:
            runs = [r for r in self.final() if r["p"] == p]
            row = {"p": p, "seeds": len(runs)}
            for key in ("train_top1", "test_top1", "gap"):
                values = [100 * r[key] for r in runs]
                row[key] = statistics.fmean(values)
                row[f"{key}_std"] = statistics.stdev(values) if len(values) > 1 else math.nan
            out.append(row)
        return out

    def values(self, p: float, key: str) -> list[float]:
        """``key`` (in %) at the last epoch for every seed trained with dropout ``p``, seed order."""
        return [100 * r[key] for r in sorted(self.final(), key=lambda r: r["seed"]) if r["p"] == p]

    def verdict(self) -> str:
        """What the gap measurement allows one to say: dropout's runs minus the runs without,
        paired by seed, judged by the 95 % interval."""
        rows = {r["p"]: r for r in self.summary()}
        off, on = rows[min(rows)], rows[max(rows)]

        def pm(row, key):
            spread = "" if math.isnan(row[f"{key}_std"]) else f" ± {row[f'{key}_std']:.1f}"
            return f"{row[key]:.1f}{spread}"

        gap = paired_effect(self.values(on["p"], "gap"), self.values(off["p"], "gap")).reading(
            "with minus without", "dropout widened the gap", "dropout narrowed the gap")
        test = paired_effect(self.values(on["p"], "test_top1"), self.values(off["p"], "test_top1")).reading(
            "with minus without", "dropout raised test accuracy", "dropout lowered test accuracy")
        return (f"train–test gap without dropout {pm(off, 'gap')} points, with p = {on['p']} "
                f"{pm(on, 'gap')} points → {gap}\n"
                f"test accuracy without dropout {pm(off, 'test_top1')}%, with {pm(on, 'test_top1')}% → "
                f"{test}")

    def verdicts(self) -> list[str]:
        return [self.verdict()]


def overfitting(profile: str | Profile | None = None, device=None,
                progress: bool = False) -> DropoutResult:
    """Train without and with dropout on a small subset; score train and test every epoch;
    then measure the Monte Carlo ensemble of every dropout-trained network."""
    prof, size = budget(profile, SIZES)
    train_data, test_data = fashion_splits(prof, size.train_samples, size.test_samples)
    result = DropoutResult(prof.name, size)
    for seed, p in seeded_jobs(range(size.seeds), size.probabilities, progress):
        config = replace(SMALL, widths=size.widths, hidden=size.hidden)
        model = with_course_dropout(build_alexnet(config, dropout=p))
        # AdamW at a constant rate without weight decay: nothing but dropout regularises.
        train_config = recipe("modern", optimizer="adamw", epochs=size.epochs,
                              batch_size=size.batch_size, lr=size.lr, schedule="constant",
                              weight_decay=0.0, label_smoothing=0.0, seed=seed)
        scored = {}

        def score_train(history, model=model):
            model_device = next(model.parameters()).device
            epoch = history.last("epoch")
            train_batches = batches(train_data, 500, device=model_device,
                                    image_size=prof.image_size)
            scored[epoch] = evaluate(model, train_batches)  # eval mode: dropout off

        began = time.perf_counter()
        history = fit(model, train_data, test_data, train_config, image_size=prof.image_size,
                      device=device, progress=False, on_epoch=score_train)
        seconds = time.perf_counter() - began
        for row in history.epochs:
            train_top1 = scored[row["epoch"]]["top1"]
            result.rows.append({
                "p": p, "seed": seed, "epoch": row["epoch"],
                "train_top1": train_top1, "train_loss": scored[row["epoch"]]["loss"],
                "test_top1": row["test_top1"], "test_loss": row["test_loss"],
                "gap": train_top1 - row["test_top1"], "seconds": seconds,
            })
        result.models[(p, seed)] = model
        if p > 0:
            ens = mc_ensemble(model, test_data, size.passes, image_size=prof.image_size,
                              seed=seed)
            result.ensembles.append({"p": p, "seed": seed, **ens})
    return result
