"""Lesson 02's exercise checks accept the right answer and explain the usual wrong ones."""

from __future__ import annotations

import pytest

from alexnet_course.exercises import counting as ex


def test_conv4_params_counts_one_tower_per_kernel():
    assert ex.check_conv4_params(3 * 3 * 384 // 2 * 384 + 384)
    ungrouped = ex.check_conv4_params(3 * 3 * 384 * 384 + 384)
    assert not ungrouped and "too high" in repr(ungrouped) and "half" in repr(ungrouped)
    assert not ex.check_conv4_params(3 * 3 * 192 * 384)  # forgot the biases
    assert "Not answered yet" in repr(ex.check_conv4_params(None))


def test_conv2_macs_of_the_single_tower():
    right = 27 * 27 * 256 * 5 * 5 * 96
    verdict = ex.check_conv2_macs_single(right)
    assert verdict and "27·27·256·5·5·96" in repr(verdict)
    assert not ex.check_conv2_macs_single(right // 2)  # the paper's grouped conv2
    assert not ex.check_conv2_macs_single(5 * 5 * 96 * 256 + 256)  # its parameters, not its work
    assert "is not a number" in repr(ex.check_conv2_macs_single("lots"))


def test_tower_saving_is_half_the_grouped_weights():
    saved = (5 * 5 * 96 * 256 + 3 * 3 * 384 * 384 + 3 * 3 * 384 * 256) // 2
    assert ex.check_tower_saving(saved)
    assert ex.check_tower_saving(62_378_344 - 60_965_224)  # the two totals of the lesson
    with_biases = saved + (256 + 384 + 256) // 2
    verdict = ex.check_tower_saving(with_biases)
    assert not verdict and "too high" in repr(verdict) and "compare count_parameters" in repr(verdict)


def test_conv1_activation_bytes():
    exact = 128 * 96 * 55 * 55 * 4
    assert ex.check_conv1_activation_bytes(exact)
    assert ex.check_conv1_activation_bytes(148.7e6)  # rounded to a tenth of a megabyte
    one_image = ex.check_conv1_activation_bytes(96 * 55 * 55 * 4)
    assert not one_image and "too low" in repr(one_image) and "batch" in repr(one_image)
    assert not ex.check_conv1_activation_bytes(exact * 2)  # float64


@pytest.mark.parametrize("check", [ex.check_conv4_params, ex.check_conv2_macs_single, ex.check_tower_saving,
                                   ex.check_conv1_activation_bytes])
def test_every_check_explains_its_answer(check):
    assert "Hint:" in repr(check(1))
