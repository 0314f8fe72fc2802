"""What every experiment shares: the grid of (seed, variant) runs, with an optional bar.

>>> list(seeded_jobs([0, 1], ["relu", "tanh"]))
[(0, 'relu'), (0, 'tanh'), (1, 'relu'), (1, 'tanh')]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

V = TypeVar("V")


def seeded_jobs(seeds: Iterable[int], variants: Iterable[V],
                progress: bool = False) -> Iterator[tuple[int, V]]:
    """Every variant for every seed, seed-major (so a stopped run has whole seeds done)."""
    jobs = [(seed, variant) for seed in seeds for variant in variants]
    if progress:
        from tqdm.auto import tqdm

        jobs = tqdm(jobs, desc="runs", unit="run")
    yield from jobs
