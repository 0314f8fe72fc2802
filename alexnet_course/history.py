"""A training run's record: one row per epoch plus the step-level loss curve.

It is plain data, so it goes into checkpoints, saves to JSON (and so survives a kernel
restart) and plots itself.

>>> h = History()
>>> h.log_epoch(epoch=1, train_loss=0.9, test_top1=0.70)
>>> h.column("test_top1")
[0.7]
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class History:
    epochs: list[dict] = field(default_factory=list)  # one dict of metrics per epoch
    steps: list[tuple[int, float]] = field(default_factory=list)  # (global step, train loss)

    def log_epoch(self, **metrics) -> None:
        self.epochs.append(dict(metrics))

    def log_step(self, step: int, loss: float) -> None:
        self.steps.append((int(step), float(loss)))

    def column(self, name: str) -> list:
        return [row[name] for row in self.epochs if name in row]

    def last(self, name: str):
        values = self.column(name)
        return values[-1] if values else None

    def to_dict(self) -> dict:
        return {"epochs": self.epochs, "steps": [list(s) for s in self.steps]}

    @classmethod
    def from_dict(cls, data: dict) -> History:
        return cls([dict(r) for r in data["epochs"]], [(int(s), float(v)) for s, v in data["steps"]])

    def save(self, path: str | os.PathLike) -> Path:
        """Write as JSON (atomically: a half-written file never replaces a good one)."""
        path = Path(path)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(json.dumps(self.to_dict(), indent=1))
        os.replace(tmp, path)
        return path

    @classmethod
    def load(cls, path: str | os.PathLike) -> History:
        return cls.from_dict(json.loads(Path(path).read_text()))
