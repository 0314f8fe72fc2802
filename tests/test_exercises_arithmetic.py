"""Lesson 01's exercise checks accept the right answers and explain the wrong ones.

The expected answers are recomputed here by hand from the layers' definitions, independently of
``alexnet_course.arithmetic``.
"""

from __future__ import annotations

import math

from alexnet_course.exercises.arithmetic import (
    check_vgg_receptive_field,
    check_zfnet_conv1_padding,
    check_zfnet_conv1_size,
    check_zfnet_pool1_size,
)

# ZFNet's conv1: 7x7, stride 2, on 224 (Zeiler & Fergus 2013); its figure shows 110, then 55 after pool1.
ZF_CONV1_UNPADDED = math.floor((224 - 7) / 2) + 1  # floor(108.5) + 1 = 109
ZF_CONV1_PADDING = min(p for p in range(7) if math.floor((224 + 2 * p - 7) / 2) + 1 == 110)  # 1
ZF_POOL1 = math.ceil((110 - 3) / 2) + 1  # ceil(53.5) + 1 = 55
# VGG's first two blocks: each 3x3 conv adds 2 * jump, each 2x2/2 pool adds 1 * jump and doubles it.
VGG_FIELD = 1 + 2 * 1 + 2 * 1 + 1 * 1 + 2 * 2 + 2 * 2 + 1 * 2  # 16

CHECKS = [
    (check_zfnet_conv1_size, ZF_CONV1_UNPADDED, ZF_CONV1_UNPADDED + 1),  # rounding 108.5 up
    (check_zfnet_conv1_padding, ZF_CONV1_PADDING, ZF_CONV1_PADDING + 1),  # p = 2 gives 111
    (check_zfnet_pool1_size, ZF_POOL1, ZF_POOL1 - 1),  # the floor's 54
    (check_vgg_receptive_field, VGG_FIELD, 1 + 2 * 4 + 1 * 2),  # ignoring the jump: 11
]


def test_explanations_show_the_derivation():
    assert repr(check_zfnet_conv1_size(109)) == "Correct: ⌊(224 + 2·0 − 7) / 2⌋ + 1 = ⌊108.5⌋ + 1 = 109."
    assert "while p = 0 gives 109" in repr(check_zfnet_conv1_padding(1))
    assert "starts at pixel 108 < 110" in repr(check_zfnet_pool1_size(55))
    assert "3 → 5 → 6 → 10 → 14 → 16" in repr(check_vgg_receptive_field(16))
