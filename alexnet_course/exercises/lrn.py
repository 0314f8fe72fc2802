"""Exercises of lesson 04 (local response normalization), recomputed from the package's layers.

>>> check_pytorch_alpha(5e-4)  # doctest: +NORMALIZE_WHITESPACE
Correct: PyTorch averages the 5 squares instead of summing them, so it needs the paper's alpha
times n: 0.0001 × 5 = 0.0005.
>>> bool(check_pytorch_alpha(1e-4))  # the trap
False
"""

from __future__ import annotations

import torch

from ..layers import LocalResponseNorm, paper_lrn
from .core import Feedback, check_number

__all__ = ["check_pytorch_alpha", "check_edge_window", "check_small_activation_scale",
           "check_lrn_value"]


def check_pytorch_alpha(answer) -> Feedback:
    """The ``alpha`` to give ``nn.LocalResponseNorm`` so that it is the paper's LRN."""
    paper, torch_layer = paper_lrn(), paper_lrn(torch_impl=True)
    expected = paper.alpha * paper.size
    assert torch_layer.alpha == expected
    return check_number(
        answer, expected,
        f"PyTorch averages the {paper.size} squares instead of summing them, so it needs the paper's "
        f"alpha times n: {paper.alpha:g} × {paper.size} = {expected:g}",
        "PyTorch divides alpha by n", rel_tol=1e-9)


def check_edge_window(answer, channel: int = 0, channels: int = 96, size: int = 5) -> Feedback:
    """How many channels (the channel itself included) the window of ``channel`` sums over,
    in a layer of ``channels`` channels with the paper's n = ``size``."""
    a = torch.zeros(1, channels, 1, 1)
    a[0, :, 0, 0] = 1.0  # every channel 1: the window sum counts the channels in the window
    layer = LocalResponseNorm(size, alpha=1.0, beta=1.0, k=0.0)
    expected = round(1 / layer(a)[0, channel, 0, 0].item())
    lo, hi = max(0, channel - size // 2), min(channels - 1, channel + (size - 1) // 2)
    assert expected == hi - lo + 1
    return check_number(
        answer, expected,
        f"channels {lo} to {hi}: the window max(0, c − n/2) … min(N − 1, c + n/2) is clipped at the "
        f"edge, so channel {channel} sums {expected} squares",
        "the paper's sum runs from max(0, i − n/2) to min(N − 1, i + n/2)")


def check_small_activation_scale(answer) -> Feedback:
    """The factor the paper's LRN multiplies activations by when they are all tiny (|a| ≪ 1)."""
    lrn = paper_lrn()
    a = torch.full((1, 8, 1, 1), 1e-6, dtype=torch.float64)
    expected = (lrn(a) / a)[0, 4, 0, 0].item()
    return check_number(
        answer, expected,
        f"with α Σ a² ≈ 0 the divisor is k^β = {lrn.k:g}^{lrn.beta:g}, so LRN multiplies by "
        f"{expected:.4f}: a constant scaling, no normalization",
        "what is (k + α Σ a²)^β when every a is almost 0?", rel_tol=1e-4)


def check_lrn_value(answer) -> Feedback:
    """The paper's LRN output for the middle of three channels holding 10, 20, 30 (one pixel)."""
    a = torch.tensor([10.0, 20.0, 30.0], dtype=torch.float64).reshape(1, 3, 1, 1)
    lrn = paper_lrn()
    expected = lrn(a)[0, 1, 0, 0].item()
    return check_number(
        answer, expected,
        f"20 / ({lrn.k:g} + {lrn.alpha:g}·(10² + 20² + 30²))^{lrn.beta:g} = "
        f"20 / {lrn.k + lrn.alpha * a.pow(2).sum().item():g}^{lrn.beta:g} = {expected:.4f}",
        "all three channels are in channel 1's window of n = 5", rel_tol=1e-4)
