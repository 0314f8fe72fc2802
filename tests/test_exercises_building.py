"""Lesson 08's exercise checks accept the right answer and explain the usual wrong ones."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from alexnet_course.exercises import building as ex
from alexnet_course.models import alexnet


def test_conv3_grouped_total_matches_a_real_grouped_network():
    with torch.device("meta"):
        net = alexnet("paper")
        net.features[8] = nn.Conv2d(256, 384, 3, padding=1, groups=2)  # the mistake, built
    total = sum(p.numel() for p in net.parameters())
    verdict = ex.check_conv3_grouped_total(total)
    assert verdict and "442,368" in repr(verdict)
    assert not ex.check_conv3_grouped_total(60_965_224)  # the correct network's total
    halved_biases = ex.check_conv3_grouped_total(total - 384 // 2)
    assert not halved_biases and "too low" in repr(halved_biases) and "biases stay" in repr(halved_biases)


def test_biases_at_one():
    assert ex.check_biases_at_one(2 * 4096 + 256 + 384 + 256)
    convs_only = ex.check_biases_at_one(256 + 384 + 256)
    assert not convs_only and "too low" in repr(convs_only) and "fully connected" in repr(convs_only)
    assert not ex.check_biases_at_one(2 * 4096 + 256 + 384 + 256 + 96 + 384 + 1000)  # every bias
    assert "Not answered yet" in repr(ex.check_biases_at_one(None))


def test_default_std_matches_pytorch_itself():
    torch.manual_seed(0)
    measured = nn.Linear(9216, 4096).weight.std().item()  # PyTorch's own default initialisation
    assert ex.check_default_std_fc6(measured)
    assert ex.check_default_std_fc6(0.006)  # rounded
    bound = ex.check_default_std_fc6(1 / math.sqrt(9216))  # the bound, not the std
    assert not bound and "too high" in repr(bound) and "b/√3" in repr(bound)


def test_he_std_of_conv1():
    torch.manual_seed(0)
    w = torch.empty(96, 3, 11, 11)
    nn.init.kaiming_normal_(w, mode="fan_in", nonlinearity="relu")
    assert ex.check_he_std_conv1(w.std().item())
    assert ex.check_he_std_conv1(0.0742)
    assert not ex.check_he_std_conv1(0.01)  # the paper's choice
    assert not ex.check_he_std_conv1(math.sqrt(2 / (96 * 11 * 11)))  # fan_out instead of fan_in
    assert "is not a number" in repr(ex.check_he_std_conv1("small"))


@pytest.mark.parametrize("check", [ex.check_conv3_grouped_total, ex.check_biases_at_one,
                                   ex.check_default_std_fc6, ex.check_he_std_conv1])
def test_every_check_explains_its_answer(check):
    assert "Hint:" in repr(check(10**9))
