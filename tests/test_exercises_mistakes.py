"""Lesson 11's exercises accept the right answers (recomputed here) and refuse wrong ones."""

from alexnet_course.exercises import mistakes as ex


def test_conv1_padding3_side():
    assert ex.check_conv1_padding3_side((224 + 6 - 11) // 4 + 1)
    assert not ex.check_conv1_padding3_side(55.75)
    assert not ex.check_conv1_padding3_side(None)


def test_conv2_stride2_side():
    assert ex.check_conv2_stride2_side((27 + 4 - 5) // 2 + 1)
    assert not ex.check_conv2_stride2_side(27)


def test_single_minus_grouped():
    right = 256 * 48 * 25 + 384 * 192 * 9 + 256 * 192 * 9  # the weights the towers kept apart
    assert ex.check_single_minus_grouped(right)
    assert not ex.check_single_minus_grouped(2 * right)


def test_lrn_edge_window():
    assert ex.check_lrn_edge_window(3)
    assert not ex.check_lrn_edge_window(5)
    assert not ex.check_lrn_edge_window(96)


def test_logits_dropped():
    assert ex.check_logits_dropped(5)
    assert not ex.check_logits_dropped(0)


def test_torch_lrn_alpha():
    assert ex.check_torch_lrn_alpha(5 * 1e-4)
    assert not ex.check_torch_lrn_alpha(1e-4)
    assert not ex.check_torch_lrn_alpha(1e-4 / 5)


def test_zfnet_flatten_without_conv2_stride():
    assert ex.check_zfnet_flatten_without_conv2_stride(256 * 13 * 13)
    assert not ex.check_zfnet_flatten_without_conv2_stride(256 * 6 * 6)
