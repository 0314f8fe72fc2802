"""The paper's LRN: against a loop over the formula, against PyTorch (alpha scaled by n), gradients."""

import doctest

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from alexnet_course import layers
from alexnet_course.layers import LocalResponseNorm, paper_lrn


def lrn_by_loop(a, n, alpha, beta, k):
    """b[c] = a[c] / (k + alpha * sum of a[j]^2 over the n channels around c, clipped at the edges)^beta."""
    channels = a.shape[1]
    out = torch.empty_like(a)
    for c in range(channels):
        lo, hi = max(0, c - n // 2), min(channels - 1, c + (n - 1) // 2)
        total = sum(a[:, j] ** 2 for j in range(lo, hi + 1))
        out[:, c] = a[:, c] / (k + alpha * total) ** beta
    return out


settings_lrn = settings(max_examples=60, deadline=None)
params = dict(
    size=st.integers(1, 7),
    alpha=st.floats(1e-5, 1.0),
    beta=st.floats(0.1, 1.5),
    k=st.floats(0.5, 3.0),
    shape=st.lists(st.integers(1, 4), min_size=1, max_size=3).flatmap(
        lambda spatial: st.tuples(st.integers(1, 3), st.integers(1, 10)).map(lambda nc: (*nc, *spatial))
    ),
)


@settings_lrn
@given(**params)
def test_lrn_is_the_paper_formula(size, alpha, beta, k, shape):
    a = torch.randn(shape, dtype=torch.float64)
    expected = lrn_by_loop(a, size, alpha, beta, k)
    torch.testing.assert_close(LocalResponseNorm(size, alpha, beta, k)(a), expected)


@settings_lrn
@given(**params)
def test_lrn_equals_pytorch_with_alpha_times_size(size, alpha, beta, k, shape):
    a = torch.randn(shape, dtype=torch.float64)
    ours = LocalResponseNorm(size, alpha, beta, k)(a)
    torch.testing.assert_close(ours, torch.nn.LocalResponseNorm(size, alpha=alpha * size, beta=beta, k=k)(a))


def test_paper_constants_are_the_defaults_and_pytorchs_equivalent():
    lrn = paper_lrn()
    assert isinstance(lrn, LocalResponseNorm) and (lrn.size, lrn.alpha, lrn.beta, lrn.k) == (5, 1e-4, 0.75, 2.0)
    assert repr(LocalResponseNorm()) == repr(lrn)  # the defaults are the paper's
    a = torch.randn(2, 96, 7, 7, dtype=torch.float64) * 30  # large enough for LRN to matter
    paper = paper_lrn(torch_impl=True)
    assert (paper.size, paper.alpha, paper.beta, paper.k) == (5, 1e-4 * 5, 0.75, 2.0)
    torch.testing.assert_close(lrn(a), paper(a))
    assert not torch.allclose(lrn(a), torch.nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0)(a))  # alpha unscaled
    assert not torch.allclose(lrn(a), torch.nn.LocalResponseNorm(5)(a))  # PyTorch's defaults: also k=1


def test_gradcheck_in_float64():
    a = torch.randn(2, 6, 3, 3, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(LocalResponseNorm(5, alpha=0.1, beta=0.75, k=2.0), (a,))


def test_shape_only_on_meta_and_bad_size():
    assert LocalResponseNorm()(torch.empty(4, 96, 55, 55, device="meta")).shape == (4, 96, 55, 55)
    with pytest.raises(ValueError, match="size .* ≥ 1"):
        LocalResponseNorm(size=0)


def test_doctests():
    assert doctest.testmod(layers).failed == 0
