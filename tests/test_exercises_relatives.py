"""Lesson 10's exercises accept the right answers (recomputed here) and refuse wrong ones."""

from alexnet_course.counting import linear_params
from alexnet_course.exercises import relatives as ex


def test_zfnet_conv1_side():
    right = (224 + 2 * 1 - 7) // 2 + 1
    assert right == 110
    assert ex.check_zfnet_conv1_side(right)
    assert not ex.check_zfnet_conv1_side(109)  # no padding
    assert not ex.check_zfnet_conv1_side(None)
    assert "too low" in repr(ex.check_zfnet_conv1_side(109))


def test_vgg16_fc6_params():
    right = linear_params(512 * 7 * 7, 4096)
    assert ex.check_vgg16_fc6_params(right)
    assert not ex.check_vgg16_fc6_params(512 * 7 * 7 * 4096)  # the biases forgotten
    assert not ex.check_vgg16_fc6_params("many")


def test_stack_weight_ratio():
    assert ex.check_stack_weight_ratio(49 / 27)
    assert ex.check_stack_weight_ratio(1.81)  # within 1%
    assert not ex.check_stack_weight_ratio(49 / 9)  # one 3x3, not three
    assert not ex.check_stack_weight_ratio(7 / 3)
