"""The paper's LRN: against a loop over the formula, against PyTorch (alpha scaled by n), gradients."""

import doctest

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from alexnet_course import layers
from alexnet_course.layers import LocalResponseNorm, lrn_divisor, paper_lrn


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


def pytorch_paper_lrn(size, alpha, beta, k):
    """PyTorch's layer divides alpha by n (it averages the squares), so it gets alpha * n."""
    return torch.nn.LocalResponseNorm(size, alpha=alpha * size, beta=beta, k=k)


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 6])
@pytest.mark.parametrize("more_channels", [-1, 0, 3])  # fewer channels than size, as many, more
def test_loop_pytorch_and_layer_agree_around_size(size, more_channels):
    channels = max(1, size + more_channels)
    a = torch.randn(2, channels, 3, 2, dtype=torch.float64) * 5
    for alpha, beta, k in [(1e-4, 0.75, 2.0), (0.1, 0.5, 1.0), (1.0, 1.5, 0.5)]:
        b = LocalResponseNorm(size, alpha, beta, k)(a)
        torch.testing.assert_close(b, lrn_by_loop(a, size, alpha, beta, k))
        torch.testing.assert_close(b, pytorch_paper_lrn(size, alpha, beta, k)(a))
        torch.testing.assert_close(a / lrn_divisor(a, size, alpha, beta, k), b)


@pytest.mark.parametrize("size", [1, 2, 4, 5, 6, 9])
def test_windows_at_the_edges_follow_pytorchs_zero_padding(size):
    channels = 7
    # a[j] = 2**j: a sum of squares 4**j names exactly which channels the window holds.
    a = (2.0 ** torch.arange(channels, dtype=torch.float64)).reshape(1, channels, 1)
    windows = [range(max(0, i - size // 2), min(channels - 1, i + (size - 1) // 2) + 1)
               for i in range(channels)]  # the extra channel of an even n goes before i
    expected = torch.tensor([sum(4.0 ** j for j in window) for window in windows], dtype=torch.float64)
    ours = lrn_divisor(a, size, alpha=1.0, beta=1.0, k=0.0).flatten()
    theirs = (a / pytorch_paper_lrn(size, 1.0, 1.0, 0.0)(a)).flatten()  # PyTorch's divisor
    torch.testing.assert_close(ours, expected, rtol=0, atol=0)
    torch.testing.assert_close(theirs, expected)


def test_float32_paper_layer_matches_pytorch_on_a_conv1_sized_map():
    a = torch.relu(torch.randn(2, 96, 27, 27)) * 100
    torch.testing.assert_close(paper_lrn()(a), paper_lrn(torch_impl=True)(a))


def test_divisor_needs_a_channel_dimension():
    with pytest.raises(ValueError, match=r"at least 3 dimensions, got shape \(96,\)"):
        lrn_divisor(torch.ones(96))


def test_paper_constants_are_the_defaults_and_pytorchs_equivalent():
    lrn = paper_lrn()
    assert isinstance(lrn, LocalResponseNorm)
    assert (lrn.size, lrn.alpha, lrn.beta, lrn.k) == (5, 1e-4, 0.75, 2.0)
    assert repr(LocalResponseNorm()) == repr(lrn)  # the defaults are the paper's
    a = torch.randn(2, 96, 7, 7, dtype=torch.float64) * 30  # large enough for LRN to matter
    paper = paper_lrn(torch_impl=True)
    assert (paper.size, paper.alpha, paper.beta, paper.k) == (5, 1e-4 * 5, 0.75, 2.0)
    torch.testing.assert_close(lrn(a), paper(a))
    unscaled = torch.nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0)  # the paper's alpha as is
    assert not torch.allclose(lrn(a), unscaled(a))
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
