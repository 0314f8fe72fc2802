"""Lesson 10's exercise answers, derived here by hand; tests/test_exercises.py grades each
through the package's check (``CHECKS``: check, derived answer, a typical wrong one)."""

from __future__ import annotations

from alexnet_course.exercises.relatives import (
    check_stack_weights_saved_11x11,
    check_vgg16_convs_or_alexnet_fc7,
    check_vgg16_with_global_pool_params,
    check_zfnet_conv1_positions_at_227,
)

# ZFNet's conv1 (7x7, stride 2, padding 1) on 227: (227 + 2 - 7) // 2 + 1 = 112 per side.
ZF_SIDE = (227 + 2 * 1 - 7) // 2 + 1
ZF_POSITIONS = ZF_SIDE * ZF_SIDE
# VGG-16 (configuration D): 13 convolutions 3x3 with biases, then fc6 25,088 -> 4,096, fc7, fc8.
VGG16_CONVS = [(3, 64), (64, 64), (64, 128), (128, 128), (128, 256), (256, 256), (256, 256),
               (256, 512), (512, 512), (512, 512), (512, 512), (512, 512), (512, 512)]
VGG16_CONV_PARAMS = sum(cin * cout * 9 + cout for cin, cout in VGG16_CONVS)
FC7 = 4096 * 4096 + 4096
FC8 = 4096 * 1000 + 1000
VGG16_GAP = VGG16_CONV_PARAMS + (512 * 4096 + 4096) + FC7 + FC8  # fc6 on 512 channel averages
VGG16 = VGG16_CONV_PARAMS + (512 * 7 * 7 * 4096 + 4096) + FC7 + FC8
# 11x11 against five stacked 3x3 (2 * 5 + 1 = 11): 121 C^2 against 5 * 9 C^2 weights, C = 256.
STACK_SAVED = 11 * 11 * 256 * 256 - 5 * (3 * 3 * 256 * 256)

CHECKS = [
    (check_zfnet_conv1_positions_at_227, ZF_POSITIONS, ZF_SIDE),  # the side, not its square
    (check_vgg16_with_global_pool_params, VGG16_GAP, VGG16_GAP - 4096),  # fc6's biases forgotten
    (check_stack_weights_saved_11x11, STACK_SAVED, (49 - 27) * 256 * 256),  # the lesson's 7x7
]


def test_hand_counts_match_the_published_totals():
    assert VGG16 == 138_357_544  # torchvision's VGG-16
    assert ZF_POSITIONS == 12_544 and VGG16_GAP == 37_694_248 and STACK_SAVED == 4_980_736


def test_the_prediction_alexnets_fc7_outweighs_vgg16s_convolutions():
    assert FC7 > VGG16_CONV_PARAMS  # 16,781,312 > 14,714,688
    right = check_vgg16_convs_or_alexnet_fc7("AlexNet")
    assert right and f"{FC7:,}" in repr(right) and f"{VGG16_CONV_PARAMS:,}" in repr(right)
    assert check_vgg16_convs_or_alexnet_fc7("  alexnet ")  # case and spaces do not matter
    wrong = check_vgg16_convs_or_alexnet_fc7("VGG-16")
    assert not wrong and repr(wrong).startswith("'VGG-16' is not it. Hint: ")
    assert str(FC7) not in repr(wrong) and f"{FC7:,}" not in repr(wrong)  # the hint keeps the figures
    assert "is not one of" in repr(check_vgg16_convs_or_alexnet_fc7("ResNet"))


def test_stack_saving_is_exact_and_accepts_numpy_integers():
    import numpy as np

    assert check_stack_weights_saved_11x11(np.int64(STACK_SAVED))
    assert not check_stack_weights_saved_11x11(STACK_SAVED + 1)  # exact: no tolerance
    assert not check_stack_weights_saved_11x11(11 * 11 * 256 * 256 - 3 * 3 * 256 * 256)  # one 3x3, not five
