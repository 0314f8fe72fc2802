"""Lesson 01's figures: the sliding-window geometry is PyTorch's, and the pictures are deterministic."""

from __future__ import annotations

import io
import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from hypothesis import assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from alexnet_course.arithmetic import conv_output_size, pool_output_size, receptive_field  # noqa: E402
from alexnet_course.models import alexnet  # noqa: E402
from alexnet_course.plots import layer_labels  # noqa: E402
from alexnet_course.plots.arithmetic import (  # noqa: E402
    plot_receptive_fields,
    plot_sliding_window,
    size_formula,
    window_layout,
)

sizes = dict(n=st.integers(1, 20), kernel=st.integers(1, 7), stride=st.integers(1, 5),
             padding=st.integers(0, 4), dilation=st.integers(1, 3))


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _valid(f, *args, **kwargs):
    try:
        return f(*args, **kwargs)
    except ValueError:
        return None


@settings(max_examples=150, deadline=None)
@given(**sizes)
def test_conv_windows_are_the_ones_pytorch_reads(n, kernel, stride, padding, dilation):
    size = _valid(conv_output_size, n, kernel, stride, padding, dilation)
    assume(size is not None)
    layout = window_layout(n, kernel, stride, padding, dilation)
    assert layout.size == len(layout.starts) == size and layout.dropped is None
    # Pixels PyTorch reads are those with a non-zero gradient through an all-ones kernel.
    row = torch.ones(1, 1, 1, n + 2 * padding, requires_grad=True)
    F.conv2d(row, torch.ones(1, 1, 1, kernel), stride=(1, stride), dilation=(1, dilation)).sum().backward()
    unread = tuple(torch.nonzero(row.grad[0, 0, 0] == 0).flatten().tolist())
    assert layout.never_read == unread


@settings(max_examples=150, deadline=None)
@given(**sizes, ceil_mode=st.booleans())
def test_pool_windows_and_the_dropped_one(n, kernel, stride, padding, dilation, ceil_mode):
    size = _valid(pool_output_size, n, kernel, stride, padding, dilation, ceil_mode)
    assume(size is not None)
    layout = window_layout(n, kernel, stride, padding, dilation, pool=True, ceil_mode=ceil_mode)
    assert layout.size == size == F.max_pool2d(torch.zeros(1, 1, 1, n), (1, kernel), (1, stride),
                                                (0, padding), (1, dilation), ceil_mode).shape[-1]
    room = n + 2 * padding - dilation * (kernel - 1) - 1
    naive = (math.ceil(room / stride) if ceil_mode else room // stride) + 1
    if naive > size:  # only PyTorch's rule removes a window: it would start in the right padding
        assert ceil_mode and layout.dropped == size * stride >= n + padding
    else:
        assert layout.dropped is None
    assert layout.width >= layout.padded


def test_floor_leftover_is_the_remainder():
    for n in (224, 227):
        layout = window_layout(n, 11, stride=4)
        assert len(layout.never_read) == (n - 11) % 4
    # the whole right padding
    assert window_layout(224, 11, stride=4, padding=3).never_read == (227, 228, 229)


def test_size_formula_shows_the_numbers_and_ends_in_the_size():
    text = size_formula(224, 11, stride=4)
    assert text == (f"o = ⌊(224 + 2·0 − 1·(11 − 1) − 1) / 4⌋ + 1 = ⌊213/4⌋ + 1 = "
                    f"{conv_output_size(224, 11, 4)}")
    with pytest.raises(ValueError, match="spans 11 pixels"):
        size_formula(4, 11, stride=4, padding=3)


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=50, metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


@pytest.mark.parametrize("kwargs", [
    dict(n=8, kernel=3, stride=2, padding=1),
    dict(n=9, kernel=3, stride=1, padding=2, dilation=2),
    dict(n=5, kernel=2, stride=2, padding=1, pool=True, ceil_mode=True),
    dict(n=32, kernel=11, stride=1, padding=5, dilation=4),
    dict(n=1, kernel=1, stride=8, padding=5, dilation=4),
])
def test_sliding_window_figure_is_deterministic(kwargs):
    fig = plot_sliding_window(**kwargs)
    assert len(fig.axes) == 3
    assert _png(fig) == _png(plot_sliding_window(**kwargs))


def test_sliding_window_refuses_impossible_settings():
    with pytest.raises(ValueError, match="padded input is only 10"):
        plot_sliding_window(4, 11, stride=4, padding=3)
    with pytest.raises(ValueError, match="more than half the kernel"):
        plot_sliding_window(8, 3, stride=2, padding=2, pool=True)


def test_layer_labels_use_the_papers_names():
    with torch.device("meta"):
        model = alexnet("paper")
    labels = layer_labels(model)
    convs_and_pools = [labels[r.name] for r in receptive_field(model)]
    assert convs_and_pools == ["conv1", "pool1", "conv2", "pool2", "conv3", "conv4", "conv5", "pool5"]
    assert ([labels[f"classifier.{i}"] for i in range(7)]
            == ["drop6", "fc6", "relu6", "drop7", "fc7", "relu7", "fc8"])


def test_receptive_field_figure_has_a_bar_per_layer():
    with torch.device("meta"):
        model = alexnet("paper")
    rows = receptive_field(model)
    fig = plot_receptive_fields(rows, image=torch.zeros(40, 40, 3).numpy(), labels=layer_labels(model))
    square_ax, bar_ax = fig.axes
    assert [round(bar.get_height()) for bar in bar_ax.patches] == [r.size for r in rows]
    assert [t.get_text() for t in bar_ax.get_xticklabels()][-1] == "pool5"
