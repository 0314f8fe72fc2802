"""Lesson 06's measurements: where dropout helps, where it stops helping, where it goes, and
whether one deterministic pass stands in for the ensemble of thinned networks.

*Over-fitting.* A small AlexNet whose parameters sit almost all in fc6 and fc7 (narrow
convolutions, wide fully connected layers) is trained on a few hundred class-balanced
Fashion-MNIST images at a constant AdamW rate, without weight decay or label smoothing, until
it has memorised them, once for each placement of :data:`PLACEMENTS`. Training and test
accuracy are scored in eval mode every few epochs; their difference is the train–test gap.

*Where the effect fades.* The same runs, read after a few epochs (``size.early_epoch``),
before the network has memorised anything. With a constant learning rate nothing in a run
depends on how many epochs follow, so a run read after k epochs *is* the k-epoch run.

*Placement.* The paper drops "the output of each hidden neuron" of fc6 and fc7 (Caffe's
``drop6``/``drop7`` after ``relu6``/``relu7``); torchvision drops the inputs of fc6 and fc7.
``AlexNetConfig.dropout_after`` chooses between them:

>>> [dropped_inputs(build_variant(v, SIZES["smoke"])) for v in PLACEMENTS]
[[], ['fc7', 'fc8'], ['fc6', 'fc7']]

*Ensemble.* The paper: "multiplying outputs by 0.5 is a reasonable approximation to taking
the geometric mean of the predictive distributions produced by the exponentially-many dropout
networks". For every dropout-trained network the deterministic pass (eval mode) is compared
with the normalised geometric mean of the softmaxes of T stochastic passes
(:func:`geometric_mean`), and with their arithmetic mean (:func:`arithmetic_mean`).

Every comparison is paired by seed (:func:`~alexnet_course.experiments.common.run_seeds`) and
worded by its 95 % interval.
"""

from __future__ import annotations

import math
import statistics
import time
from dataclasses import dataclass, field, replace

import torch
import torch.nn.functional as F
from torch import nn

from .. import devices
from ..history import History
from ..layers import Dropout
from ..loaders import batches
from ..models.alexnet import SMALL, AlexNetConfig, build_alexnet
from ..profiles import Profile
from ..train import evaluate, make_optimizer, recipe, run_epoch
from .common import Budget, PairedEffect, budget, fashion_splits, paired_effect, run_seeds, seed_values

__all__ = ["PLACEMENTS", "LABELS", "SIZES", "DropoutResult", "placement_config", "build_variant",
           "dropped_inputs", "he_init_", "with_course_dropout", "train_and_score", "geometric_mean",
           "arithmetic_mean", "kl_divergence", "ensemble", "overfitting"]

# Variant -> AlexNetConfig.dropout_after (None: no dropout). models.base.alexnet_classifier puts
# the Dropouts after fc6's and fc7's ReLUs with dropout_after=True (the paper's and Caffe's
# placement: fc7 and fc8 read dropped inputs), before fc6 and fc7 with False (torchvision's).
PLACEMENTS = {"none": None, "paper": True, "torchvision": False}
LABELS = {"none": "no dropout",
          "paper": "dropout on fc6's and fc7's outputs (paper, Caffe)",
          "torchvision": "dropout on fc6's and fc7's inputs (torchvision)"}

SIZES = {
    "smoke": Budget(train_samples=200, test_samples=200, epochs=10, seeds=2, lr=2e-3, p=0.5,
                    widths=(8, 16, 24, 24, 16), hidden=512, image_size=32, score_every=2,
                    early_epoch=2, passes=(1, 4, 16)),
    # Convolutions a quarter of the small AlexNet's (16k parameters) under fc6 and fc7 of 512
    # (340k): the fully connected layers hold 95 % of the network and can memorise 300 images,
    # which takes about 20 epochs without dropout; 40 give the dropout networks time to converge.
    "cpu": Budget(train_samples=300, test_samples=1000, epochs=40, seeds=5, lr=1e-3, p=0.5,
                  widths=(8, 16, 24, 24, 16), hidden=512, image_size=32, score_every=10,
                  early_epoch=5, passes=(1, 2, 4, 8, 16, 32)),
    "gpu": Budget(train_samples=2000, test_samples=10_000, epochs=100, seeds=5, lr=1e-3, p=0.5,
                  widths=SMALL.widths, hidden=2 * SMALL.hidden, image_size=32, score_every=10,
                  early_epoch=5, passes=(1, 2, 4, 8, 16, 32, 64)),
}


