"""Lesson 08's exercise answers, derived here by hand; tests/test_exercises.py grades each
through the package's check (``CHECKS``: check, derived answer, a typical wrong one)."""

from __future__ import annotations

import math

import torch
from torch import nn

from alexnet_course.exercises import building as ex
from alexnet_course.models import alexnet


def conv(c_in, c_out, k, groups=1):
    return k * k * (c_in // groups) * c_out + c_out


FC = 9216 * 4096 + 4096 + 4096 * 4096 + 4096 + 4096 * 1000 + 1000
CONV1, CONV3 = conv(3, 96, 11), conv(256, 384, 3)
FOUR_TOWERS = CONV1 + conv(96, 256, 5, 4) + CONV3 + conv(384, 384, 3, 4) + conv(384, 256, 3, 4) + FC
TWO_TOWERS = CONV1 + conv(96, 256, 5, 2) + CONV3 + conv(384, 384, 3, 2) + conv(384, 256, 3, 2) + FC
# "a quarter of the two-tower weights" instead of half of them
QUARTERED = TWO_TOWERS - 3 * (5 * 5 * 48 * 256 + 3 * 3 * 192 * 384 + 3 * 3 * 192 * 256) // 4
BIASES_AT_ONE = 256 + 384 + 256 + 4096 + 4096  # conv2, conv4, conv5, fc6, fc7
# PyTorch's default: U(-b, b) with b = 1/√n has variance b²/3; conv4 of one tower sees 384·3·3 inputs.
STD_CONV4_SINGLE = 1 / math.sqrt(3 * 384 * 3 * 3)

CHECKS = [
    (ex.check_four_towers_total, FOUR_TOWERS, QUARTERED),
    (ex.check_biases_at_one, BIASES_AT_ONE, 256 + 384 + 256),  # forgot the fully connected layers
    (ex.check_default_std_conv4_single, STD_CONV4_SINGLE, 1 / math.sqrt(3 * 192 * 3 * 3)),  # two towers'
]


def test_four_towers_total_matches_a_real_grouped_network():
    with torch.device("meta"):
        net = alexnet("paper")
        grouped = {4: (96, 256, 5, 2), 10: (384, 384, 3, 1), 12: (384, 256, 3, 1)}  # conv2, conv4, conv5
        for i, (c_in, c_out, k, pad) in grouped.items():
            net.features[i] = nn.Conv2d(c_in, c_out, k, padding=pad, groups=4)
    assert sum(p.numel() for p in net.parameters()) == FOUR_TOWERS == 60_258_664
    verdict = ex.check_four_towers_total(FOUR_TOWERS)
    assert verdict and "706,560" in repr(verdict)
    assert not ex.check_four_towers_total(TWO_TOWERS)  # the paper's own total
    assert not ex.check_four_towers_total(FOUR_TOWERS + 1)  # exact


def test_biases_at_one():
    assert not ex.check_biases_at_one(BIASES_AT_ONE + 96 + 384 + 1000)  # every bias
    assert "Not answered yet" in repr(ex.check_biases_at_one(None))


def test_default_std_matches_pytorch_itself():
    torch.manual_seed(0)
    measured = nn.Conv2d(384, 384, 3).weight.std().item()  # PyTorch's own default initialisation
    assert ex.check_default_std_conv4_single(measured)
    assert ex.check_default_std_conv4_single(0.00982)  # rounded to 3 significant digits
    bound = ex.check_default_std_conv4_single(1 / math.sqrt(384 * 3 * 3))  # the bound, not the std
    assert not bound and "too high" in repr(bound) and "1/√(3n)" in repr(bound)


def test_towers_save_a_larger_share_of_multiply_adds_than_of_parameters():
    # One-tower counts, layer by layer: weights k·k·C_in·C_out, multiply-adds H·W times as many.
    weights = {"conv2": 5 * 5 * 96 * 256, "conv4": 3 * 3 * 384 * 384, "conv5": 3 * 3 * 384 * 256}
    sides = {"conv2": 27, "conv4": 13, "conv5": 13}
    single_params = FC + CONV1 + conv(96, 256, 5) + CONV3 + conv(384, 384, 3) + conv(384, 256, 3)
    single_macs = (55 * 55 * 11 * 11 * 3 * 96 + 13 * 13 * 3 * 3 * 256 * 384 + 9216 * 4096 + 4096 * 4096
                   + 4096 * 1000 + sum(sides[n] ** 2 * w for n, w in weights.items()))
    saved_params = sum(weights.values()) // 2
    saved_macs = sum(sides[n] ** 2 * w for n, w in weights.items()) // 2
    assert (saved_params, single_params) == (1_413_120, 62_378_344)
    assert (saved_macs, single_macs) == (410_849_280, 1_135_256_096)
    assert saved_macs / single_macs > saved_params / single_params
    verdict = ex.check_towers_save_more(" Multiply-adds ")
    assert verdict and f"({saved_params / single_params:.1%})" in repr(verdict)
    assert f"({saved_macs / single_macs:.1%})" in repr(verdict)
    assert not ex.check_towers_save_more("parameters")
    assert "is not one of" in repr(ex.check_towers_save_more("weights"))
    assert ex.check_towers_save_more(None).solution.startswith("multiply-adds: ")
