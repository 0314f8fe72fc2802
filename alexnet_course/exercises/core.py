"""The core of every exercise check: a verdict that prints as a helpful sentence.

>>> check_number(12, 12, "3 × 4 = 12", "multiply")
Correct: 3 × 4 = 12.
>>> check_number(13, 12, "3 × 4 = 12", "multiply")
13 is too high. Hint: multiply
>>> check_number(None, 12, "3 × 4 = 12", "multiply").solution  # for the book's solutions
'12: 3 × 4 = 12'
>>> check_choice("conv1", "conv2", ("conv1", "conv2"), "conv2 does 2.1× the work",
...              "count k·k·C_in per output")
'conv1' is not it. Hint: count k·k·C_in per output
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np
import torch


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer; truthy when correct, and prints as a sentence.

    ``expected`` and ``explanation`` are the worked answer, kept for the book's solutions
    section rather than shown to a learner who is still trying.
    """

    correct: bool
    message: str
    expected: float | str | None = None  # a number, or the right option of a choice
    explanation: str = ""

    @property
    def solution(self) -> str:
        """The answer and how it is computed, e.g. ``'12: 3 × 4 = 12'``."""
        if self.expected is None:
            return ""
        value = self.expected
        if isinstance(value, str):
            return f"{value}: {self.explanation}"
        shown = f"{int(value):,}" if float(value).is_integer() else f"{value:.6g}"
        return f"{shown}: {self.explanation}"

    def __bool__(self) -> bool:
        return self.correct

    def __repr__(self) -> str:
        return self.message


def as_number(answer) -> float | None:
    """``answer`` as a finite float: Python, NumPy and 0-d torch numbers alike; None for text,
    booleans, NaN, infinities and anything else.

    >>> as_number(3), as_number(np.float32(0.5)), as_number(torch.tensor(2.5)), as_number(np.int64(7))
    (3.0, 0.5, 2.5, 7.0)
    >>> as_number("3"), as_number(True), as_number(float("nan")), as_number([1, 2])
    (None, None, None, None)
    """
    if isinstance(answer, (torch.Tensor, np.ndarray, np.generic)):
        if answer.ndim != 0:  # a whole array is not one answer
            return None
        answer = answer.item()
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        return None
    value = float(answer)
    return value if math.isfinite(value) else None


def _precision(answer) -> float:
    """The relative rounding of the answer's own number type: a float32 answer (NumPy or torch)
    cannot be closer than about 1e-7 to a value it cannot represent."""
    dtype = getattr(answer, "dtype", None)
    if dtype is None or not (isinstance(dtype, torch.dtype) and dtype.is_floating_point
                             or isinstance(dtype, np.dtype) and dtype.kind == "f"):
        return 0.0
    return float(torch.finfo(dtype).eps if isinstance(dtype, torch.dtype) else np.finfo(dtype).eps)


def check_number(answer, expected: float, explanation: str, hint: str,
                 rel_tol: float = 0.0) -> Feedback:
    """Compare a numeric ``answer`` with ``expected``; ``hint`` is shown when it is wrong.

    An integer ``expected`` with ``rel_tol=0`` is checked exactly (148,684,801 is not
    148,684,800); a float answer is allowed its own type's rounding and ``rel_tol``.
    """
    worked = {"expected": expected, "explanation": explanation}
    if answer is None:
        return Feedback(False, f"Not answered yet. Hint: {hint}", **worked)
    value = as_number(answer)
    if value is None:
        return Feedback(False, f"{answer!r} is not a number. Hint: {hint}", **worked)
    exact = rel_tol == 0 and float(expected).is_integer()
    tolerance = max(rel_tol, 2 * _precision(answer))
    if value == expected if exact else math.isclose(value, expected, rel_tol=tolerance,
                                                    abs_tol=0 if tolerance else 1e-9):
        return Feedback(True, f"Correct: {explanation}.", **worked)
    direction = "too high" if value > expected else "too low"
    return Feedback(False, f"{answer!r} is {direction}. Hint: {hint}", **worked)


def cannot_check(problem: str) -> Feedback:
    """The verdict when the exercise's own settings are impossible (a batch of 0 images, say):
    a sentence, never an exception in the middle of a lesson."""
    return Feedback(False, f"Cannot check this: {problem}.")


def check_choice(answer, expected: str, options: tuple[str, ...], explanation: str,
                 hint: str) -> Feedback:
    """Compare an ``answer`` picked from ``options`` (a prediction: "which layer...?") with
    ``expected``; case and surrounding spaces do not matter."""
    worked = {"expected": expected, "explanation": explanation}
    if answer is None:
        return Feedback(False, f"Not answered yet. Hint: {hint}", **worked)
    picked = str(answer).strip().lower()
    choices = {option.lower(): option for option in options}
    if picked not in choices:
        return Feedback(False, f"{answer!r} is not one of {', '.join(map(repr, options))}. "
                               f"Hint: {hint}", **worked)
    if choices[picked] == expected:
        return Feedback(True, f"Correct: {explanation}.", **worked)
    return Feedback(False, f"{answer!r} is not it. Hint: {hint}", **worked)

