"""The core of every exercise check: a verdict that prints as a helpful sentence.

>>> check_number(12, 12, "3 × 4 = 12", "multiply")
Correct: 3 × 4 = 12.
>>> check_number(13, 12, "3 × 4 = 12", "multiply")
13 is too high. Hint: multiply
"""

from __future__ import annotations

import math
from dataclasses import dataclass


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