def placement_config(variant: str, size: Budget) -> AlexNetConfig:
    """The small AlexNet of ``size`` with ``variant``'s dropout placement.

    >>> placement_config("paper", SIZES["cpu"]).dropout_after
    True
    """
    return replace(SMALL, widths=size.widths, hidden=size.hidden,
                   dropout_after=bool(PLACEMENTS[variant]))


def he_init_(model: nn.Module) -> nn.Module:
    """He et al. (2015) initialisation, in place: every conv and linear weight ~ N(0, 2 / fan-in),
    biases 0. PyTorch's default (uniform, variance 1 / (3 fan-in)) shrinks the signal through the
    eight layers, and the net without dropout then needs about twice the epochs to memorise.

    >>> layer = he_init_(nn.Linear(10_000, 100))
    >>> round(layer.weight.var().item() * 10_000, 1), layer.bias.abs().max().item()
    (2.0, 0.0)
    """
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            nn.init.zeros_(m.bias)
    return model


def with_course_dropout(model: nn.Module) -> nn.Module:
    """Replace every ``nn.Dropout`` of ``model`` by the course's from-scratch ``Dropout``
    with the same p (in place; the masks are the same for the same seed)."""
    for name, child in model.named_children():
        if isinstance(child, nn.Dropout):
            setattr(model, name, Dropout(child.p))
        else:
            with_course_dropout(child)
    return model


def build_variant(variant: str, size: Budget) -> nn.Module:
    """``variant``'s network: the course's ``Dropout`` with p = ``size.p`` where the placement
    puts it (none at all for ``"none"``), He-initialised."""
    if variant not in PLACEMENTS:
        raise ValueError(f"unknown variant {variant!r}; choose one of {', '.join(PLACEMENTS)}")
    model = build_alexnet(placement_config(variant, size), dropout=size.p)
    if PLACEMENTS[variant] is None:  # no dropout: take the layers out rather than set p = 0
        model.classifier = nn.Sequential(*(m for m in model.classifier if not isinstance(m, nn.Dropout)))
    return he_init_(with_course_dropout(model))


def dropped_inputs(model: nn.Module) -> list[str]:
    """The fully connected layers (fc6, fc7, fc8) whose inputs a dropout layer of ``model``
    with p > 0 drops: the Linear that comes next after each Dropout in the classifier.

    >>> dropped_inputs(nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Dropout(0.5), nn.Linear(3, 2)))
    ['fc7']
    """
    layers = list(model.classifier if hasattr(model, "classifier") else model)
    names = {id(m): f"fc{6 + k}" for k, m in enumerate(m for m in layers if isinstance(m, nn.Linear))}
    found = []
    for i, m in enumerate(layers):
        if isinstance(m, (nn.Dropout, Dropout)) and m.p > 0:
            found.append(next(names[id(n)] for n in layers[i + 1:] if isinstance(n, nn.Linear)))
    return found


def _score(model: nn.Module, data, size: Budget, device: torch.device) -> dict[str, float]:
    """Eval-mode (dropout off) loss and top-1 of ``model`` on ``data``."""
    return evaluate(model, batches(data, 500, device=device, image_size=size.image_size),
                    channels_last=True)


def train_and_score(model: nn.Module, train_data, test_data, size: Budget, seed: int,
                    device=None) -> list[dict]:
    """Train ``model`` for ``size.epochs`` at a constant AdamW rate (no weight decay, no label
    smoothing: nothing but dropout regularises), the course's :func:`~alexnet_course.train.run_epoch`
    once per epoch, batches in ``seed``'s order. Every ``size.score_every`` epochs, after
    ``size.early_epoch`` and after the last, both sets are scored in eval mode: one row per scored
    epoch, accuracies as fractions, ``seconds`` since the start."""
    dev = torch.device(device) if device is not None else devices.device()
    config = recipe("modern", optimizer="adamw", lr=size.lr, epochs=size.epochs,
                    batch_size=size.batch_size, schedule="constant", weight_decay=0.0,
                    label_smoothing=0.0, seed=seed, channels_last=True)  # NHWC: ~30 % faster on a CPU
    model.to(dev, memory_format=torch.channels_last)
    optimizer, scaler = make_optimizer(model, config), torch.amp.GradScaler(dev.type, enabled=False)
    train_batches = batches(train_data, config.batch_size, device=dev, image_size=size.image_size,
                            shuffle=True, seed=seed)
    rows, history, began = [], History(), time.perf_counter()
    for epoch in range(1, config.epochs + 1):
        train_batches.set_epoch(epoch)
        run_epoch(model, train_batches, optimizer, scaler, config, epoch=epoch, history=history)
        if epoch % size.score_every == 0 or epoch in (size.early_epoch, config.epochs):
            train, test = _score(model, train_data, size, dev), _score(model, test_data, size, dev)
            rows.append({"epoch": epoch, "train_top1": train["top1"], "test_top1": test["top1"],
                         "gap": train["top1"] - test["top1"], "train_loss": train["loss"],
                         "test_loss": test["loss"], "seconds": time.perf_counter() - began})
    return rows


