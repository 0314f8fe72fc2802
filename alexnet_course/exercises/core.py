"""The core of every exercise check: a verdict that prints as a helpful sentence.

>>> check_number(12, 12, "3 × 4 = 12", "multiply")
Correct: 3 × 4 = 12.
>>> check_number(13, 12, "3 × 4 = 12", "multiply")
13 is too high. Hint: multiply
>>> check_number(None, 12, "3 × 4 = 12", "multiply").solution  # for the book's solutions
'12: 3 × 4 = 12'
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer; truthy when correct, and prints as a sentence.

    ``expected`` and ``explanation`` are the worked answer, kept for the book's solutions
    section rather than shown to a learner who is still trying.
    """

    correct: bool
    message: str
    expected: float | None = None
    explanation: str = ""

    @property
    def solution(self) -> str:
        """The answer and how it is computed, e.g. ``'12: 3 × 4 = 12'``."""
        if self.expected is None:
            return ""
        value = self.expected
        shown = f"{int(value):,}" if float(value).is_integer() else f"{value:.6g}"
        return f"{shown}: {self.explanation}"

    def __bool__(self) -> bool:
        return self.correct

    def __repr__(self) -> str:
        return self.message


def check_number(answer, expected: float, explanation: str, hint: str,
                 rel_tol: float = 0.0) -> Feedback:
    """Compare a numeric ``answer`` with ``expected``; ``hint`` is shown when it is wrong."""
    worked = {"expected": expected, "explanation": explanation}
    if answer is None:
        return Feedback(False, f"Not answered yet. Hint: {hint}", **worked)
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return Feedback(False, f"{answer!r} is not a number. Hint: {hint}", **worked)
    if math.isclose(value, expected, rel_tol=rel_tol, abs_tol=0 if rel_tol else 1e-9):
        return Feedback(True, f"Correct: {explanation}.", **worked)
    direction = "too high" if value > expected else "too low"
    return Feedback(False, f"{answer!r} is {direction}. Hint: {hint}", **worked)
