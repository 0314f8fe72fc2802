"""Exercises of lesson 04 (local response normalization), recomputed from the package's layers.
Each asks about a window size, an alpha, an input or an activation size the lesson does not
compute itself.

>>> check_pytorch_alpha(6e-4)  # doctest: +NORMALIZE_WHITESPACE
Correct: PyTorch averages the 3 squares instead of summing them, so it needs alpha times n:
0.0002 × 3 = 0.0006.
>>> bool(check_pytorch_alpha(2e-4))  # the trap: alpha as written
False
>>> check_edge_window(3, channel=96)
Cannot check this: channel 96 is not one of the layer's channels 0 to 95.
>>> bool(check_divisor_departure(52.1))  # the answer for one channel, not five
False
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .._checks import is_whole
from ..layers import LocalResponseNorm, lrn_divisor, paper_lrn
from .core import Feedback, as_number, cannot_check, check_choice, check_number

__all__ = ["check_pytorch_alpha", "check_edge_window", "check_lrn_when_doubled",
           "check_divisor_departure"]


def check_pytorch_alpha(answer, size: int = 3, alpha: float = 2e-4) -> Feedback:
    """The ``alpha`` to give ``nn.LocalResponseNorm(size, ...)`` so that it is the LRN the paper's
    formula writes with n = ``size`` and this ``alpha`` (a sum of squares)."""
    value = as_number(alpha)
    if not is_whole(size, 1):
        return cannot_check(f"size = {size!r} is not a whole number of channels ≥ 1")
    if value is None or value <= 0:
        return cannot_check(f"alpha = {alpha!r} is not a number > 0")
    expected = value * size
    a = torch.linspace(-30, 30, 2 * 7 * 3 * 3, dtype=torch.float64).reshape(2, 7, 3, 3)  # any input
    assert torch.allclose(LocalResponseNorm(size, value, 0.75, 2.0)(a),
                          nn.LocalResponseNorm(size, alpha=expected, beta=0.75, k=2.0)(a), rtol=1e-9, atol=0)
    return check_number(
        answer, expected,
        f"PyTorch averages the {size} squares instead of summing them, so it needs alpha times n: "
        f"{value:g} × {size} = {expected:g}",
        "PyTorch divides its alpha by n before multiplying the sum of squares", rel_tol=1e-9)


def check_edge_window(answer, channel: int = 0, channels: int = 96, size: int = 5) -> Feedback:
    """How many channels (the channel itself included) the window of ``channel`` sums over,
    in a layer of ``channels`` channels with the paper's n = ``size``."""
    if not is_whole(channels, 1) or not is_whole(size, 1):
        return cannot_check(f"channels = {channels!r} and size = {size!r} must be whole numbers ≥ 1")
    if not is_whole(channel, 0) or channel >= channels:
        return cannot_check(f"channel {channel!r} is not one of the layer's channels 0 to {channels - 1}")
    a = torch.ones(1, channels, 1, 1)  # every channel 1: the window sum counts the channels in the window
    layer = LocalResponseNorm(size, alpha=1.0, beta=1.0, k=0.0)
    expected = round(1 / layer(a)[0, channel, 0, 0].item())
    lo, hi = max(0, channel - size // 2), min(channels - 1, channel + (size - 1) // 2)
    assert expected == hi - lo + 1
    return check_number(
        answer, expected,
        f"channels {lo} to {hi}: the window max(0, c − n/2) … min(N − 1, c + n/2) is clipped at the "
        f"edge, so channel {channel} sums {expected} squares",
        "the paper's sum runs from max(0, i − n/2) to min(N − 1, i + n/2)")


GROWTH_CHOICES = ("grow", "shrink", "stay")


def lrn_of_equal_channels(a: float, channels: int = 5) -> float:
    """The paper's LRN output for the middle of ``channels`` channels all holding ``a`` (one pixel)."""
    x = torch.full((1, channels, 1, 1), float(a), dtype=torch.float64)
    return paper_lrn()(x)[0, channels // 2, 0, 0].item()


def check_lrn_when_doubled(answer, a: float = 100.0) -> Feedback:
    """Lesson 04 (predict, then run): five channels of one pixel all hold ``a``; when ``a`` doubles,
    does the paper's LRN output of the middle channel grow, shrink or stay (within 1%)?"""
    value = as_number(a)
    if value is None or value <= 0:
        return cannot_check(f"a = {a!r} is not an activation > 0 (a ReLU's output)")
    before, after = lrn_of_equal_channels(value), lrn_of_equal_channels(2 * value)
    change = after / before - 1
    expected = "stay" if abs(change) < 0.01 else "grow" if change > 0 else "shrink"
    lrn = paper_lrn()
    n = lrn.size  # all five channels are in the middle one's window
    peak = math.sqrt(lrn.k / (n * lrn.alpha * (2 * lrn.beta - 1)))  # where d/da a / (k + nαa²)^β = 0
    return check_choice(
        answer, expected, GROWTH_CHOICES,
        f"the middle channel comes out as {before:.2f} with every channel at {value:g} and "
        f"{after:.2f} at {2 * value:g} ({change:+.0%}). The divisor (k + α·{n}a²)^β grows like "
        f"a^(2β) = a^{2 * lrn.beta:g} once α·{n}a² outweighs k = {lrn.k:g}, faster than a itself: the "
        f"output peaks at a = √(k / ({n}α(2β − 1))) = {peak:.1f} and falls beyond it",
        "compare how fast the numerator a and the divisor (k + α Σ a²)^β grow when every a doubles: "
        "which term of k + α Σ a² dominates at this size?")


def check_divisor_departure(answer, departure: float = 0.10) -> Feedback:
    """Lesson 04: five channels of one pixel all hold the same activation ``a``. How large must
    ``a`` be for the middle channel's LRN divisor (k + α Σ a²)^β to be ``departure`` (a fraction)
    above its floor k^β? Below it LRN is nearly the constant scaling k^(−β)."""
    value = as_number(departure)
    if value is None or not 0 < value < math.inf:
        return cannot_check(f"departure = {departure!r} is not a fraction > 0")
    lrn = paper_lrn()
    n = lrn.size  # all five channels are in the middle one's window
    # (k + nαa²)^β = (1 + d) k^β  ⇔  1 + nαa²/k = (1 + d)^(1/β)
    expected = math.sqrt(lrn.k * ((1 + value) ** (1 / lrn.beta) - 1) / (n * lrn.alpha))
    x = torch.full((1, n, 1, 1), expected, dtype=torch.float64)
    assert math.isclose(lrn_divisor(x, n, lrn.alpha, lrn.beta, lrn.k)[0, n // 2].item(),
                        (1 + value) * lrn.k ** lrn.beta, rel_tol=1e-9)
    return check_number(
        answer, expected,
        f"(k + {n}αa²)^β = {1 + value:g}·k^β ⇔ 1 + {n}αa²/k = {1 + value:g}^(1/β) = "
        f"{(1 + value) ** (1 / lrn.beta):.4f} ⇔ a = √(k·({1 + value:g}^(1/β) − 1) / ({n}α)) = "
        f"{expected:.2f}. Activations of a few units (standardised inputs) stay far below it; the "
        "tens and hundreds of raw pixels pass it",
        f"divide (k + α·{n}a²)^β = {1 + value:g}·k^β by k^β, undo the power β (raise both sides to "
        "1/β), then solve for a", rel_tol=1e-3)