def geometric_mean(log_probs: torch.Tensor) -> torch.Tensor:
    """The normalised geometric mean of T predictive distributions, as log-probabilities:
    ``log_probs`` is (T, N, C); the mean of the T log-probabilities of each class,
    renormalised over the classes. (It is the softmax of the mean logits.)

    >>> passes = torch.tensor([[[0.5, 0.5]], [[0.9, 0.1]]]).log()  # two passes, one image
    >>> geometric_mean(passes).exp()  # √0.45 : √0.05 = 3 : 1
    tensor([[0.7500, 0.2500]])
    """
    return log_probs.mean(0).log_softmax(-1)


def arithmetic_mean(log_probs: torch.Tensor) -> torch.Tensor:
    """The arithmetic mean of T predictive distributions, as log-probabilities.

    >>> passes = torch.tensor([[[0.5, 0.5]], [[0.9, 0.1]]]).log()
    >>> arithmetic_mean(passes).exp()
    tensor([[0.7000, 0.3000]])
    """
    return torch.logsumexp(log_probs, 0) - math.log(log_probs.shape[0])


def kl_divergence(log_p: torch.Tensor, log_q: torch.Tensor) -> float:
    """KL(p ‖ q) in nats, averaged over the rows (images) of the (N, C) log-probabilities.

    >>> p = torch.tensor([[0.5, 0.5]]).log()
    >>> round(kl_divergence(p, torch.tensor([[0.9, 0.1]]).log()), 4)  # ½ ln(0.5/0.9) + ½ ln(0.5/0.1)
    0.5108
    """
    return (log_p.exp() * (log_p - log_q)).sum(-1).mean().item()


def _stochastic(model: nn.Module, on: bool) -> None:
    """Dropout layers on (training mode) or off, everything else left in eval mode."""
    for m in model.modules():
        if isinstance(m, (nn.Dropout, Dropout)):
            m.train(on)


@torch.inference_mode()
def _features(model: nn.Module, data, image_size: int, device) -> tuple[torch.Tensor, torch.Tensor]:
    """The flattened input of the classifier (what pool5 and the avgpool hand to fc6) for every
    image of ``data``, and the targets. The convolutions have no dropout: computed once."""
    feats, targets = [], []
    for x, y in batches(data, 500, device=device, image_size=image_size):
        h = model.features(x.contiguous(memory_format=torch.channels_last))
        feats.append(torch.flatten(model.avgpool(h) if model.avgpool is not None else h, 1))
        targets.append(y)
    return torch.cat(feats), torch.cat(targets)


def _measures(log_probs: torch.Tensor, targets: torch.Tensor, reference: torch.Tensor) -> dict:
    """Top-1, NLL, and closeness to the deterministic pass ``reference`` (KL from it, argmax
    agreement) of the (N, C) log-probabilities."""
    return {"top1": (log_probs.argmax(1) == targets).double().mean().item(),
            "nll": F.nll_loss(log_probs, targets).item(),
            "kl": kl_divergence(log_probs, reference),
            "agree": (log_probs.argmax(1) == reference.argmax(1)).double().mean().item()}


