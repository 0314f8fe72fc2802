"""The course's inverted dropout, tested statistically (seeded, tolerances from the binomial
distribution) and against ``nn.Dropout``."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from alexnet_course.layers import Dropout

N = 1_000_000


@pytest.fixture
def x() -> torch.Tensor:
    # Positive values, so that a zero in the output means "dropped".
    return torch.rand(N, generator=torch.Generator().manual_seed(0), dtype=torch.float64) + 0.5


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_fraction_dropped_is_p_within_binomial_noise(x, p):
    torch.manual_seed(1)
    y = Dropout(p)(x)
    fraction = (y == 0).double().mean().item()
    sd = math.sqrt(p * (1 - p) / N)  # standard deviation of a binomial proportion
    assert abs(fraction - p) < 5 * sd


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_mean_is_preserved_within_binomial_noise(x, p):
    torch.manual_seed(2)
    y = Dropout(p)(x)
    # y_i - x_i = x_i (m_i / (1-p) - 1), variance x_i^2 p / (1-p): the mean's sd follows.
    sd_of_mean = math.sqrt((x ** 2).sum().item() * p / (1 - p)) / N
    assert abs(y.mean().item() - x.mean().item()) < 5 * sd_of_mean
    # and the bound is not vacuous: it is small next to the mean itself
    assert 5 * sd_of_mean < 0.02 * x.mean().item()


def test_survivors_are_scaled_by_one_over_keep(x):
    torch.manual_seed(3)
    y = Dropout(0.3)(x)
    kept = y != 0
    assert torch.allclose(y[kept], x[kept] / 0.7)


def test_eval_mode_is_the_identity(x):
    layer = Dropout(0.5).eval()
    assert layer(x) is x
    state = torch.get_rng_state()
    layer(x)
    assert torch.equal(torch.get_rng_state(), state)  # no random number was drawn


def test_p_zero_is_the_identity_in_training(x):
    assert Dropout(0.0).train()(x) is x


@pytest.mark.parametrize("bad", [1.0, -0.1, 1.5, float("nan"), "0.5", True, None])
def test_invalid_p_raises(bad):
    with pytest.raises(ValueError, match="dropout probability"):
        Dropout(bad)


def test_gradient_equals_mask_over_keep():
    x = torch.rand(10_000, requires_grad=True)
    torch.manual_seed(4)
    y = Dropout(0.25)(x)
    y.sum().backward()
    mask = (y != 0).float()
    assert torch.equal(x.grad, mask / 0.75)


def test_same_seed_same_mask_and_equal_to_nn_dropout():
    x = torch.randn(32, 512)
    torch.manual_seed(5)
    a = Dropout(0.5)(x)
    torch.manual_seed(5)
    b = Dropout(0.5)(x)
    torch.manual_seed(5)
    c = nn.Dropout(0.5)(x)
    assert torch.equal(a, b) and torch.equal(a, c)


def test_is_exported_and_repr():
    import alexnet_course.layers as layers

    assert "Dropout" in layers.__all__
    assert repr(Dropout(0.5)) == "Dropout(p=0.5)"
