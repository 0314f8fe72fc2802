"""Lesson 11's exercise answers, derived here by hand; tests/test_exercises.py grades each
through the package's check (``CHECKS``: check, derived answer, a typical wrong one)."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from alexnet_course.exercises.mistakes import (
    check_conv1_largest_side_for_55,
    check_eval_logits_with_late_dropout,
    check_loose_zfnet_conv2_macs,
    check_lrn_edge_window,
    check_paper_fc6_with_conv2_stride2,
    check_single_minus_grouped,
    check_torch_lrn_claim_alpha,
)

# conv1 11x11/4 unpadded: (n - 11) // 4 + 1 = 55 needs 216 <= n - 11 <= 219, so n <= 230.
LARGEST_FOR_55 = 11 + 4 * (55 - 1) + (4 - 1)
# The paper's net with conv2 at stride 2 (5x5, padding 2) on 227: 55 -> pool 27 -> conv2
# (27 + 4 - 5) // 2 + 1 = 14 -> pool (14 - 3) // 2 + 1 = 6 -> conv3..5 keep 6 -> pool 2.
side = (27 + 4 - 5) // 2 + 1
side = (side - 3) // 2 + 1
side = (side - 3) // 2 + 1
FC6_WITH_STRIDE2 = 256 * side * side
# Groups=2 halves the weights of conv2, conv4, conv5; biases are the same either way.
SINGLE_MINUS_GROUPED = 256 * 48 * 25 + 384 * 192 * 9 + 256 * 192 * 9
# Channel 0 with n = 5: channels 0, 1, 2 (the two before it do not exist).
EDGE_WINDOW = len([c for c in range(0 - 2, 0 + 3) if 0 <= c < 96])
# PyTorch multiplies the *mean* of the n squares by alpha: alpha / n times their sum.
CLAIM_ALPHA = 1e-4 / 5
# ZFNet with conv2 at stride 1, padding 2: 55 x 55 outputs, 256 kernels of 5 x 5 x 96.
LOOSE_CONV2_MACS = 55 * 55 * 256 * 5 * 5 * 96

CHECKS = [
    (check_conv1_largest_side_for_55, LARGEST_FOR_55, 227),  # the smallest, not the largest
    (check_paper_fc6_with_conv2_stride2, FC6_WITH_STRIDE2, 256 * 6 * 6),  # stride 1's 9,216
    (check_single_minus_grouped, SINGLE_MINUS_GROUPED, 2 * SINGLE_MINUS_GROUPED),
    (check_lrn_edge_window, EDGE_WINDOW, 5),  # the window unclipped
    (check_torch_lrn_claim_alpha, CLAIM_ALPHA, 1e-4),  # what was typed, not what is used
    (check_loose_zfnet_conv2_macs, LOOSE_CONV2_MACS, 26 * 26 * 256 * 5 * 5 * 96),  # ZFNet's own
]


def test_derivations():
    assert LARGEST_FOR_55 == 230 and (230 - 11) // 4 + 1 == 55 and (231 - 11) // 4 + 1 == 56
    assert FC6_WITH_STRIDE2 == 1024 and SINGLE_MINUS_GROUPED == 1_413_120 and EDGE_WINDOW == 3
    assert LOOSE_CONV2_MACS == 1_858_560_000


def test_claim_alpha_is_what_pytorch_computes():
    # The paper's formula by hand, with alpha / 5 on the plain sum of squares, equals PyTorch's
    # layer given alpha = 1e-4.
    a = torch.rand(1, 8, 2, 2, dtype=torch.float64) * 20
    squares = torch.nn.functional.pad(a ** 2, (0, 0, 0, 0, 2, 2))
    window = sum(squares[:, i:i + 8] for i in range(5))
    by_hand = a / (2.0 + CLAIM_ALPHA * window) ** 0.75
    torch_layer = nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0)(a)
    assert torch.allclose(by_hand, torch_layer)
    assert check_torch_lrn_claim_alpha(2e-5) and check_torch_lrn_claim_alpha(np.float32(2e-5))
    assert check_torch_lrn_claim_alpha(torch.tensor(2e-5))  # a float32 tensor's rounding is allowed
    assert not check_torch_lrn_claim_alpha(5e-4)  # the fix, not what the claim uses


def test_the_prediction_eval_mode_logits_are_the_same():
    # In eval mode dropout is the identity: a classifier with one more dropout after fc8
    # computes the same logits.
    torch.manual_seed(3)
    head = nn.Sequential(nn.Linear(4, 3), nn.Dropout(0.5))
    x = torch.randn(5, 4)
    assert torch.equal(head.eval()(x), head[0](x))
    state = torch.random.get_rng_state()
    right = check_eval_logits_with_late_dropout("same")
    assert torch.equal(torch.random.get_rng_state(), state)  # the learner's random state is kept
    assert right and "2,560 logits" in repr(right) and "in training" in repr(right)
    assert check_eval_logits_with_late_dropout(" Same")
    wrong = check_eval_logits_with_late_dropout("different")
    assert not wrong and repr(wrong).startswith("'different' is not it. Hint: ")
    assert "is not one of" in repr(check_eval_logits_with_late_dropout(0.5))
