"""Per-layer activation statistics agree with a direct computation and leave the model as it was."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from alexnet_course.activation_stats import ActivationStats, activation_stats, stats_frame


def small_net():
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.5),
                         nn.Linear(4 * 3 * 3, 5))


def test_statistics_match_a_direct_computation():
    net, x = small_net(), torch.randn(6, 3, 8, 8)
    rows = activation_stats(net, x)
    assert [r.type for r in rows] == ["Conv2d", "ReLU", "MaxPool2d", "Flatten", "Dropout", "Linear"]
    conv = net[0](x)
    relu = conv.relu()
    assert rows[0].shape == (4, 6, 6) and rows[3].shape == (36,)
    assert rows[0].mean == pytest.approx(conv.mean().item(), abs=1e-6)
    assert rows[0].std == pytest.approx(conv.std(correction=0).item(), rel=1e-5)
    assert rows[1].zero_fraction == pytest.approx((relu == 0).float().mean().item())
    assert rows[0].zero_fraction == 0.0
    assert rows[0].batch_std == pytest.approx(conv.std(dim=0, correction=0).mean().item(), rel=1e-5)
    # Eval mode: dropout passes its input through unchanged.
    assert rows[4].mean == pytest.approx(rows[3].mean) and rows[4].std == pytest.approx(rows[3].std)
    net.eval()
    assert rows[5].std == pytest.approx(net(x).std(correction=0).item(), rel=1e-5)


def test_batch_std_is_zero_for_identical_examples_and_one_example():
    net, x = small_net(), torch.randn(1, 3, 8, 8)
    assert all(r.batch_std == 0 for r in activation_stats(net, x))
    assert all(r.batch_std < 1e-6 for r in activation_stats(net, x.repeat(3, 1, 1, 1)))


def test_types_filter_and_repeated_calls():
    relu = nn.ReLU()
    net = nn.Sequential(nn.Linear(3, 3), relu, nn.Linear(3, 3), relu)  # one module called twice
    rows = activation_stats(net, torch.randn(4, 3), types=(nn.ReLU,))
    assert [(r.name, r.type) for r in rows] == [("1", "ReLU"), ("1", "ReLU")]


def test_model_is_left_as_it_was_even_on_failure():
    net = small_net().train()
    activation_stats(net, torch.randn(2, 3, 8, 8))
    assert net.training
    assert all(not m._forward_hooks for m in net.modules())
    with pytest.raises(RuntimeError):
        activation_stats(net, torch.randn(2, 3, 12, 12))  # 4·5·5 features: the Linear wants 36
    assert net.training and all(not m._forward_hooks for m in net.modules())


def test_no_gradients_are_recorded():
    net = small_net()
    activation_stats(net, torch.randn(2, 3, 8, 8, requires_grad=True))
    assert all(p.grad is None for p in net.parameters())


def test_frame():
    rows = [ActivationStats("a", "Conv2d", (2, 2, 2), 0.0, 1.0, 0.0, 0.9),
            ActivationStats("b", "ReLU", (2, 2, 2), 0.4, 0.6, 0.5, 0.5)]
    frame = stats_frame(rows)
    assert list(frame.index) == ["a", "b"]
    assert list(frame.columns) == ["type", "shape", "mean", "std", "zero_fraction", "batch_std"]
    assert frame.loc["b", "zero_fraction"] == 0.5
