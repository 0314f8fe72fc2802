"""Lesson 12's exercise answers, derived here by hand; tests/test_exercises.py grades each
through the package's check (``CHECKS``: check, derived answer, a typical wrong one)."""

from __future__ import annotations

import math

from alexnet_course.exercises.parallel import (
    check_allreduce_numbers,
    check_conv3_transfer,
    check_ddp_steps,
    check_fc6_per_gpu,
)

# The paper's net at 227: conv1 (227 - 11)/4 + 1 = 55, pools 55 -> 27 -> 13 -> 6.
side = (227 - 11) // 4 + 1
sides = []
for _ in range(3):
    side = (side - 3) // 2 + 1
    sides.append(side)
CONV3_TRANSFER = 256 // 2 * sides[1] ** 2  # one GPU's half of pool2's 256 maps
FC6_PER_GPU = 256 * sides[2] ** 2 * (4096 // 2) + 4096 // 2
# alexnet-small: convs 1->32 (5x5), 32->64 (5x5), 64->96, 96->96, 96->64 (3x3), avgpool to 3x3,
# fc 64*9 -> 512 -> 512 -> 10; weights plus biases.
convs = [(1, 32, 5), (32, 64, 5), (64, 96, 3), (96, 96, 3), (96, 64, 3)]
fcs = [(64 * 3 * 3, 512), (512, 512), (512, 10)]
SMALL_PARAMS = sum(o * i * k * k + o for i, o, k in convs) + sum(o * i + o for i, o in fcs)
DDP_STEPS = math.ceil(math.ceil(60_000 / 4) / (128 // 4))

CHECKS = [
    (check_conv3_transfer, CONV3_TRANSFER, 256 * 13 * 13),  # both GPUs' maps, not one's
    (check_fc6_per_gpu, FC6_PER_GPU, 9216 * 4096 + 4096),  # the whole of fc6
    (check_allreduce_numbers, SMALL_PARAMS, SMALL_PARAMS - 5130),  # fc8 forgotten
    (check_ddp_steps, DDP_STEPS, DDP_STEPS // 4),  # divided by the processes twice
]


def test_ddp_steps_for_other_sizes():
    # 10 images on 2 processes: 5 each in batches of 2 -> 3 steps (alone: ceil(10 / 4) = 3).
    assert check_ddp_steps(3, images=10, batch=4, processes=2)
    assert not check_ddp_steps(2, images=10, batch=4, processes=2)
