"""Self-checking exercises: every ``check_*`` recomputes the answer and says what is off.

>>> check_idx_file_bytes(47_040_016)
Correct: 16 header bytes + 60000 × 28 × 28 pixel bytes = 47,040,016.
>>> bool(check_idx_file_bytes(47_040_000))
False
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .data import FASHION_MNIST_FILES
from .profiles import PROFILES


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer; truthy when correct, and prints as a sentence."""

    correct: bool
    message: str

    def __bool__(self) -> bool:
        return self.correct

    def __repr__(self) -> str:
        return self.message


def check_number(answer, expected: float, explanation: str, hint: str,
                 rel_tol: float = 0.0) -> Feedback:
    """Compare a numeric ``answer`` with ``expected``; ``hint`` is shown when it is wrong."""
    if answer is None:
        return Feedback(False, f"Not answered yet. Hint: {hint}")
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return Feedback(False, f"{answer!r} is not a number. Hint: {hint}")
    if math.isclose(value, expected, rel_tol=rel_tol, abs_tol=0 if rel_tol else 1e-9):
        return Feedback(True, f"Correct: {explanation}.")
    direction = "too high" if value > expected else "too low"
    return Feedback(False, f"{answer!r} is {direction}. Hint: {hint}")


def check_idx_file_bytes(answer) -> Feedback:
    """Lesson 00: bytes in the uncompressed ``train-images-idx3-ubyte`` file."""
    n, h, w = FASHION_MNIST_FILES[("train", "images")].shape
    header = 4 + 4 * 3  # magic number, then one uint32 per dimension
    return check_number(
        answer, header + n * h * w,
        f"{header} header bytes + {n} × {h} × {w} pixel bytes = {header + n * h * w:,}",
        "one byte per pixel, plus a header of a 4-byte magic number and one 4-byte size per dimension")


def check_smoke_fraction(answer) -> Feedback:
    """Lesson 00: the fraction of the 60,000 training images the smoke profile uses."""
    total = FASHION_MNIST_FILES[("train", "labels")].shape[0]
    used = PROFILES["smoke"].train_samples
    return check_number(
        answer, used / total, f"{used:,} / {total:,} = {used / total:.4f}",
        "look at ac.profile('smoke').train_samples", rel_tol=1e-3)
