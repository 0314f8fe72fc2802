"""Lesson 02's exercise checks: every answer is derived here by hand, from the layers' sizes and
the formulas (output size ⌊(n + 2p − k) / s⌋ + 1, k·k·C_in/g·C_out + C_out parameters,
H·W·C_out·k·k·C_in/g multiply-adds), never by the package's own counting."""

from __future__ import annotations

import numpy as np
import pytest

from alexnet_course.exercises import counting as ex


def out(n: int, k: int, s: int = 1, p: int = 0) -> int:
    """The side of a convolution's or pooling's output, by the lesson 01 formula."""
    return (n + 2 * p - k) // s + 1


# The paper's conv3 on two towers: 384 kernels of 3 × 3 over 256 / 2 channels, plus 384 biases.
CONV3_TWO_TOWERS = 3 * 3 * (256 // 2) * 384 + 384

# The small AlexNet on 32 × 32: conv1 5 × 5, stride 1, padding 2; pool1 3 × 3 / 2; conv2 64 kernels
# of 5 × 5 over conv1's 32 channels, padded to keep the size.
SMALL_POOL1 = out(out(32, 5, 1, 2), 3, 2)
SMALL_CONV2_MACS = SMALL_POOL1 * SMALL_POOL1 * 64 * 5 * 5 * 32


def torchvision_macs(side: int) -> int:
    """torchvision's AlexNet (64-192-384-256-256, conv1 11 × 11 / 4 padding 2, 3 × 3 / 2 pools,
    an adaptive pool to 6 × 6), every multiply-add of its convolutions and linear layers."""
    c1 = out(side, 11, 4, 2)
    c2 = out(c1, 3, 2)  # pool1, kept by conv2 (padding 2)
    c3 = out(c2, 3, 2)  # pool2, kept by conv3..conv5 (padding 1)
    convs = (c1 * c1 * 64 * 11 * 11 * 3 + c2 * c2 * 192 * 5 * 5 * 64 + c3 * c3 * 384 * 3 * 3 * 192
             + c3 * c3 * 256 * 3 * 3 * 384 + c3 * c3 * 256 * 3 * 3 * 256)
    return convs + 256 * 6 * 6 * 4096 + 4096 * 4096 + 4096 * 1000


GROWTH_448 = round(torchvision_macs(448) / torchvision_macs(224))

# torchvision's conv1 output for a batch of 128 in float32: 64 channels of 55 × 55, 4 bytes each.
TORCHVISION_CONV1_BYTES = 128 * 64 * out(224, 11, 4, 2) ** 2 * 4

CHECKS = [
    (ex.check_conv3_two_towers, CONV3_TWO_TOWERS, 3 * 3 * 256 * 384 + 384),  # not split
    (ex.check_small_conv2_macs, SMALL_CONV2_MACS, 32 * 32 * 64 * 5 * 5 * 32),  # forgot pool1
    (ex.check_macs_growth, GROWTH_448, 2),  # the side, not the area
    (ex.check_torchvision_conv1_bytes, TORCHVISION_CONV1_BYTES, 64 * 55 * 55 * 4),  # one image
]


def test_the_hand_derivations():
    assert CONV3_TWO_TOWERS == 442_752
    assert SMALL_POOL1 == 15 and SMALL_CONV2_MACS == 11_520_000
    assert torchvision_macs(224) == 714_188_480  # torchvision's documented 0.714 "GFLOPS"
    assert GROWTH_448 == 4 and 3.9 < torchvision_macs(448) / torchvision_macs(224) < 4.0
    assert TORCHVISION_CONV1_BYTES == 99_123_200


def test_conv3_two_towers_keeps_kernels_and_biases():
    assert not ex.check_conv3_two_towers(3 * 3 * 128 * 384)  # forgot the biases
    halved = ex.check_conv3_two_towers(3 * 3 * 128 * 192 + 192)  # halved the kernels instead
    assert not halved and "too low" in repr(halved) and "not the number of kernels" in repr(halved)


def test_small_conv2_macs_at_other_sizes():
    size28 = out(out(28, 5, 1, 2), 3, 2)
    assert ex.check_small_conv2_macs(size28 * size28 * 64 * 5 * 5 * 32, side=28)
    assert ex.check_small_conv2_macs(SMALL_CONV2_MACS, side=np.int64(32))
    assert not ex.check_small_conv2_macs(SMALL_CONV2_MACS + 1)  # exact: one off is wrong


def test_macs_growth_explains_with_the_measured_figures():
    verdict = ex.check_macs_growth(GROWTH_448)
    assert verdict and f"{torchvision_macs(448):,}" in repr(verdict) and "61,100,840" in repr(verdict)
    assert ex.check_macs_growth(1, side=224)
    assert ex.check_macs_growth(round(torchvision_macs(320) / torchvision_macs(224)), side=320)
    assert not ex.check_macs_growth(8)


def test_torchvision_conv1_bytes_is_exact():
    assert not ex.check_torchvision_conv1_bytes(99.1e6)  # an exact count is checked exactly
    assert ex.check_torchvision_conv1_bytes(64 * 64 * 55 * 55 * 4, batch_size=64)
    assert not ex.check_torchvision_conv1_bytes(96 * 55 * 55 * 4 * 128)  # the paper's 96 channels


@pytest.mark.parametrize("check, settings", [
    (ex.check_small_conv2_macs, {"side": 0}), (ex.check_small_conv2_macs, {"side": 4}),
    (ex.check_small_conv2_macs, {"side": 32.5}), (ex.check_macs_growth, {"side": 30}),
    (ex.check_macs_growth, {"side": True}), (ex.check_torchvision_conv1_bytes, {"batch_size": 0}),
    (ex.check_torchvision_conv1_bytes, {"batch_size": -3}),
    (ex.check_torchvision_conv1_bytes, {"batch_size": "x"}),
])
def test_impossible_settings_get_a_message_not_an_exception(check, settings):
    verdict = check(1, **settings)
    assert not verdict and repr(verdict).startswith("Cannot check this: ")
