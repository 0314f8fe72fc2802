"""Lesson 04 exercises, checked against PyTorch's layer and the formula."""

import torch

from alexnet_course.exercises import lrn as ex


def test_pytorch_alpha_makes_pytorch_the_paper_layer():
    a = torch.randn(1, 16, 3, 3, dtype=torch.float64) * 40
    ours = torch.nn.LocalResponseNorm(5, alpha=5e-4, beta=0.75, k=2.0)(a)
    from alexnet_course.layers import paper_lrn

    torch.testing.assert_close(ours, paper_lrn()(a))
    assert ex.check_pytorch_alpha(5e-4)
    assert not ex.check_pytorch_alpha(1e-4)
    assert not ex.check_pytorch_alpha(2e-5)  # divided instead of multiplied
    assert "Not answered" in repr(ex.check_pytorch_alpha(None))


def test_edge_window():
    assert ex.check_edge_window(3)
    assert not ex.check_edge_window(5)
    assert ex.check_edge_window(5, channel=10)
    assert ex.check_edge_window(4, channel=1)
    assert ex.check_edge_window(3, channel=95)


def test_small_activation_scale():
    assert ex.check_small_activation_scale(2 ** -0.75)
    assert not ex.check_small_activation_scale(1.0)


def test_lrn_value():
    assert ex.check_lrn_value(20 / (2 + 1e-4 * 1400) ** 0.75)
    assert not ex.check_lrn_value(20 / (2 + 1e-4 / 5 * 1400) ** 0.75)  # PyTorch's alpha as is
