"""Argument checks shared by the public API: a wrong value stops with a ValueError naming the
argument and its allowed range, before any computation.

(``arithmetic`` keeps its own ``_integer``: its messages are mirrored in the JavaScript port.)
"""

from __future__ import annotations

import math
import numbers

__all__ = ["is_whole", "whole", "number", "choice"]


def is_whole(value, minimum: int = 1) -> bool:
    """Whether ``value`` is a whole number ≥ ``minimum`` (NumPy integers too; never a bool,
    an int subclass, since ``in_channels=True`` is always a mistake).

    >>> is_whole(3), is_whole(3.0), is_whole(True), is_whole(0, minimum=0)
    (True, False, False, True)
    """
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= minimum


def whole(value, name: str, minimum: int = 1) -> int:
    """``value``, unchanged, if it is a whole number ≥ ``minimum``.

    >>> whole(-3, "in_channels")
    Traceback (most recent call last):
    ...
    ValueError: in_channels must be a whole number ≥ 1, got -3
    """
    if not is_whole(value, minimum):
        raise ValueError(f"{name} must be a whole number ≥ {minimum}, got {value!r}")
    return value


def number(value, name: str, low: float = -math.inf, high: float = math.inf, *,
           low_open: bool = False, high_open: bool = False) -> float:
    """``value``, unchanged, if it is a finite number from ``low`` to ``high`` (each end
    included unless ``low_open`` / ``high_open``). NaN and infinities never pass.

    >>> number(float("nan"), "std", 0)
    Traceback (most recent call last):
    ...
    ValueError: std must be a finite number ≥ 0, got nan
    """
    ok = (isinstance(value, numbers.Real) and not isinstance(value, bool)
          and math.isfinite(value)
          and (low < value if low_open else low <= value)
          and (value < high if high_open else value <= high))
    if not ok:
        raise ValueError(f"{name} must be a finite number {_range(low, high, low_open, high_open)}"
                         f", got {value!r}")
    return value


def _range(low: float, high: float, low_open: bool, high_open: bool) -> str:
    if math.isinf(high):
        return f"{'>' if low_open else '≥'} {low:g}"
    return f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"


def choice(value, name: str, allowed) -> None:
    """Refuse ``value`` unless it is one of ``allowed``."""
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}, got {value!r}")
