"""Local response normalization (paper §3.3): what it does to a real activation map, and a
measured ablation of the small AlexNet without normalization, with the paper's LRN, and with
batch normalization in LRN's place (what later networks used instead), in two input regimes.

The activation map is "conv1-like": a real photo (the paper fed raw pixels minus the mean,
so values span hundreds) through a fixed bank of oriented Gabor filters, ordered by
orientation so that neighbouring channels detect similar edges, then a ReLU. It needs no
training, so every number computed from it is exact and repeatable.

The ablation trains every normalization on two scales of the same images:

- ``"raw"``: pixel values 0–255 minus the mean pixel, the paper's only preprocessing. conv1's
  and conv2's activations run into the tens and hundreds, where LRN's divisor
  (k + α Σ a²)^β moves well above its floor k^β: LRN really normalizes.
- ``"standardised"``: the course's usual input, mean 0 and standard deviation 1. Activations
  are a few units, α Σ a² stays far below k, and LRN is the constant scaling k^(−β) ≈ 0.595.

Each variant is compared with the net without normalization of the same seed and regime
(paired), by the 95 % interval of :class:`~alexnet_course.experiments.common.PairedEffect`;
:func:`divisor_spread` measures how far the trained nets' LRN divisors actually move.

>>> a = conv1_like_activations(size=32)
>>> tuple(a.shape), bool((a >= 0).all())
((16, 22, 22), True)
>>> SIZES["cpu"].seeds, sorted(REGIMES)
(5, ['raw', 'standardised'])
"""

from __future__ import annotations

import math
import statistics
import time
from dataclasses import dataclass, field, replace

import torch
import torch.nn.functional as F
from torch import nn

from ..data import FASHION_MNIST_RAW_SCALE
from ..layers import LocalResponseNorm, lrn_divisor
from ..profiles import Profile
from .common import Budget, PairedEffect, budget, fashion_splits, paired_effect, run_seeds, seed_values

__all__ = ["gabor_bank", "conv1_like_activations", "NORMS", "REGIMES", "REGIME_NAMES", "PAPER_EFFECT",
           "SIZES", "OPTIMIZER", "InputScale", "normalized_alexnet", "DivisorSpread", "divisor_spread",
           "lrn_divisor_spreads", "LRNAblation", "lrn_ablation"]


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
# what the standardised batches are multiplied by: data.FASHION_MNIST_RAW_SCALE gives the 0–255
# scale minus the mean pixel
REGIMES = {"raw": FASHION_MNIST_RAW_SCALE, "standardised": 1.0}
REGIME_NAMES = {"raw": "raw pixels (0–255 minus the mean)",
                "standardised": "standardised pixels (mean 0, std 1)"}
# Krizhevsky et al. 2012, §3.3: LRN lowered ImageNet top-1 and top-5 error by these points.
PAPER_EFFECT = {"top1": -1.4, "top5": -1.2}
# A baseline whose mean test error is at or above this (chance: 90 on 10 classes) did not
# learn, and a difference to it would mean nothing.
CHANCE_ERROR = 85.0
# LRN's divisor counts as "moved" where it is more than 1 % above its floor k^β.
MOVED = 1.01

SIZES = {
    "smoke": Budget(train_samples=1000, test_samples=200, epochs=3, seeds=2, lr=3e-3,
                    width=0.25, image_size=28, dropout=0.0),
    # A quarter of the small AlexNet's widths (8-16-24-24-16, fc 128) on 28 px Fashion-MNIST
    # (its own size: no resizing), so that 2 regimes × 3 norms × 5 seeds fit in ~1.5 minutes of
    # one CPU core. No dropout: in four short epochs it only slows learning and adds noise to
    # the paired differences; it is not what is compared here.
    "cpu": Budget(train_samples=2000, test_samples=500, epochs=4, seeds=5, lr=3e-3,
                  width=0.25, image_size=28, dropout=0.0),
    "gpu": Budget(train_samples=None, test_samples=None, epochs=10, seeds=5, batch_size=128, lr=3e-3,
                  width=1.0, image_size=32, dropout=0.5),
}
# The optimiser, the same for all six nets: AdamW. Its step per weight does not grow with
# the gradient, which in conv1 grows with the input's scale (×90 on raw pixels), so one
# learning rate trains both regimes. With the recipe's SGD (one-cycle, 2000 images, 4 epochs)
# no single rate did: at 0.05 the raw-pixel net without normalization stayed near chance (80 %
# test error), at 0.005 it learned (31 %) but the batch-norm one did not (88 %).
OPTIMIZER = "adamw"


