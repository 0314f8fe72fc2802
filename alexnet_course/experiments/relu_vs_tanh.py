"""The paper's Figure 1 in small, in two regimes: optimiser steps to 25 % training error with
ReLU and with tanh units in the same four-layer network, paired by seed.

Krizhevsky et al. (§3.1, Figure 1) trained a four-layer convolutional network on CIFAR-10 and
found that with ReLUs it reached 25 % training error six times faster than with tanh units,
"the learning rates for each network ... chosen independently to make training as fast as
possible". Here the network is the same kind (:func:`figure1_net`: three 5×5 convolutions,
each followed by the activation and a 3/2 max-pool, then one linear layer), on Fashion-MNIST at
28 px, trained by SGD (momentum 0.9, constant rate, no weight decay) in two regimes
(:data:`REGIMES`):

- ``paper``: pixel values on the 0–255 scale minus the mean pixel, as the paper fed ImageNet
  (it subtracted the mean image; here one mean for every pixel), every weight drawn from
  N(0, 0.01²) as the paper's were, every bias 0, no normalisation layer. A conv1 pre-activation
  sums 25 products of a weight (0.01) and a pixel (standard deviation 255 × 0.353 ≈ 90), so it
  has a standard deviation of about √25 × 0.01 × 90 ≈ 4.5: tanh starts saturated there.
- ``modern``: standardised inputs (mean 0, standard deviation 1) and PyTorch's default
  initialisation (Kaiming-uniform with a = √5: weights U(±1/√fan_in)): tanh starts in its
  near-linear range.

**What is counted**: optimiser steps until the *running training error*, the share of the
images of the last ``window`` batches that the net misclassified as it trained on them, is at
most 25 %, checked every ``check_every`` steps. A running error rather than a held-out probe
evaluated at each check: it is what the paper's curve plots (training error on the batches
trained on), and it costs nothing, where a 500-image probe costs the forward passes of ten
batches at every check, more than half the training itself at this size. Its price is a lag of
about ``window / 2`` steps (the window's images met weights up to ``window`` steps old), the
same number of steps for both activations, so it pulls a tanh/ReLU ratio towards 1. A run
stops at the threshold or at the step cap (``epochs`` passes over the training images); one
that never got there has ``steps = None``, and the verdict counts it apart, never imputes it.

**Learning rates** (:data:`VARIANTS`) come from a trial, ``relu_vs_tanh("cpu", variants=[...],
seeds=2)`` over a grid of rates: steps to 25 % of seeds 0 and 1 (cap 1,440; "never": the cap was
reached, the final running error in brackets):

======  ====  ================================================================================
regime        steps at learning rate …
======  ====  ================================================================================
paper   ReLU  1e-3: 170, 195 · **3e-3: 150, 185** · 1e-2: never, never (90 %, 58 %: dead units)
paper   tanh  3e-3: 520, 545 · 1e-2: 225, 200 · **3e-2: 170, 240** · 1e-1: 990, 1110
modern  ReLU  1e-2: 115, 135 · **3e-2: 105, 55** · 1e-1: never, never (91 %, 36 %)
modern  tanh  1e-2: 115, 180 · **3e-2: 65, 60** · 1e-1: 70, 55
======  ====  ================================================================================

So the paper regime is measured twice: both activations at 3e-3, ReLU's fastest rate (one rate
isolates the activation), and each at its own fastest (the paper's protocol), which gives tanh
3e-2: where tanh saturates, it also tolerates a ten times larger rate, because its outputs stay
within ±1 where a ReLU passes on values on the scale of its 0–255 inputs. In the modern regime
3e-2 is about the fastest rate of both.

>>> SIZES["smoke"].seeds
2
>>> net = figure1_net(nn.Tanh)
>>> [type(m).__name__ for m in net][:3], net(torch.zeros(2, 1, 28, 28)).shape
(['Conv2d', 'Tanh', 'MaxPool2d'], torch.Size([2, 10]))
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from .. import devices, loaders
from ..activation_stats import SATURATED, saturated_share
from ..data import FASHION_MNIST_RAW_SCALE
from ..profiles import Profile
from .common import Budget, PairedEffect, budget, fashion_splits, paired_effect, run_seeds, seed_values

__all__ = ["ACTIVATIONS", "COMPARISONS", "PAPER_SPEEDUP", "REGIMES", "SATURATED", "SIZES", "THRESHOLD",
           "VARIANTS", "Comparison", "Regime", "ReluVsTanh", "Variant", "figure1_net",
           "preactivations", "relu_vs_tanh", "saturated_share"]

THRESHOLD = 0.25  # the paper's Figure 1 line: 25 % training error
PAPER_SPEEDUP = 6.0  # Figure 1: ReLU reached it "six times faster" than tanh (CIFAR-10)
ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {"ReLU": nn.ReLU, "tanh": nn.Tanh}


@dataclass(frozen=True)
class Regime:
    """How the network is fed and initialised."""

    name: str
    input_scale: float  # multiplies the standardised batch
    paper_init: bool  # weights N(0, 0.01²), biases 0; else PyTorch's default
    description: str


# the 0–255 scale, minus the mean pixel, from a standardised batch (see data.FASHION_MNIST_RAW_SCALE)
RAW_SCALE = FASHION_MNIST_RAW_SCALE
REGIMES = {
    "paper": Regime("paper", RAW_SCALE, True,
                    "pixels 0–255 minus their mean, weights N(0, 0.01²), biases 0"),
    "modern": Regime("modern", 1.0, False,
                     "standardised pixels, PyTorch's default (Kaiming-uniform) initialisation"),
}


@dataclass(frozen=True)
class Variant:
    """One kind of run: a regime, an activation and its learning rate."""

    regime: str
    activation: str
    lr: float

    @property
    def label(self) -> str:
        """
        >>> Variant("paper", "tanh", 3e-2).label
        'paper tanh lr 0.03'
        """
        return f"{self.regime} {self.activation} lr {self.lr:g}"


VARIANTS = [Variant("paper", "ReLU", 3e-3), Variant("paper", "tanh", 3e-3), Variant("paper", "tanh", 3e-2),
            Variant("modern", "ReLU", 3e-2), Variant("modern", "tanh", 3e-2)]


@dataclass(frozen=True)
class Comparison:
    """tanh's runs against ReLU's, paired by seed."""

    label: str
    tanh: Variant
    relu: Variant


COMPARISONS = [
    Comparison("paper regime, one rate for both (3e-3)", VARIANTS[1], VARIANTS[0]),
    Comparison("paper regime, each its own fastest rate (tanh 3e-2, ReLU 3e-3)", VARIANTS[2], VARIANTS[0]),
    Comparison("modern regime, one rate for both (3e-2)", VARIANTS[4], VARIANTS[3]),
]

SIZES = {
    # lr=None: every variant has its own rate (VARIANTS). epochs: the step cap, in passes.
    "smoke": Budget(train_samples=1500, test_samples=200, epochs=2, seeds=2, lr=None,
                    check_every=5, window=10),
    "cpu": Budget(train_samples=6000, test_samples=1000, epochs=12, seeds=5, lr=None,
                  check_every=5, window=10),
    "gpu": Budget(train_samples=None, test_samples=None, epochs=3, seeds=10, lr=None,
                  check_every=5, window=10),
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


def regime_net(activation: str, regime: Regime) -> nn.Sequential:
    """:func:`figure1_net` with ``activation``, initialised as ``regime`` says. (The paper's
    ``paper_init_`` is written for AlexNet's eight layers; its biases of 1 were for some of them.)"""
    net = figure1_net(ACTIVATIONS[activation])
    if regime.paper_init:
        for layer in net:
            if isinstance(layer, (nn.Conv2d, nn.Linear)):
                nn.init.normal_(layer.weight, mean=0.0, std=0.01)
                nn.init.zeros_(layer.bias)
    return net


def _keep_tanh_outputs(net: nn.Module, latest: dict[int, torch.Tensor]) -> list:
    """Hooks that keep the output of the last forward pass of every tanh layer in ``latest``
    (by layer number), so that its saturated share can be read when wanted."""
    def keep(index):
        return lambda module, inputs, output: latest.__setitem__(index, output.detach())

    tanhs = [m for m in net if isinstance(m, nn.Tanh)]
    return [layer.register_forward_hook(keep(i)) for i, layer in enumerate(tanhs)]


def train_to_threshold(net: nn.Module, variant: Variant, train_batches, size: Budget,
                       max_steps: int) -> dict:
    """SGD (momentum 0.9) on ``train_batches`` until the running training error is at most
    :data:`THRESHOLD` at a check, or ``max_steps``. Returns the curve ((step, running error) at
    every check), the steps to the threshold (None: never) and, for tanh, every tanh layer's
    saturated share on the batch of step 1 (the initial weights) and of every check."""
    regime = REGIMES[variant.regime]
    optimizer = torch.optim.SGD(net.parameters(), lr=variant.lr, momentum=0.9)
    wrong, seen, curve, saturation, latest = [], [], [], [], {}
    hooks = _keep_tanh_outputs(net, latest)

    def keep_saturation(at_step):
        if latest:
            saturation.append((at_step, [saturated_share(latest[i]) for i in sorted(latest)]))

    step, epoch, reached = 0, 0, None
    try:
        while step < max_steps and reached is None:
            epoch += 1
            train_batches.set_epoch(epoch)
            for x, y in train_batches:
                optimizer.zero_grad(set_to_none=True)
                logits = net(x * regime.input_scale)
                F.cross_entropy(logits, y).backward()
                optimizer.step()
                if step == 0:  # this batch met the initial weights
                    keep_saturation(0)
                step += 1
                wrong.append((logits.argmax(1) != y).sum())  # summed at the checks: no wait here
                seen.append(len(y))
                if step % size.check_every == 0 and step >= size.window:
                    error = torch.stack(wrong[-size.window:]).sum().item() / sum(seen[-size.window:])
                    curve.append((step, error))
                    keep_saturation(step)
                    reached = step if error <= THRESHOLD else None
                if step >= max_steps or reached is not None:
                    break
    finally:
        for hook in hooks:
            hook.remove()
    return dict(curve=curve, steps=reached, steps_run=step, saturation=saturation)


@torch.no_grad()
def held_out_error(net: nn.Module, test_batches, input_scale: float) -> float:
    """Top-1 error of ``net`` on every test batch."""
    net.eval()
    wrong = total = 0
    for x, y in test_batches:
        wrong += (net(x * input_scale).argmax(1) != y).sum().item()
        total += len(y)
    return wrong / total


def preactivations(regime: str, images: torch.Tensor, seed: int = 0) -> list[torch.Tensor]:
    """The pre-activations (conv outputs) of every layer of a freshly initialised tanh
    :func:`figure1_net` in ``regime`` on ``images`` (standardised, as the loaders give them).
    Seeded with ``seed``; the caller's random stream is left as it was."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        net = regime_net("tanh", REGIMES[regime])
    out = []
    hooks = [m.register_forward_hook(lambda m, i, o: out.append(o.detach()))
             for m in net if isinstance(m, nn.Conv2d)]
    with torch.no_grad():
        net(images * REGIMES[regime].input_scale)
    for hook in hooks:
        hook.remove()
    return out


def _ratio(log2_difference: float) -> str:
    """A ratio of steps from a difference of their log2.

    >>> _ratio(1.0), _ratio(-1.0)
    ('2.00×', '0.50×')
    """
    return f"{2 ** log2_difference:.2f}×"


def _paper() -> str:
    return f"paper, CIFAR-10: about {PAPER_SPEEDUP:.0f}×"


@dataclass
class ReluVsTanh:
    """One row per run (``rows``), and the verdicts of the :data:`COMPARISONS`."""

    profile: str
    size: Budget
    max_steps: int
    rows: list[dict] = field(default_factory=list)
    threshold: float = THRESHOLD

    def steps(self, variant: Variant) -> list[int | None]:
        """Steps to the threshold of every seed of ``variant`` (None: not within the cap)."""
        return seed_values(self.rows, "steps", regime=variant.regime, activation=variant.activation,
                           lr=variant.lr)

    def effect(self, comparison: Comparison) -> PairedEffect:
        """log2(tanh's steps / ReLU's steps) per seed, over the seeds where both got there."""
        pairs = [(t, r) for t, r in zip(self.steps(comparison.tanh), self.steps(comparison.relu))
                 if t is not None and r is not None]
        return paired_effect([math.log2(t) for t, _ in pairs], [math.log2(r) for _, r in pairs])

    def verdict(self, comparison: Comparison) -> str:
        """What the runs of ``comparison`` measured, worded by the 95 % interval of the log
        ratio, with the runs that never reached the threshold counted, not imputed."""
        tanh, relu = self.steps(comparison.tanh), self.steps(comparison.relu)
        effect = self.effect(comparison)
        if effect.n == 0:
            return f"{comparison.label}: {self._unpaired(tanh, relu)}"
        reading = effect.reading("log2 of tanh's steps over ReLU's",
                                 f"ReLU reached {self.threshold:.0%} training error sooner",
                                 f"tanh reached {self.threshold:.0%} training error sooner", unit="")
        ratio = (f"tanh/ReLU = {_ratio(effect.mean)}, 95 % interval {_ratio(effect.low)} to "
                 f"{_ratio(effect.high)}" if effect.n >= 2 else f"tanh/ReLU = {_ratio(effect.mean)}")
        return f"{comparison.label}: {reading}; {ratio} ({_paper()}){self._left_out(tanh, relu)}."

    def _left_out(self, tanh: list, relu: list) -> str:
        """The seeds the ratio leaves out, and which way leaving them out bends it."""
        only_tanh = sum(t is None and r is not None for t, r in zip(tanh, relu))
        only_relu = sum(r is None and t is not None for t, r in zip(tanh, relu))
        both = sum(t is None and r is None for t, r in zip(tanh, relu))
        if not only_tanh + only_relu + both:
            return ""
        parts = [f"{n} where {who}" for n, who in ((only_tanh, "tanh"), (only_relu, "ReLU"),
                                                  (both, "both")) if n]
        bends = ("" if bool(only_tanh) == bool(only_relu) else
                 f", so the ratio understates {'ReLU' if only_tanh else 'tanh'}'s lead")
        return (f"; left out: {only_tanh + only_relu + both} of {len(tanh)} seeds, {', '.join(parts)} "
                f"stayed above {self.threshold:.0%} training error for all {self.max_steps:,} steps{bends}")

    def _unpaired(self, tanh: list, relu: list) -> str:
        """The verdict when no seed has both runs at the threshold."""
        n, cap, pct = len(tanh), f"{self.max_steps:,}", f"{self.threshold:.0%}"
        got_relu, got_tanh = [r for r in relu if r is not None], [t for t in tanh if t is not None]
        if got_relu:
            return (f"ReLU reached {pct} training error in {len(got_relu)} of {n} seeds (at most "
                    f"{max(got_relu)} steps), tanh in none within {cap} steps: tanh/ReLU was over "
                    f"{self.max_steps / max(got_relu):.1f}× on those seeds, more than this run can "
                    f"size ({_paper()}).")
        if got_tanh:
            return (f"tanh reached {pct} training error in {len(got_tanh)} of {n} seeds (at most "
                    f"{max(got_tanh)} steps), ReLU in none within {cap} steps: the opposite of the "
                    f"paper ({_paper()}).")
        return (f"neither activation reached {pct} training error within {cap} steps in any of {n} "
                "seeds: too short a run to compare speeds.")

    def saturation(self, regime: str, when: str = "start", lr: float | None = None) -> list[float]:
        """Per tanh layer, the mean over the tanh runs of ``regime`` (at rate ``lr``; None: any)
        of the saturated share on the batch of the first step (``"start"``: the initial weights)
        or of the last check (``"end"``: at the threshold or the cap)."""
        runs = [row["saturation"] for row in self.rows
                if row["regime"] == regime and row["activation"] == "tanh" and row["saturation"]
                and lr in (None, row["lr"])]
        picked = [run[0][1] if when == "start" else run[-1][1] for run in runs]
        return [statistics.fmean(layer) for layer in zip(*picked)]

    def saturation_sentence(self) -> str:
        """The measured saturated shares at initialisation, regime by regime."""
        def shares(regime):
            return ", ".join(f"{s:.0%}" for s in self.saturation(regime))

        return (f"tanh units saturated (|tanh| > {SATURATED}) on each run's first batch, conv1, conv2, "
                f"conv3, mean over runs: paper regime {shares('paper')}; modern regime {shares('modern')}.")

    def verdicts(self) -> list[str]:
        return [self.verdict(c) for c in COMPARISONS] + [self.saturation_sentence()]


def relu_vs_tanh(profile: str | Profile | None = None, *, device: torch.device | str | None = None,
                 progress: bool = False, variants: list[Variant] | None = None,
                 seeds: int | None = None) -> ReluVsTanh:
    """Every variant (default :data:`VARIANTS`) for every seed of the profile (or the first
    ``seeds``), each until 25 % training error or the step cap. (``variants`` and ``seeds`` are
    for trials such as the one that chose the learning rates.)"""
    prof, size = budget(profile, SIZES)
    size = size if seeds is None else size.replace(seeds=seeds)
    dev = torch.device(device) if device is not None else devices.device()
    train_data, test_data = fashion_splits(prof, size.train_samples, size.test_samples)
    max_steps = size.epochs * math.ceil(len(train_data) / size.batch_size)
    test_batches = loaders.batches(test_data, 500, device=dev, image_size=28)

    def train_one(seed: int, variant: Variant) -> dict:
        began = time.perf_counter()
        net = regime_net(variant.activation, REGIMES[variant.regime]).to(dev)
        train_batches = loaders.batches(train_data, size.batch_size, device=dev, image_size=28,
                                        shuffle=True, seed=seed)
        run = train_to_threshold(net, variant, train_batches, size, max_steps)
        return dict(regime=variant.regime, activation=variant.activation, lr=variant.lr, seed=seed,
                    **run, test_error=held_out_error(net, test_batches, REGIMES[variant.regime].input_scale),
                    seconds=time.perf_counter() - began)

    rows = run_seeds(size.seeds, VARIANTS if variants is None else variants, train_one, progress)
    return ReluVsTanh(prof.name, size, max_steps, [row for _, _, row in rows])
