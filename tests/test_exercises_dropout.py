"""Lesson 06's exercise checks; the expected answers are recomputed here by hand."""

from __future__ import annotations

import pytest
import torch

from alexnet_course.exercises.dropout import (check_fc6_dropped, check_inverted_scale,
                                              check_thinned_networks)

FC6_IN = 256 * 6 * 6  # 9216: the paper's flattened pool5
FC7_IN = 4096
INVERTED_SCALE = 1 / (1 - 0.2)  # 1.25
FC6_DROPPED = 0.5 * FC6_IN  # 4608
THINNED = FC6_IN + FC7_IN  # 13312

CHECKS = [
    (check_inverted_scale, INVERTED_SCALE, 1 - 0.2),  # multiplying by the keep probability
    (check_fc6_dropped, FC6_DROPPED, 0.5 * FC7_IN),  # fc7's input instead
    (check_thinned_networks, THINNED, FC6_IN + FC7_IN + 1000),  # counting fc8's outputs too
]


def test_expected_answers():
    assert (INVERTED_SCALE, FC6_DROPPED, THINNED) == (1.25, 4608, 13312)


@pytest.mark.parametrize("check, right, wrong", CHECKS, ids=lambda x: getattr(x, "__name__", ""))
def test_right_answer_is_correct(check, right, wrong):
    verdict = check(right)
    assert verdict and repr(verdict).startswith("Correct: ")


@pytest.mark.parametrize("check, right, wrong", CHECKS, ids=lambda x: getattr(x, "__name__", ""))
def test_wrong_and_missing_answers_get_a_hint(check, right, wrong):
    assert not check(wrong) and "Hint:" in repr(check(wrong))
    assert repr(check(None)).startswith("Not answered yet")


def test_checks_leave_the_random_stream_alone():
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    check_inverted_scale(1.25)
    assert torch.equal(torch.rand(3), expected)
