"""What every experiment shares: its budget in the current profile, its Fashion-MNIST
splits, and the grid of (seed, variant) runs, with an optional bar.

>>> list(seeded_jobs([0, 1], ["relu", "tanh"]))
[(0, 'relu'), (0, 'tanh'), (1, 'relu'), (1, 'tanh')]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TypeVar

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
