"""What every experiment shares, so that each experiment module keeps only its model, its
budgets and its wording:

- :class:`Budget`: how big an experiment is in one profile, built by keyword;
  :func:`budget` picks the current profile's;
- :func:`fashion_splits`: its class-balanced Fashion-MNIST training and test sets;
- :func:`run_seeds`: every variant for every seed, each run starting from ``manual_seed(seed)``
  so the two runs of a pair draw the same initial weights (where their shapes agree) and the
  same data order;
- :class:`PairedEffect` / :func:`paired_effect` / :func:`seed_values`: one decision rule,
  paired differences (one per seed) and their 95 % t-interval, worded by the interval.

Device rule, everywhere: ``device=None`` means the best available (CUDA, else the CPU).

>>> list(seeded_jobs([0, 1], ["relu", "tanh"]))
[(0, 'relu'), (0, 'tanh'), (1, 'relu'), (1, 'tanh')]
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import torch
from scipy import stats

from ..profiles import Profile
from ..profiles import profile as get_profile

V = TypeVar("V")
S = TypeVar("S")
R = TypeVar("R")


class Budget:
    """How big an experiment is in one profile: the settings every experiment has, by
    keyword, plus any of its own (widths, image sizes, ...), all read as attributes.

    >>> b = Budget(train_samples=500, test_samples=200, epochs=2, seeds=5, widths=(8, 16))
    >>> b.seeds, b.batch_size, b.lr, b.widths
    (5, 50, 0.002, (8, 16))
    >>> b.replace(seeds=6).seeds, b.seeds
    (6, 5)
    >>> Budget(train_samples=500, test_samples=200, epochs=2, seeds=1).widths
    Traceback (most recent call last):
    ...
    AttributeError: this budget has no 'widths'; it has train_samples, test_samples, epochs, \
seeds, batch_size, lr
    """

    def __init__(self, *, train_samples: int | None, test_samples: int | None, epochs: int,
                 seeds: int, batch_size: int = 50, lr: float = 2e-3, **own: Any):
        # train_samples/test_samples: class-balanced Fashion-MNIST images (None: the whole split);
        # seeds: how many paired seeds (0, 1, ..., seeds - 1); lr: the peak learning rate.
        if not isinstance(seeds, int) or seeds < 1:
            raise ValueError(f"seeds is a count of paired seeds, at least 1, not {seeds!r}")
        if epochs < 1 or batch_size < 1:
            raise ValueError(f"epochs and batch_size must be at least 1, got {epochs} and {batch_size}")
        settings = dict(train_samples=train_samples, test_samples=test_samples, epochs=epochs,
                        seeds=seeds, batch_size=batch_size, lr=lr, **own)
        object.__setattr__(self, "_settings", settings)

    def __getattr__(self, name: str):
        settings = object.__getattribute__(self, "_settings")
        if name in settings:
            return settings[name]
        raise AttributeError(f"this budget has no {name!r}; it has {', '.join(settings)}")

    def __setattr__(self, name, value):
        raise AttributeError("a Budget is fixed; use .replace(...) for a changed copy")

    def __eq__(self, other) -> bool:
        return isinstance(other, Budget) and self._settings == other._settings

    def __hash__(self) -> int:
        return hash(tuple(sorted((k, repr(v)) for k, v in self._settings.items())))

    def __repr__(self) -> str:
        return f"Budget({', '.join(f'{k}={v!r}' for k, v in self._settings.items())})"

    def settings(self) -> dict[str, Any]:
        """Every setting by name (a copy)."""
        return dict(self._settings)

    def replace(self, **changes: Any) -> Budget:
        """A copy with ``changes``."""
        return Budget(**{**self._settings, **changes})

    @property
    def seed_list(self) -> range:
        """The seeds themselves: 0, 1, ..., seeds − 1."""
        return range(self.seeds)


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


def run_seeds(seeds: int | Iterable[int], variants: Iterable[V], run: Callable[[int, V], R],
              progress: bool = False) -> list[tuple[int, V, R]]:
    """``run(seed, variant)`` for every variant of every seed, seed-major, each call made right
    after ``torch.manual_seed(seed)``: the runs of one seed start from the same random state, so
    they draw the same initial weights where their shapes agree, and a run that seeds its data
    order with ``seed`` (``TrainConfig.seed``) sees the batches in the same order. That is what
    makes the differences *paired*. ``seeds`` is a count (0 … seeds − 1) or the seeds.

    >>> def draw(seed, variant):
    ...     return round(torch.rand(1).item(), 4)
    >>> runs = run_seeds(2, ["a", "b"], draw)
    >>> [(s, v) for s, v, _ in runs]
    [(0, 'a'), (0, 'b'), (1, 'a'), (1, 'b')]
    >>> runs[0][2] == runs[1][2] != runs[2][2]
    True
    """
    seeds = range(seeds) if isinstance(seeds, int) else seeds
    out = []
    for seed, variant in seeded_jobs(seeds, list(variants), progress):
        torch.manual_seed(seed)
        out.append((seed, variant, run(seed, variant)))
    return out


def seed_values(rows: Iterable[Mapping], key: str, **match: Any) -> list[float]:
    """``row[key]`` of the rows that match every ``match`` item, in seed order, one per seed:
    one side of a paired comparison.

    >>> rows = [dict(seed=1, v="a", acc=0.7), dict(seed=0, v="a", acc=0.6), dict(seed=0, v="b", acc=0.5)]
    >>> seed_values(rows, "acc", v="a")
    [0.6, 0.7]
    """
    chosen = sorted((r for r in rows if all(r[k] == v for k, v in match.items())),
                    key=lambda r: r["seed"])
    seeds = [r["seed"] for r in chosen]
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"more than one row per seed matches {match}: seeds {seeds}")
    return [r[key] for r in chosen]


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