class InputScale(nn.Module):
    """Multiplies its input by a fixed ``factor``: the first layer of the raw-pixel nets, which
    turns the standardised batches every net is fed into pixel values 0–255 minus the mean.

    >>> layer = InputScale(255 * 0.5)
    >>> layer(torch.tensor([-1.0, 0.0, 1.0])).tolist()  # p/255 = m ± s with s = 0.5
    [-127.5, 0.0, 127.5]
    """

    def __init__(self, factor: float):
        super().__init__()
        self.factor = factor

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.factor

    def extra_repr(self) -> str:
        return f"factor={self.factor:g}"


def normalized_alexnet(norm: str, width: float = 0.25, regime: str = "standardised",
                       dropout: float = 0.5) -> nn.Module:
    """The small AlexNet (``models.alexnet.SMALL``) scaled by ``width``, with nothing, the
    paper's LRN, or ``BatchNorm2d`` after the ReLUs of conv1 and conv2 (where the paper put LRN);
    in the ``"raw"`` regime its first layer is :class:`InputScale` (pixels 0–255 minus the mean).

    >>> [type(m).__name__ for m in normalized_alexnet("batch norm").features][:3]
    ['Conv2d', 'ReLU', 'BatchNorm2d']
    >>> [type(m).__name__ for m in normalized_alexnet("LRN", regime="raw").features][:4]
    ['InputScale', 'Conv2d', 'ReLU', 'LocalResponseNorm']
    """
    from ..models.alexnet import SMALL, build_alexnet, scaled

    if norm not in NORMS:
        raise ValueError(f"norm must be one of {NORMS}, not {norm!r}")
    if regime not in REGIMES:
        raise ValueError(f"regime must be one of {tuple(REGIMES)}, not {regime!r}")
    model = build_alexnet(replace(scaled(SMALL, width), lrn=norm != "none"), dropout=dropout)
    if norm == "batch norm":
        channels = None
        for i, module in enumerate(model.features):
            if isinstance(module, nn.Conv2d):
                channels = module.out_channels
            elif isinstance(module, LocalResponseNorm):
                model.features[i] = nn.BatchNorm2d(channels)
    if regime == "raw":
        model.features = nn.Sequential(InputScale(REGIMES[regime]), *model.features)
    return model


@dataclass(frozen=True)
class DivisorSpread:
    """How much LRN's divisor (k + α Σ a²)^β varies over a batch, every channel and position:
    its smallest, median and largest value divided by the floor k^β (1: LRN divides there by
    the constant k^β only), and the share of activations whose divisor is more than 1 % above
    the floor."""

    smallest: float
    median: float
    largest: float
    share_moved: float


def divisor_spread(a: torch.Tensor, layer: LocalResponseNorm | None = None) -> DivisorSpread:
    """The spread of ``layer``'s divisor (default: the paper's LRN) over the input ``a``
    ``(N, C, ...)`` it is applied to.

    >>> a = torch.tensor([[0.0, 0.0], [100.0, 0.0], [0.0, 0.0]]).reshape(1, 3, 1, 2)
    >>> spread = divisor_spread(a)  # pixel 0: every window holds 100², (2 + 1)^0.75 / 2^0.75
    >>> spread.smallest, round(spread.largest, 4), spread.share_moved
    (1.0, 1.3554, 0.5)
    """
    layer = layer if layer is not None else LocalResponseNorm()
    divisor = lrn_divisor(a.detach().double(), layer.size, layer.alpha, layer.beta, layer.k)
    relative = (divisor / layer.k ** layer.beta).flatten()
    return DivisorSpread(smallest=relative.min().item(), median=relative.quantile(0.5).item(),
                         largest=relative.max().item(),
                         share_moved=(relative > MOVED).double().mean().item())


@torch.no_grad()
def lrn_divisor_spreads(model: nn.Module, images: torch.Tensor) -> tuple[DivisorSpread, ...]:
    """The divisor spread of every LRN layer of ``model`` (in order) on a batch ``images``, in
    evaluation mode: what each layer really divided by."""
    inputs = []
    hooks = [m.register_forward_hook(lambda layer, args, out: inputs.append((layer, args[0])))
             for m in model.modules() if isinstance(m, LocalResponseNorm)]
    try:
        model.eval()
        model(images)
    finally:
        for hook in hooks:
            hook.remove()
    return tuple(divisor_spread(a, layer) for layer, a in inputs)


