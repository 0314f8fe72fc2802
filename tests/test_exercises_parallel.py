"""Lesson 12's exercise answers, derived here by hand; tests/test_exercises.py grades each
through the package's check (``CHECKS``: check, derived answer, a typical wrong one)."""

from __future__ import annotations

import math

import pytest

from alexnet_course.exercises.parallel import (
    check_conv4_transfer,
    check_ddp_or_split_sends_more,
    check_ddp_steps,
    check_fc6_per_gpu,
)

# The paper's net at 227: conv1 (227 - 11)/4 + 1 = 55, pools 55 -> 27 -> 13 -> 6.
side = (227 - 11) // 4 + 1
sides = []
for _ in range(3):
    side = (side - 3) // 2 + 1
    sides.append(side)
# conv3 ("same" padding) keeps pool2's 13 x 13; its 384 kernels are split 192 per GPU.
CONV4_TRANSFER = 384 // 2 * sides[1] ** 2
FC6_PER_GPU = 256 * sides[2] ** 2 * (4096 // 2) + 4096 // 2
DDP_STEPS = math.ceil(math.ceil(60_000 / 4) / (128 // 4))

# Communication per training step on 2 GPUs, batch 128. The split, per image: conv2 -> conv3
# 128 * 13 * 13 from each GPU, pool5 -> fc6 128 * 6 * 6 each, fc6 -> fc7 2048 each, fc7 -> fc8
# 2048 one way; forward, and as many gradients back. DDP on 2 ranks: a ring all-reduce sends
# 2 (W - 1) / W = 1 copy of the gradients from each rank; the paper's net has 60,965,224.
SPLIT_PER_IMAGE = 2 * (128 * 13 * 13) + 2 * (128 * 6 * 6) + 2 * 2048 + 2048
SPLIT_PER_STEP = 2 * SPLIT_PER_IMAGE * 128
convs = [(3, 96, 11, 1), (96, 256, 5, 2), (256, 384, 3, 1), (384, 384, 3, 2), (384, 256, 3, 2)]
PAPER_PARAMS = (sum(o * i // g * k * k + o for i, o, k, g in convs)
                + 9216 * 4096 + 4096 + 4096 * 4096 + 4096 + 4096 * 1000 + 1000)
DDP_PER_STEP = 2 * PAPER_PARAMS

CHECKS = [
    (check_conv4_transfer, CONV4_TRANSFER, 128 * 13 * 13),  # conv2's maps, not conv3's
    (check_fc6_per_gpu, FC6_PER_GPU, 9216 * 4096 + 4096),  # the whole of fc6
    (check_ddp_steps, DDP_STEPS, DDP_STEPS // 4),  # divided by the processes twice
]


def test_the_prediction_ddp_sends_more_than_the_split():
    assert SPLIT_PER_IMAGE == 58_624 and PAPER_PARAMS == 60_965_224
    assert DDP_PER_STEP > SPLIT_PER_STEP  # 121,930,448 against 15,007,744
    right = check_ddp_or_split_sends_more("DDP")
    assert right and f"{DDP_PER_STEP:,}" in repr(right) and f"{SPLIT_PER_STEP:,}" in repr(right)
    assert check_ddp_or_split_sends_more("ddp")
    wrong = check_ddp_or_split_sends_more("split")
    assert not wrong and repr(wrong).startswith("'split' is not it. Hint: ")
    assert "is not one of" in repr(check_ddp_or_split_sends_more("both"))


def test_ddp_steps_for_other_sizes():
    # 10 images on 2 processes: 5 each in batches of 2 -> 3 steps (alone: ceil(10 / 4) = 3).
    assert check_ddp_steps(3, images=10, batch=4, processes=2)
    assert not check_ddp_steps(2, images=10, batch=4, processes=2)
    assert check_ddp_steps(1, images=1, batch=1, processes=1)


@pytest.mark.parametrize("settings, why", [
    ({"batch": 0}, "global batch of 0"),
    ({"processes": 0}, "0 processes"),
    ({"processes": -2}, "-2 processes"),
    ({"images": 0}, "0 images"),
    ({"batch": 6}, "does not split evenly over 4"),
    ({"batch": 2}, "does not split evenly over 4"),  # fewer images than processes per step
    ({"batch": 12.5}, "whole number"),
    ({"processes": True}, "whole number"),
])
def test_ddp_steps_says_why_it_cannot_check_impossible_settings(settings, why):
    verdict = check_ddp_steps(469, **settings)  # a sentence, never an exception
    assert not verdict and repr(verdict).startswith("Cannot check this: ") and why in repr(verdict)