@torch.inference_mode()
def ensemble(model: nn.Module, test_data, passes=(1, 4, 16), *, image_size: int, seed: int = 0,
             device=None) -> dict:
    """The deterministic pass (eval mode, all units on) against the geometric and arithmetic
    means of T stochastic passes (dropout on), for every T in ``passes``, on ``test_data``.

    Returns ``{"deterministic": {"top1", "nll"}, "rows": [...]}``, one row per T with
    ``geometric_*`` and ``arithmetic_*`` top1, nll, kl (KL(mean ‖ deterministic), nats) and agree
    (share of images whose argmax equals the deterministic pass's). The masks are drawn from
    ``seed``; the caller's random stream is left as it was.
    """
    device = next(model.parameters()).device if device is None else torch.device(device)
    model.eval()
    h, y = _features(model, test_data, image_size, device)
    reference = model.classifier(h).log_softmax(1)
    with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):
        torch.manual_seed(seed)
        _stochastic(model, True)
        stochastic = torch.stack([model.classifier(h).log_softmax(1) for _ in range(max(passes))])
        _stochastic(model, False)
    rows = []
    for t in sorted(passes):
        means = {"geometric": geometric_mean(stochastic[:t]), "arithmetic": arithmetic_mean(stochastic[:t])}
        rows.append({"passes": t, **{f"{name}_{key}": value for name, log_probs in means.items()
                                     for key, value in _measures(log_probs, y, reference).items()}})
    deterministic = {"top1": (reference.argmax(1) == y).double().mean().item(),
                     "nll": F.nll_loss(reference, y).item()}
    return {"deterministic": deterministic, "rows": rows}


