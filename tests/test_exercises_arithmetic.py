"""Lesson 01's exercise checks accept the right answers and explain the wrong ones.

The expected answers are recomputed here by hand from the layers' definitions, independently of
``alexnet_course.arithmetic``.
"""

from __future__ import annotations

import math

from alexnet_course.exercises.arithmetic import (
    check_alexnet_ceil_mode,
    check_vgg_receptive_field,
    check_zfnet_conv1_padding,
    check_zfnet_conv1_size,
)

# ZFNet's conv1: 7x7, stride 2, on 224 (Zeiler & Fergus 2013); its figure shows 110, then 55 after pool1.
ZF_CONV1_UNPADDED = math.floor((224 - 7) / 2) + 1  # floor(108.5) + 1 = 109
ZF_CONV1_PADDING = min(p for p in range(7) if math.floor((224 + 2 * p - 7) / 2) + 1 == 110)  # 1
# AlexNet's pools, 3x3/2 on 55, 27 and 13 (conv1 on 227, conv2 and conv3-5 keep the size): a
# ceiling differs from the floor only if (n - 3) / 2 has a remainder; 52, 24 and 10 are even.
CEIL_CHANGES = [n for n in (55, 27, 13) if math.ceil((n - 3) / 2) != math.floor((n - 3) / 2)]  # []
CEIL_ANSWER = "none"
# VGG's first two blocks: each 3x3 conv adds 2 * jump, each 2x2/2 pool adds 1 * jump and doubles it.
VGG_FIELD = 1 + 2 * 1 + 2 * 1 + 1 * 1 + 2 * 2 + 2 * 2 + 1 * 2  # 16

CHECKS = [
    (check_zfnet_conv1_size, ZF_CONV1_UNPADDED, ZF_CONV1_UNPADDED + 1),  # rounding 108.5 up
    (check_zfnet_conv1_padding, ZF_CONV1_PADDING, ZF_CONV1_PADDING + 1),  # p = 2 gives 111
    (check_vgg_receptive_field, VGG_FIELD, 1 + 2 * 4 + 1 * 2),  # ignoring the jump: 11
]


def test_explanations_show_the_derivation():
    assert repr(check_zfnet_conv1_size(109)) == "Correct: ⌊(224 + 2·0 − 7) / 2⌋ + 1 = ⌊108.5⌋ + 1 = 109."
    assert "while p = 0 gives 109" in repr(check_zfnet_conv1_padding(1))
    assert "pool5 on 13: (13 − 3) / 2 = 5, output 6 with the floor and 6 with ceil_mode=True" \
        in repr(check_alexnet_ceil_mode(CEIL_ANSWER))
    assert "3 → 5 → 6 → 10 → 14 → 16" in repr(check_vgg_receptive_field(16))


def test_ceil_mode_prediction_is_graded_as_a_choice():
    assert CEIL_CHANGES == []
    assert check_alexnet_ceil_mode(CEIL_ANSWER) and check_alexnet_ceil_mode(" None ")
    assert check_alexnet_ceil_mode(None).solution.startswith("none: every division is whole")
    wrong = check_alexnet_ceil_mode("pool1")  # the guess that a ceiling always adds a window
    assert not wrong and repr(wrong).startswith("'pool1' is not it. Hint: ")
    assert "is not one of" in repr(check_alexnet_ceil_mode("pool3"))
