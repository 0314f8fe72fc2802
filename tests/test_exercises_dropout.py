"""Lesson 06's exercise answers, derived here by hand; tests/test_exercises.py grades each
through the package's check (``CHECKS``: check, derived answer, a typical wrong one)."""

from __future__ import annotations

import torch

from alexnet_course.exercises.dropout import check_fc6_dropped, check_inverted_scale, check_thinned_networks

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


def test_checks_leave_the_random_stream_alone():
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    check_inverted_scale(1.25)
    assert torch.equal(torch.rand(3), expected)
