"""Lesson 06's exercise answers, derived here by hand; tests/test_exercises.py grades each
through the package's check (``CHECKS``: check, derived answer, a typical wrong one)."""

from __future__ import annotations

import math

import pytest
import torch

from alexnet_course.exercises.dropout import (
    check_fc7_weights_used,
    check_geometric_mean,
    check_inverted_scale,
    check_thinned_networks,
    fc7_weights_used,
    placements,
)

FC6_IN = 256 * 6 * 6  # 9216: the paper's flattened pool5
HIDDEN = 4096  # fc6's and fc7's outputs
INVERTED_SCALE = 1 / (1 - 0.2)  # 1.25
# The paper (and Caffe) drops fc6's and fc7's outputs; the course (and torchvision) their inputs.
PAPER_THINNED = HIDDEN + HIDDEN  # 8192
COURSE_THINNED = FC6_IN + HIDDEN  # 13312
# Two passes (0.6, 0.3, 0.1) and (0.2, 0.3, 0.5): per class the square root of the product,
# then renormalised; class 1 gets √0.09 / (√0.12 + √0.09 + √0.05) ≈ 0.345, the arithmetic mean 0.3.
CLASS_PAIRS = ((0.6, 0.2), (0.3, 0.3), (0.1, 0.5))  # each class's probability in the two passes
GEOMETRIC_CLASS_1 = math.sqrt(0.3 * 0.3) / sum(math.sqrt(a * b) for a, b in CLASS_PAIRS)

CHECKS = [
    (check_inverted_scale, INVERTED_SCALE, 1 - 0.2),  # multiplying by the keep probability
    (check_thinned_networks, PAPER_THINNED, COURSE_THINNED),  # the course's placement instead
    (check_geometric_mean, GEOMETRIC_CLASS_1, 0.3),  # the arithmetic mean instead
]


def test_placements_name_the_units_each_drops():
    assert placements() == {"inputs": [("fc6 inputs", FC6_IN), ("fc7 inputs", HIDDEN)],
                            "outputs": [("fc6 outputs", HIDDEN), ("fc7 outputs", HIDDEN)]}
    assert "9,216 + 4,096 = 13,312" in repr(check_thinned_networks(PAPER_THINNED))


def test_fc7_weights_prediction():
    # A weight of fc7 works when the unit it reads and the unit it writes are kept. On inputs,
    # only what fc7 reads is dropped: 1 - p = 1/2 of its weights; on outputs, fc6's outputs
    # (what fc7 reads) and fc7's outputs both are: (1 - p)^2 = 1/4.
    share = {"inputs": 1 - 0.5, "outputs": (1 - 0.5) ** 2}
    expected = max(share, key=share.get)
    verdict = check_fc7_weights_used(expected)
    assert verdict and expected == "inputs"
    assert "(50.0%) on inputs" in repr(verdict) and "(25.0%) on outputs" in repr(verdict)
    assert check_fc7_weights_used(" Input ")  # singular and any case
    wrong = check_fc7_weights_used("same")  # "p is 0.5 either way"
    assert not wrong and repr(wrong).startswith("'same' is not it. Hint: ")


@pytest.mark.parametrize("p, problem", [
    (1, "drops every unit"), (1.0, "drops every unit"), (-0.1, "is not a probability"),
    (1.5, "is not a probability"), (float("nan"), "is not a probability"), ("half", "is not a probability"),
])
def test_impossible_p_gets_a_message_not_an_exception(p, problem):
    verdict = check_inverted_scale(1.25, p=p)
    assert not verdict and repr(verdict).startswith("Cannot check this: ") and problem in repr(verdict)


def test_other_p_are_checked():
    assert check_inverted_scale(1, p=0) and check_inverted_scale(2, p=0.5)
    assert check_inverted_scale(torch.tensor(4.0), p=0.75)


def test_checks_leave_the_random_stream_alone():
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    check_inverted_scale(1.25)
    fc7_weights_used.cache_clear()  # draw the masks again, here
    check_fc7_weights_used("inputs")
    assert torch.equal(torch.rand(3), expected)
