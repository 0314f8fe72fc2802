"""Lesson 10's d2l baseline: d2l's chapter net equals the course's ``alexnet("d2l")`` in
shapes and parameters, and both recipes run offline in the smoke profile."""

from __future__ import annotations

import math
import sys

import pytest
import torch
from torch import nn

from alexnet_course.arithmetic import trace_arithmetic
from alexnet_course.counting import conv_params, count_parameters, linear_params
from alexnet_course.experiments import relatives
from alexnet_course.models import alexnet

needs_d2l = pytest.mark.skipif(relatives.d2l_available() is not None,
                               reason=str(relatives.d2l_available()))


def test_a_missing_d2l_is_reported_clearly(monkeypatch):
    monkeypatch.setitem(sys.modules, "d2l", None)  # makes `from d2l import torch` fail
    reason = relatives.d2l_available()
    assert reason and "pip install --no-deps d2l==1.0.3" in reason
    with pytest.raises(RuntimeError, match="d2l is not installed"):
        relatives.d2l_baseline("smoke")


@needs_d2l
def test_d2l_chapter_net_matches_the_course_variant():
    torch.manual_seed(0)
    theirs = relatives.d2l_alexnet()
    # conv1 on 224 with padding 1: (224 + 2 - 11) // 4 + 1 = 54, then 26, 12, 12, 12, 5
    by_hand = (conv_params(1, 96, 11) + conv_params(96, 256, 5) + conv_params(256, 384, 3)
               + conv_params(384, 384, 3) + conv_params(384, 256, 3)
               + linear_params(256 * 5 * 5, 4096) + linear_params(4096, 4096) + linear_params(4096, 10))
    assert count_parameters(theirs) == count_parameters(alexnet("d2l")) == by_hand == 46_764_746
    x = torch.zeros(1, 1, 224, 224)
    sides = []
    for layer in theirs.net:
        x = layer(x)
        if isinstance(layer, (nn.Conv2d, nn.MaxPool2d)):
            sides.append(x.shape[-1])
    ours = [r.shape[-1] for r in trace_arithmetic(alexnet("d2l").features, (1, 224, 224))
            if r.type in ("Conv2d", "MaxPool2d")]
    assert sides == ours == [54, 26, 26, 12, 12, 12, 12, 5]


@needs_d2l
def test_d2l_chapter_net_has_the_course_variants_layers_in_its_order():
    torch.manual_seed(0)
    theirs = relatives.d2l_alexnet()
    ours = alexnet("d2l")
    # The course's forward pass flattens between features and classifier, where d2l has a Flatten.
    layers = [*ours.features, nn.Flatten(), *ours.classifier]
    assert [repr(m) for m in theirs.net] == [repr(m) for m in layers]  # types, kernels, strides, p
    assert isinstance(theirs.net[-3], nn.ReLU) and isinstance(theirs.net[-2], nn.Dropout)  # fc7, ReLU, drop
    assert [tuple(p.shape) for p in theirs.parameters()] == [tuple(p.shape) for p in ours.parameters()]
    # With d2l's weights the course's network computes d2l's function (dropout off).
    ours.load_state_dict(dict(zip(ours.state_dict(), theirs.net.state_dict().values())))
    x = torch.randn(2, 1, 224, 224)
    with torch.no_grad():
        assert torch.allclose(ours.eval()(x), theirs.net.eval()(x), rtol=1e-5, atol=1e-6)


@needs_d2l
def test_both_recipes_run_offline_on_the_same_images_in_the_smoke_profile(no_network):
    size = relatives.SIZES["smoke"]
    result = relatives.d2l_baseline("smoke", device="cpu")
    assert result.network == "alexnet-small" and result.image_size == 32
    assert sorted((r["recipe"], r["seed"]) for r in result.rows) == sorted(
        (recipe, seed) for recipe in ("course", "d2l") for seed in range(size.seeds))
    for row in result.rows:
        assert 0.0 <= row["test_top1"] <= 1.0 and row["images_per_s"] > 0
        # the same images and epochs: images/s × seconds is the same count for both recipes
        assert math.isclose(row["images_per_s"] * row["seconds"], size.epochs * size.train_samples)
    lines = result.verdicts()
    assert "same 2,000 images" in lines[0] and f"d2l's {size.epochs * 8} steps of 128" in lines[0]
    assert f"the course's {size.epochs * 1000 // size.batch_size} of {size.batch_size}" in lines[0]
    assert lines[1].startswith("test top-1: ") and "95 % interval" in lines[1]
    assert "ln 10 = 2.303" in lines[2] and "images/s" in lines[3]
    ratios = [math.log(a / b) for a, b in zip(result.values("course", "images_per_s"),
                                               result.values("d2l", "images_per_s"))]
    geometric = math.exp(sum(ratios) / len(ratios))
    assert f"ran {geometric:.2f}× d2l's images/s (geometric mean" in lines[3]


@needs_d2l
def test_d2l_recipe_is_plain_sgd_at_its_rate_around_any_net():
    _, recipe, _ = relatives._classes()
    model = recipe(nn.Linear(4, 3))
    optimizer = model.configure_optimizers()
    assert type(optimizer) is torch.optim.SGD
    assert optimizer.defaults["lr"] == relatives.D2L_RECIPE["lr"] == 0.01
    assert optimizer.defaults["momentum"] == 0
