"""Exercises of lesson 03 (ReLU vs tanh): gradients computed by autograd, not typed in.

>>> check_tanh_gradient(1 - math.tanh(2.0) ** 2)
Correct: tanh'(2) = 1 − tanh(2)² = 0.0707: a unit at x = 2 passes on 7% of the gradient a ReLU would.
>>> bool(check_tanh_gradient(1.0))  # that is ReLU's gradient for x > 0
False
"""

from __future__ import annotations

import math

import torch

from ..experiments.relu_vs_tanh import THRESHOLD
from .core import Feedback, check_number

__all__ = ["check_tanh_gradient", "check_saturation_edge", "check_gradient_through_layers",
           "check_relu_epochs"]

PAPER_SPEEDUP = 6  # §3.1: ReLU reached 25% training error "six times faster" than tanh on CIFAR-10


def _grad(fn, x: float) -> float:
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(fn(t), t)
    return g.item()


def check_tanh_gradient(answer, x: float = 2.0) -> Feedback:
    """The derivative of tanh at ``x``."""
    expected = _grad(torch.tanh, x)
    relu = _grad(torch.relu, x)
    return check_number(
        answer, expected,
        f"tanh'({x:g}) = 1 − tanh({x:g})² = {expected:.4f}: a unit at x = {x:g} passes on "
        f"{expected / relu:.0%} of the gradient a ReLU would",
        "d/dx tanh(x) = 1 − tanh(x)²", rel_tol=1e-3)


def check_saturation_edge(answer, level: float = 0.1) -> Feedback:
    """The x > 0 beyond which tanh's gradient falls below ``level`` (it has saturated)."""
    expected = math.atanh(math.sqrt(1 - level))
    assert math.isclose(_grad(torch.tanh, expected), level, rel_tol=1e-9)
    return check_number(
        answer, expected,
        f"1 − tanh(x)² = {level:g} ⇔ tanh(x) = √{1 - level:g} ⇔ x = atanh(√{1 - level:g}) = {expected:.3f}",
        f"solve 1 − tanh(x)² = {level:g} for x", rel_tol=1e-2)


def check_gradient_through_layers(answer, x: float = 1.0, layers: int = 5) -> Feedback:
    """Product of ``layers`` tanh derivatives, each unit sitting at pre-activation ``x``:
    what survives of a gradient sent back through that many saturating units (ReLU: 1)."""
    expected = _grad(torch.tanh, x) ** layers
    return check_number(
        answer, expected,
        f"(1 − tanh({x:g})²)^{layers} = {_grad(torch.tanh, x):.4f}^{layers} = {expected:.4f}; "
        f"through {layers} ReLUs with positive inputs it would be 1",
        "the chain rule multiplies one tanh' per layer", rel_tol=1e-3)


def check_relu_epochs(answer, tanh_epochs: int = 36) -> Feedback:
    """If tanh needs ``tanh_epochs`` epochs to reach 25% training error, how many does ReLU need
    at the paper's speed-up?"""
    expected = tanh_epochs / PAPER_SPEEDUP
    return check_number(
        answer, expected,
        f"{tanh_epochs} / {PAPER_SPEEDUP} = {expected:g} epochs to {THRESHOLD:.0%} training error",
        f"the paper: ReLU reached {THRESHOLD:.0%} training error {PAPER_SPEEDUP} times faster", rel_tol=1e-6)
