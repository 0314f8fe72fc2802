"""Lesson 03 exercises: right answers pass, typical wrong ones fail with a hint, None is 'not answered'."""

import math

import torch

from alexnet_course.exercises import relu_vs_tanh as ex


def test_tanh_gradient():
    assert ex.check_tanh_gradient(1 - math.tanh(2.0) ** 2)
    assert ex.check_tanh_gradient(0.0707)  # 3 significant digits are enough
    assert not ex.check_tanh_gradient(1.0)  # ReLU's
    assert not ex.check_tanh_gradient(math.tanh(2.0))  # the value, not the slope
    assert "Not answered" in repr(ex.check_tanh_gradient(None))


def test_saturation_edge_is_where_the_gradient_is_the_level():
    x = torch.tensor(1.818, dtype=torch.float64)
    assert abs((1 - torch.tanh(x) ** 2).item() - 0.1) < 1e-3
    assert ex.check_saturation_edge(1.818)
    assert not ex.check_saturation_edge(0.1)
    assert not ex.check_saturation_edge("two")


def test_gradient_through_layers():
    assert ex.check_gradient_through_layers((1 - math.tanh(1.0) ** 2) ** 5)
    assert not ex.check_gradient_through_layers(1.0)
    assert ex.check_gradient_through_layers(1.0, x=0.0)  # tanh'(0) = 1: the linear regime


def test_relu_epochs():
    assert ex.check_relu_epochs(6)
    assert not ex.check_relu_epochs(216)
    assert ex.check_relu_epochs(2, tanh_epochs=12)
