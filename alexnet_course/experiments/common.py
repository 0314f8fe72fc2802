"""What every experiment shares: its budget in the current profile, its Fashion-MNIST
splits, the grid of (seed, variant) runs with an optional bar, and one way to judge an
effect: paired differences (one per seed) and their 95 % t-interval, worded by the interval.

>>> list(seeded_jobs([0, 1], ["relu", "tanh"]))
[(0, 'relu'), (0, 'tanh'), (1, 'relu'), (1, 'tanh')]
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from scipy import stats

from ..profiles import Profile
from ..profiles import profile as get_profile

V = TypeVar("V")
S = TypeVar("S")


def budget(profile: str | Profile | None, sizes: Mapping[str, S]) -> tuple[Profile, S]:
    """The profile (``None``: the current one) and the experiment's size in it.

    >>> prof, size = budget("smoke", {"smoke": "tiny", "cpu": "minutes", "gpu": "full"})
    >>> prof.name, size
    ('smoke', 'tiny')
    """
    prof = get_profile(profile)
    return prof, sizes[prof.name]


def fashion_splits(profile, train_samples: int | None, test_samples: int | None, **options):
    """The experiment's class-balanced training and test sets; ``None`` takes the whole split
    (not the profile's default). ``options`` go to :func:`~alexnet_course.data.fashion_mnist`."""
    from ..data import FASHION_MNIST_FILES, fashion_mnist

    whole = {split: FASHION_MNIST_FILES[split, "labels"].shape[0] for split in ("train", "test")}
    return (fashion_mnist("train", profile, samples=train_samples or whole["train"], **options),
            fashion_mnist("test", profile, samples=test_samples or whole["test"], **options))


def seeded_jobs(seeds: Iterable[int], variants: Iterable[V],
                progress: bool = False) -> Iterator[tuple[int, V]]:
    """Every variant for every seed, seed-major (so a stopped run has whole seeds done)."""
    jobs = [(seed, variant) for seed in seeds for variant in variants]
    if progress:
        from alexnet_course.progress import progress_bar

        jobs = progress_bar(jobs, desc="runs", unit="run")
    yield from jobs


@dataclass(frozen=True)
class PairedEffect:
    """Paired differences, one per seed (a variant minus its baseline, same seed), their mean
    and its 95 % interval from Student's t: the only decision rule the experiments use.

    >>> effect = PairedEffect((-1.0, -1.2, -0.8))
    >>> round(effect.mean, 2), round(effect.low, 2), round(effect.high, 2)
    (-1.0, -1.5, -0.5)
    >>> print(effect.reading("with minus without", "it raised the error", "it lowered the error"))
    it lowered the error (with minus without: −1.00 points, 95 % interval [−1.50, −0.50] over 3 paired seeds)
    >>> print(PairedEffect((0.3, -0.5, 0.1)).reading("with minus without", "raised", "lowered"))
    no difference this run can show (with minus without: −0.03 points, 95 % interval [−1.07, +1.00] ...)
    """

    differences: tuple[float, ...]

    @property
    def n(self) -> int:
        return len(self.differences)

    @property
    def mean(self) -> float:
        return statistics.fmean(self.differences) if self.differences else math.nan

    @property
    def half_width(self) -> float:
        """t(0.975, n − 1) × standard error; NaN with fewer than two seeds."""
        if self.n < 2:
            return math.nan
        sem = statistics.stdev(self.differences) / math.sqrt(self.n)
        return float(stats.t.ppf(0.975, self.n - 1)) * sem

    @property
    def low(self) -> float:
        return self.mean - self.half_width

    @property
    def high(self) -> float:
        return self.mean + self.half_width

    def interval(self, unit: str = " points") -> str:
        """The mean and its interval, e.g. ``−1.00 points, 95 % interval [−1.50, −0.50] over 3
        paired seeds`` (minus signs typeset)."""
        if self.n < 2:
            return f"{_signed(self.mean)}{unit} over one seed, no interval"
        return (f"{_signed(self.mean)}{unit}, 95 % interval [{_signed(self.low)}, {_signed(self.high)}] "
                f"over {self.n} paired seeds")

    def reading(self, measure: str, up: str, down: str, unit: str = " points") -> str:
        """The verdict the interval allows: ``up`` (or ``down``) only when the whole interval
        lies above (below) zero; ``measure`` names the difference, e.g. "LRN minus none"."""
        found = f"({measure}: {self.interval(unit)})"
        if self.n < 2:
            return f"one seed cannot tell an effect from noise {found}"
        if self.low > 0:
            return f"{up} {found}"
        if self.high < 0:
            return f"{down} {found}"
        return f"no difference this run can show {found}"


def _signed(value: float) -> str:
    return f"{value:+.2f}".replace("-", "−")


def paired_effect(variant: Sequence[float], baseline: Sequence[float]) -> PairedEffect:
    """``variant[i] − baseline[i]`` for every seed i (both in seed order, equally long)."""
    if len(variant) != len(baseline):
        raise ValueError(f"pairs need as many variant runs as baseline runs, got {len(variant)} "
                         f"and {len(baseline)}")
    return PairedEffect(tuple(a - b for a, b in zip(variant, baseline)))

