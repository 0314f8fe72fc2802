"""Exercises of lesson 03 (ReLU vs tanh): gradients computed by autograd and saturation measured
on the package's networks, not typed in. Each asks about an x, a level or a regime the lesson
does not compute itself.

>>> check_tanh_gradient(1 - math.tanh(-3.0) ** 2)  # doctest: +NORMALIZE_WHITESPACE
Correct: tanh'(-3) = 1 − tanh(-3)² = 0.0099, the same as at x = 3 (tanh is odd, so its slope is
even); a ReLU at x = -3 passes on nothing: its slope is 0 for x < 0.
>>> bool(check_tanh_gradient(-(1 - math.tanh(3.0) ** 2)))  # a slope of tanh is never negative
False
>>> check_saturation_edge(0.9, level=0)
Cannot check this: level = 0 is not a slope tanh falls below at some x > 0; choose 0 < level < 1.
"""

from __future__ import annotations

import math
from functools import lru_cache

import torch

from .._checks import is_whole
from ..activation_stats import SATURATED, saturated_share
from ..models import VARIANTS, alexnet
from .core import Feedback, as_number, cannot_check, check_number

__all__ = ["check_tanh_gradient", "check_saturation_edge", "check_gradient_through_layers",
           "check_paper_regime_saturation"]

def _grad(fn, x: float) -> float:
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(fn(t), t)
    return g.item()


def check_tanh_gradient(answer, x: float = -3.0) -> Feedback:
    """The derivative of tanh at ``x``, set against ReLU's there."""
    value = as_number(x)
    if value is None:
        return cannot_check(f"x = {x!r} is not a finite number")
    expected, relu = _grad(torch.tanh, value), _grad(torch.relu, value)
    if relu:
        relu_part = f"a unit at x = {value:g} passes on {expected / relu:.1%} of the gradient a ReLU would"
    else:
        relu_part = (f"a ReLU at x = {value:g} passes on nothing: its slope is 0 for "
                     f"x {'<' if value else '='} 0")
    symmetry = (f", the same as at x = {-value:g} (tanh is odd, so its slope is even)"
                if value < 0 else "")
    return check_number(
        answer, expected,
        f"tanh'({value:g}) = 1 − tanh({value:g})² = {expected:.2g}{symmetry}; {relu_part}",
        "d/dx tanh(x) = 1 − tanh(x)², which is never negative", rel_tol=1e-3)


def check_saturation_edge(answer, level: float = 0.5) -> Feedback:
    """The x > 0 beyond which tanh's gradient falls below ``level``."""
    value = as_number(level)
    if value is None or not 0 < value < 1:
        return cannot_check(f"level = {level!r} is not a slope tanh falls below at some x > 0; "
                            "choose 0 < level < 1")
    expected = math.atanh(math.sqrt(1 - value))
    assert math.isclose(_grad(torch.tanh, expected), value, rel_tol=1e-9)
    return check_number(
        answer, expected,
        f"1 − tanh(x)² = {value:g} ⇔ tanh(x) = √{1 - value:g} ⇔ x = atanh(√{1 - value:g}) = "
        f"{expected:.4f}: beyond it a tanh unit passes on less than {value:.0%} of the gradient",
        f"solve 1 − tanh(x)² = {value:g} for x", rel_tol=1e-2)


def check_gradient_through_layers(answer, x: float = 1.0, layers: int = 5) -> Feedback:
    """Product of ``layers`` tanh derivatives, each unit sitting at pre-activation ``x``:
    what survives of a gradient sent back through that many saturating units (ReLU: 1)."""
    value = as_number(x)
    if value is None:
        return cannot_check(f"x = {x!r} is not a finite number")
    if not is_whole(layers):
        return cannot_check(f"layers = {layers!r} is not a whole number of layers ≥ 1")
    slope = _grad(torch.tanh, value)
    expected = slope ** layers
    return check_number(
        answer, expected,
        f"(1 − tanh({value:g})²)^{layers} = {slope:.4f}^{layers} = {expected:.4g}; "
        f"through {layers} ReLUs with positive inputs it would be 1",
        "the chain rule multiplies one tanh' per layer", rel_tol=1e-3)


@lru_cache(maxsize=8)
def paper_conv1_saturation(input_std: float = 60.0) -> dict[str, float]:
    """conv1 of the paper's network with its own initialisation (``paper_init_``: weights
    N(0, 0.01²), bias 0), on two 227 × 227 images of independent N(0, ``input_std``²) values:
    the standard deviation of its pre-activations and the share of tanh units they would
    saturate (|tanh| > 0.99, the lesson's line). Seed 0; the learner's random stream is left
    untouched."""
    config = VARIANTS["paper"]
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        conv1 = alexnet("paper").features[0]
        images = torch.randn(2, *config.input_size) * input_std
        with torch.no_grad():
            pre = conv1(images)
    return {"std": pre.std().item(), "saturated": saturated_share(torch.tanh(pre)),
            "edge": math.atanh(SATURATED), "fan_in": conv1.weight[0].numel(),
            "weight_std": conv1.weight.std().item()}


def check_paper_regime_saturation(answer, input_std: float = 60.0) -> Feedback:
    """Lesson 03: had AlexNet used tanh, with the paper's initialisation and inputs of standard
    deviation ``input_std``, what share of conv1's units would start saturated (|tanh| > 0.99)?
    Checked against the share measured on the paper's conv1."""
    value = as_number(input_std)
    if value is None or value <= 0:
        return cannot_check(f"input_std = {input_std!r} is not a standard deviation > 0")
    m = paper_conv1_saturation(float(value))
    sigma = math.sqrt(m["fan_in"]) * m["weight_std"] * value
    return check_number(
        answer, m["saturated"],
        f"each pre-activation of the paper's conv1 (weights of standard deviation {m['weight_std']:.4f}) "
        f"sums {m['fan_in']} products, so its standard deviation is about √{m['fan_in']} × "
        f"{m['weight_std']:.4f} × {value:g} ≈ {sigma:.1f} (measured {m['std']:.2f}); the share beyond "
        f"±atanh({SATURATED}) = ±{m['edge']:.3f} is 1 − erf({m['edge']:.3f} / ({sigma:.1f}·√2)) ≈ "
        f"{1 - math.erf(m['edge'] / (sigma * math.sqrt(2))):.3f}, measured {m['saturated']:.3f}. "
        "A ReLU's slope is 1 for every positive input, however large",
        "a sum of n independent products of standard deviations s and t has standard deviation "
        "√n·s·t (conv1 sums 11 × 11 × 3 of them); then use §1's formula for the share of a "
        "Gaussian beyond the saturation edge", rel_tol=0.02)