@dataclass
class DropoutResult:
    """Rows per (variant, seed, scored epoch), one ensemble per (dropout variant, seed), and the
    trained models (kept for the notebook's follow-ups, not part of the tidy data)."""

    profile: str
    size: Budget
    rows: list[dict] = field(default_factory=list)
    ensembles: list[dict] = field(default_factory=list)
    models: dict = field(default_factory=dict, repr=False)

    @property
    def variants(self) -> list[str]:
        return [v for v in PLACEMENTS if any(r["variant"] == v for r in self.rows)]

    def values(self, variant: str, key: str, epoch: int | None = None) -> list[float]:
        """``key`` for every seed of ``variant`` at ``epoch`` (default: the last), seed order:
        accuracies and the gap in points (×100), losses in nats."""
        epoch = self.size.epochs if epoch is None else epoch
        scale = 1.0 if key.endswith("_loss") else 100.0
        return [scale * v for v in seed_values(self.rows, key, variant=variant, epoch=epoch)]

    def effect(self, variant: str, baseline: str, key: str, epoch: int | None = None) -> PairedEffect:
        """``variant`` minus ``baseline`` in ``key`` at ``epoch``, paired by seed, in points."""
        return paired_effect(self.values(variant, key, epoch), self.values(baseline, key, epoch))

    def summary(self, epoch: int | None = None) -> list[dict]:
        """Per variant at ``epoch``: mean over seeds of train and test accuracy and of the gap
        (%), and of the test loss (nats)."""
        return [{"variant": v, "seeds": len(self.values(v, "gap", epoch)),
                 **{key: statistics.fmean(self.values(v, key, epoch))
                    for key in ("train_top1", "test_top1", "gap", "test_loss")}} for v in self.variants]

    def first_epoch_reaching(self, variant: str, train_accuracy: float) -> int | None:
        """The first scored epoch at which ``variant``'s mean training accuracy (%) reaches
        ``train_accuracy``; None if none does."""
        epochs = sorted({r["epoch"] for r in self.rows if r["variant"] == variant})
        return next((e for e in epochs
                     if statistics.fmean(self.values(variant, "train_top1", e)) >= train_accuracy), None)

    def _against_none(self, epoch: int) -> list[str]:
        """Each placement minus none at ``epoch``: test accuracy, the gap, and the test loss
        (where memorising shows first)."""
        out = []
        for v in self.variants[1:]:
            what = f"{v} placement minus none after {epoch} epochs"
            out.append(self.effect(v, "none", "test_top1", epoch).reading(
                f"{what}, test accuracy", f"{LABELS[v]} raised test accuracy",
                f"{LABELS[v]} lowered test accuracy"))
            out.append(self.effect(v, "none", "gap", epoch).reading(
                f"{what}, train − test gap", f"{LABELS[v]} widened the gap",
                f"{LABELS[v]} narrowed the gap"))
            out.append(self.effect(v, "none", "test_loss", epoch).reading(
                f"{what}, test NLL", f"{LABELS[v]} raised the test loss",
                f"{LABELS[v]} lowered the test loss", unit=" nats"))
        return out

    def overfitting_verdicts(self) -> list[str]:
        """Each placement against none at the last epoch, where the network has memorised."""
        return self._against_none(self.size.epochs)

    def early_verdicts(self) -> list[str]:
        """Each placement against none after ``size.early_epoch`` epochs, before memorising."""
        return self._against_none(self.size.early_epoch)

    def placement_verdicts(self) -> list[str]:
        """The paper's placement against torchvision's at the last epoch."""
        what = f"paper minus torchvision placement after {self.size.epochs} epochs"
        return [self.effect("paper", "torchvision", "test_top1").reading(
                    f"{what}, test accuracy", "dropping the outputs gave the higher test accuracy",
                    "dropping the inputs gave the higher test accuracy"),
                self.effect("paper", "torchvision", "gap").reading(
                    f"{what}, train − test gap", "dropping the outputs left the wider gap",
                    "dropping the outputs left the narrower gap")]

    def ensemble_values(self, variant: str, key: str, passes: int | None = None) -> list[float]:
        """``key`` of the ``passes``-pass row (default: the most passes) of ``variant``'s
        ensembles, seed order; ``"deterministic_top1"`` / ``"deterministic_nll"`` for the one pass."""
        passes = max(self.size.passes) if passes is None else passes
        chosen = [e for e in self.ensembles if e["variant"] == variant]
        if key.startswith("deterministic_"):
            rows = [{"seed": e["seed"], key: e["deterministic"][key.removeprefix("deterministic_")]}
                    for e in chosen]
        else:
            rows = [{"seed": e["seed"], **r} for e in chosen for r in e["rows"] if r["passes"] == passes]
        return seed_values(rows, key)

    @property
    def ensemble_variants(self) -> list[str]:
        return [v for v in PLACEMENTS if any(e["variant"] == v for e in self.ensembles)]

    def ensemble_effect(self, variant: str, key: str, baseline: str, scale: float = 100.0) -> PairedEffect:
        """``key`` minus ``baseline`` (both :meth:`ensemble_values` keys, most passes) of
        ``variant``'s ensembles, paired by seed, times ``scale``."""
        return paired_effect([scale * x for x in self.ensemble_values(variant, key)],
                             [scale * x for x in self.ensemble_values(variant, baseline)])

    def ensemble_verdicts(self) -> list[str]:
        """Per placement: the one deterministic pass against the geometric mean of the most
        passes (test accuracy; NLL), and whether it is closer (in KL) to the geometric mean
        than to the arithmetic one. NLL and KL in 10⁻³ nats."""
        t, millinats, out = max(self.size.passes), " × 10⁻³ nats", []
        for v in self.ensemble_variants:
            what = f"{v} placement, one deterministic pass minus the geometric mean of {t} passes"
            out.append(self.ensemble_effect(v, "deterministic_top1", "geometric_top1").reading(
                f"{what}, test accuracy", "the one pass was more accurate", "the one pass was less accurate"))
            out.append(self.ensemble_effect(v, "deterministic_nll", "geometric_nll", 1000).reading(
                f"{what}, test NLL", "the one pass had the higher NLL", "the one pass had the lower NLL",
                unit=millinats))
            out.append(self.ensemble_effect(v, "geometric_kl", "arithmetic_kl", 1000).reading(
                f"{v} placement, KL(geometric ‖ one pass) minus KL(arithmetic ‖ one pass), {t} passes",
                "the one pass was nearer the arithmetic mean", "the one pass was nearer the geometric mean",
                unit=millinats))
        return out

    def verdicts(self) -> list[str]:
        return (self.overfitting_verdicts() + self.early_verdicts() + self.placement_verdicts()
                + self.ensemble_verdicts())


def overfitting(profile: str | Profile | None = None, device=None,
                progress: bool = False) -> DropoutResult:
    """Train every placement of :data:`PLACEMENTS` for every seed of the profile on a small
    subset, scoring train and test as it goes; then measure every dropout network's ensemble."""
    prof, size = budget(profile, SIZES)
    train_data, test_data = fashion_splits(prof, size.train_samples, size.test_samples)
    result = DropoutResult(prof.name, size)

    def train_one(seed: int, variant: str) -> list[dict]:
        model = build_variant(variant, size)
        rows = train_and_score(model, train_data, test_data, size, seed, device)
        result.models[variant, seed] = model
        if PLACEMENTS[variant] is not None:
            began = time.perf_counter()
            measured = ensemble(model, test_data, size.passes, image_size=size.image_size, seed=seed)
            result.ensembles.append({"variant": variant, "seed": seed, **measured,
                                     "seconds": time.perf_counter() - began})
        return rows

    for seed, variant, rows in run_seeds(size.seeds, PLACEMENTS, train_one, progress):
        result.rows += [{"variant": variant, "seed": seed, **row} for row in rows]
    return result