@dataclass
class LRNAblation:
    """One row per run (``rows``): regime, norm, seed, final errors in points, seconds and,
    for the LRN nets, the spread of each LRN layer's divisor on test images."""

    profile: str
    size: Budget
    rows: list[dict] = field(default_factory=list)

    # for the figures (plots/ does not import experiments/): what was compared, in order
    norms = NORMS
    regime_names = REGIME_NAMES

    def errors(self, regime: str, norm: str) -> list[float]:
        """Final test top-1 error (points) of every seed of ``norm`` in ``regime``, seed order."""
        return seed_values(self.rows, "test_top1_error", regime=regime, norm=norm)

    def effect(self, regime: str, norm: str) -> PairedEffect:
        """``norm`` minus no normalization, final test top-1 error, paired by seed."""
        return paired_effect(self.errors(regime, norm), self.errors(regime, "none"))

    def summary(self) -> list[dict]:
        """Per regime and normalization: final test error mean and standard deviation over seeds."""
        out = []
        for regime in REGIMES:
            for norm in NORMS:
                errors = self.errors(regime, norm)
                if errors:
                    out.append(dict(regime=regime, norm=norm, runs=len(errors),
                                    test_error_mean=statistics.fmean(errors),
                                    test_error_std=statistics.stdev(errors) if len(errors) > 1 else math.nan))
        return out

    def verdict(self, regime: str, norm: str) -> str:
        """Whether ``norm`` changed the final test error in ``regime``, by the paired 95 %
        interval; for LRN beside the paper's ImageNet figure."""
        name = REGIME_NAMES[regime]
        baseline = self.errors(regime, "none")
        if not baseline or not self.errors(regime, norm):
            return f"{name}: {norm} not measured."
        if statistics.fmean(baseline) >= CHANCE_ERROR:
            return (f"{name}: the network without normalization did not learn (mean test error "
                    f"{statistics.fmean(baseline):.1f} %), so this run cannot measure {norm}.")
        reading = self.effect(regime, norm).reading(
            f"{norm} minus none, test top-1 error", f"{norm} raised the test error",
            f"{norm} lowered the test error")
        paper = (f"; paper, ImageNet: {_signed(PAPER_EFFECT['top1'])} top-1, "
                 f"{_signed(PAPER_EFFECT['top5'])} top-5 points" if norm == "LRN" else "")
        return f"{name}: {reading}{paper}."

    def verdicts(self) -> list[str]:
        """One sentence per regime and normalization (LRN, then batch norm)."""
        return [self.verdict(regime, norm) for regime in REGIMES for norm in NORMS[1:]]

    def divisor_table(self) -> list[dict]:
        """Per regime and LRN layer: the divisor's spread on test images, divided by its floor
        k^β, averaged over the seeds' trained LRN nets."""
        out = []
        for regime in REGIMES:
            spreads = seed_values(self.rows, "divisors", regime=regime, norm="LRN")
            for i, layer in enumerate(zip(*spreads)):
                out.append({"regime": regime, "layer": f"LRN after conv{i + 1}",
                            "smallest ÷ k^β": statistics.fmean(s.smallest for s in layer),
                            "median ÷ k^β": statistics.fmean(s.median for s in layer),
                            "largest ÷ k^β": statistics.fmean(s.largest for s in layer),
                            "share > 1.01 k^β": statistics.fmean(s.share_moved for s in layer)})
        return out


def _signed(points: float) -> str:
    """``-1.4`` as ``−1.4`` (a typeset minus, as the interval's numbers are)."""
    return f"{points:+.1f}".replace("-", "−")


def train_one(model: nn.Module, train_data, test_data, size: Budget, seed: int, device) -> dict:
    """Train ``model`` at ``size`` with the data order of ``seed``; its final errors (points),
    wall seconds and LRN divisor spreads on the first 200 test images."""
    from ..loaders import prepare_batch
    from ..train import fit, recipe

    config = recipe("modern", optimizer=OPTIMIZER, lr=size.lr, epochs=size.epochs,
                    batch_size=size.batch_size, seed=seed)
    began = time.perf_counter()
    history = fit(model, train_data, test_data, config, image_size=size.image_size, device=device,
                  progress=False)
    last = history.epochs[-1]
    probe = prepare_batch(test_data.images[:200], size.image_size).to(next(model.parameters()).device)
    return {"train_top1_error": 100 * (1 - last["train_top1"]),
            "test_top1_error": 100 * (1 - last["test_top1"]),
            "seconds": time.perf_counter() - began,
            "divisors": lrn_divisor_spreads(model, probe)}


def lrn_ablation(profile: str | Profile | None = None, *, device: torch.device | str | None = None,
                 progress: bool = False) -> LRNAblation:
    """Train the small AlexNet without normalization, with LRN and with batch norm, on raw and
    on standardised pixels, every seed of the profile."""
    prof, size = budget(profile, SIZES)
    train_data, test_data = fashion_splits(prof, size.train_samples, size.test_samples)
    variants = [(regime, norm) for regime in REGIMES for norm in NORMS]

    def run(seed: int, variant: tuple[str, str]) -> dict:
        regime, norm = variant
        model = normalized_alexnet(norm, size.width, regime, size.dropout)
        return {"regime": regime, "norm": norm, "seed": seed,
                **train_one(model, train_data, test_data, size, seed, device)}

    rows = [row for _, _, row in run_seeds(size.seeds, variants, run, progress)]
    return LRNAblation(prof.name, size, rows)
