"""Output sizes, receptive fields and shape traces against what PyTorch actually does."""

import doctest
import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from torch import nn

from alexnet_course import arithmetic
from alexnet_course.arithmetic import (
    conv_output_size,
    pool_output_size,
    receptive_field,
    trace_arithmetic,
    trace_shapes,
)

fast = settings(max_examples=200, deadline=None)
sizes = dict(n=st.integers(1, 16), kernel=st.integers(1, 7), stride=st.integers(1, 4),
             padding=st.integers(0, 4), dilation=st.integers(1, 3))


def torch_size(op):
    """The output width PyTorch computes, or None when PyTorch refuses the configuration."""
    try:
        return op().shape[-1]
    except RuntimeError:
        return None


def ours(f, *args, **kwargs):
    """Our output size, or None when we raise; the message must name the layer."""
    try:
        return f(*args, **kwargs, layer="layerX")
    except ValueError as e:
        assert str(e).startswith("layerX: ")
        return None


@fast
@given(**sizes)
def test_conv_output_size_matches_conv2d(n, kernel, stride, padding, dilation):
    x, w = torch.zeros(1, 1, 1, n), torch.zeros(1, 1, 1, kernel)
    expected = torch_size(lambda: F.conv2d(x, w, stride=stride, padding=(0, padding), dilation=dilation))
    assert ours(conv_output_size, n, kernel, stride, padding, dilation) == expected


@fast
@given(**sizes, ceil_mode=st.booleans())
def test_pool_output_size_matches_max_pool2d(n, kernel, stride, padding, dilation, ceil_mode):
    x = torch.zeros(1, 1, 1, n)
    expected = torch_size(lambda: F.max_pool2d(x, (1, kernel), (1, stride), (0, padding), (1, dilation),
                                               ceil_mode))
    assert ours(pool_output_size, n, kernel, stride, padding, dilation, ceil_mode) == expected


@fast
@given(**sizes, ceil_mode=st.booleans())
def test_pool_output_size_matches_avg_pool2d(n, kernel, stride, padding, dilation, ceil_mode):
    x = torch.zeros(1, 1, 1, n)
    expected = torch_size(lambda: F.avg_pool2d(x, (1, kernel), (1, stride), (0, padding), ceil_mode))
    assert ours(pool_output_size, n, kernel, stride, padding, 1, ceil_mode) == expected


@pytest.mark.parametrize("f", [conv_output_size, pool_output_size])
@pytest.mark.parametrize(
    "kwargs, words",
    [
        (dict(kernel=0), "kernel must be at least 1, got 0"),
        (dict(kernel=-3), "kernel must be at least 1, got -3"),
        (dict(stride=0), "stride must be at least 1, got 0"),
        (dict(padding=-1), "padding must be at least 0, got -1"),
        (dict(dilation=0), "dilation must be at least 1, got 0"),
        (dict(n=0), "input size n must be at least 1"),
        (dict(kernel=2.5), "kernel must be a whole number, got 2.5"),
        (dict(stride=2.0), "stride must be a whole number, got 2.0"),
        (dict(kernel=True), "kernel must be a whole number, got True"),
        (dict(n="227"), "input size n must be a whole number, got '227'"),
    ],
)
def test_impossible_numbers_name_layer_and_value(f, kwargs, words):
    args = dict(n=27, kernel=3, stride=2, padding=1, dilation=1) | kwargs
    with pytest.raises(ValueError, match=f"^pool9: {words}"):
        f(**args, layer="pool9")


def test_error_messages_say_why():
    with pytest.raises(ValueError) as e:
        conv_output_size(6, 11, stride=4, padding=2, layer="conv1")
    assert str(e.value) == (
        "conv1: kernel 11 with dilation 1 spans 11 pixels but the padded input is only 10 (n=6, padding=2)"
    )
    with pytest.raises(ValueError, match=r"^kernel 3 with dilation 2 spans 5 pixels "
                                         r".* only 4 \(n=4, padding=0\)"):
        pool_output_size(4, 3, dilation=2)  # no layer name: no prefix
    with pytest.raises(ValueError, match="pool1: padding 2 is more than half the kernel 3"):
        pool_output_size(54, 3, 2, padding=2, layer="pool1")


def test_alexnet_reference_sizes():
    # The paper: 227 -> 55 -> 27 -> 27 -> 13 -> 13 -> 6: (227 - 11) / 4 + 1 = 55 exactly.
    assert (227 - 11) % 4 == 0 and conv_output_size(227, 11, 4) == (227 - 11) // 4 + 1 == 55
    assert ([pool_output_size(n, 3, 2) for n in (55, 27, 13)] == [(n - 3) // 2 + 1 for n in (55, 27, 13)]
            == [27, 13, 6])
    assert conv_output_size(27, 5, padding=2) == 27 and conv_output_size(13, 3, padding=1) == 13
    assert 256 * pool_output_size(13, 3, 2) ** 2 == 9216
    # The stated 224: (224 - 11) / 4 + 1 = 54.25 -> 54; torchvision pads 2: (228 - 11) / 4 + 1 = 55.25 -> 55.
    assert conv_output_size(224, 11, 4) == math.floor((224 - 11) / 4 + 1) == 54
    assert conv_output_size(224, 11, 4, padding=2) == 55
    # The write-ups' "padding 3 gives 55": (230 - 11) / 4 + 1 = 55.75, floored to 55 by luck.
    assert (224 + 2 * 3 - 11) / 4 + 1 == 55.75 and conv_output_size(224, 11, 4, padding=3) == 55
    # ZFNet: 7x7/2 on 224 gives 109.5 -> 109 unpadded; the figure's 110 needs padding 1,
    # then 110 -> 55 needs ceil.
    assert conv_output_size(224, 7, 2) == 109 and conv_output_size(224, 7, 2, padding=1) == 110
    assert pool_output_size(110, 3, 2) == 54 and pool_output_size(110, 3, 2, ceil_mode=True) == 55


def test_ceil_mode_drops_a_window_starting_in_the_right_padding():
    # 5 wide, kernel 2, stride 2, padding 1: ceil((5 + 2 - 2) / 2) + 1 = 4 windows, but the 4th
    # starts at padded position 6 = n + padding, entirely in the right padding; PyTorch keeps 3.
    assert math.ceil((5 + 2 - 2) / 2) + 1 == 4
    pytorch = nn.MaxPool2d(2, 2, padding=1, ceil_mode=True)(torch.zeros(1, 5, 5)).shape[-1]
    assert pool_output_size(5, 2, 2, padding=1, ceil_mode=True) == pytorch == 3


def test_receptive_field_of_alexnet_by_hand():
    specs = [("conv1", 11, 4, 0), ("pool1", 3, 2, 0), ("conv2", 5, 1, 2), ("pool2", 3, 2, 0),
             ("conv3", 3, 1, 1), ("conv4", 3, 1, 1), ("conv5", 3, 1, 1), ("pool5", 3, 2, 0)]
    rows = receptive_field(specs)
    # size grows by (k - 1) * jump: 11, +2*4, +4*8, +2*8, +2*16 three times, +2*16.
    assert [r.size for r in rows] == [11, 19, 51, 67, 99, 131, 163, 195]
    assert [r.jump for r in rows] == [4, 8, 8, 16, 16, 16, 16, 32]
    assert rows[0].start == (11 - 1) / 2  # centre of the first 11-pixel window
    from alexnet_course.models import alexnet

    from_model = receptive_field(alexnet("paper", width=1 / 8))
    assert [(r.size, r.jump, r.start) for r in from_model] == [(r.size, r.jump, r.start) for r in rows]


layer_spec = st.tuples(st.integers(1, 5), st.integers(1, 3), st.integers(0, 2), st.integers(1, 2),
                       st.booleans())


@settings(max_examples=60, deadline=None)
@given(st.lists(layer_spec, min_size=1, max_size=4))
def test_receptive_field_matches_gradient_footprint(stack):
    """Backpropagate from one output unit of an all-ones stack: the input pixels that get a
    gradient are its field."""
    n, layers, specs = 96, [], []
    size = n
    for i, (kernel, stride, padding, dilation, is_pool) in enumerate(stack):
        if is_pool:  # average pools pass gradient to every pixel in the window
            dilation, padding = 1, min(padding, kernel // 2)
            layers.append(nn.AvgPool1d(kernel, stride, padding, count_include_pad=True))
            size = ours(pool_output_size, size, kernel, stride, padding)
        else:
            conv = nn.Conv1d(1, 1, kernel, stride, padding, dilation, bias=False)
            nn.init.ones_(conv.weight)
            layers.append(conv)
            size = ours(conv_output_size, size, kernel, stride, padding, dilation)
        assume(size is not None)
        specs.append((f"l{i}", kernel, stride, padding, dilation))
    field = receptive_field(specs)[-1]
    unit = size // 2
    centre = field.start + unit * field.jump
    lo, hi = centre - (field.size - 1) / 2, centre + (field.size - 1) / 2
    assume(lo >= 0 and hi <= n - 1)  # a field clipped by padding would look smaller
    x = torch.zeros(1, 1, n, requires_grad=True)
    nn.Sequential(*layers)(x)[0, 0, unit].backward()
    touched = x.grad[0, 0].nonzero().flatten()
    assert (touched.min().item(), touched.max().item()) == (lo, hi)


def test_receptive_field_rejects_what_it_cannot_describe():
    with pytest.raises(ValueError, match="^c: kernel .* not square"):
        receptive_field(nn.ModuleDict({"c": nn.Conv2d(1, 1, (3, 5))}))
    with pytest.raises(ValueError, match="^conv2: stride must be at least 1"):
        receptive_field([("conv1", 3, 1, 1), ("conv2", 3, 0, 1)])


def small_net():
    return nn.Sequential(
        nn.Conv2d(3, 8, 5, stride=2, padding=1, dilation=2),
        nn.BatchNorm2d(8),
        nn.ReLU(),
        nn.MaxPool2d(3, 2, padding=1, ceil_mode=True),
        nn.Conv2d(8, 8, 3, padding="same", dilation=2, groups=2),
        nn.AvgPool2d(2, ceil_mode=True),
        nn.Conv2d(8, 4, (3, 1), padding="valid"),
        nn.AdaptiveAvgPool2d((None, 2)),
        nn.Flatten(),
        nn.Dropout(),
        nn.Linear(4 * 3 * 2, 7),
    )


def test_trace_arithmetic_equals_forward_pass():
    model = small_net()
    rows = trace_shapes(model, (3, 37, 41))
    assert rows == trace_arithmetic(model, (3, 37, 41))
    assert rows == trace_shapes(model, (3, 37, 41), device="cpu")  # meta shapes are real shapes
    assert [r.type for r in rows][:3] == ["Conv2d", "BatchNorm2d", "ReLU"] and rows[-1].shape == (7,)


def test_trace_leaves_the_model_as_it_was():
    model = small_net().train()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    trace_shapes(model, (3, 37, 41), device="cpu")
    assert model.training and all(p.device.type == "cpu" for p in model.parameters())
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())  # BatchNorm stats untouched


def test_trace_arithmetic_explains_a_wrong_input():
    from alexnet_course.models import alexnet

    # The paper net sized for 227 fed the stated 224: 256*5*5 = 6400 features reach fc6.
    with torch.device("meta"):
        paper = alexnet("paper")
    with pytest.raises(ValueError, match="classifier.1: expects 9216 input features but gets 6400"):
        trace_arithmetic(paper, (3, 224, 224))
    with pytest.raises(ValueError, match="^0: expects 3 input channels but gets 1"):
        trace_arithmetic(nn.Sequential(nn.Conv2d(3, 4, 3)), (1, 8, 8))
    with pytest.raises(ValueError, match="^1: kernel 3 with dilation 1 spans 3 pixels "
                                         "but the padded input is only 2"):
        trace_arithmetic(nn.Sequential(nn.Conv2d(1, 1, 3), nn.MaxPool2d(3, 2)), (1, 4, 4))
    with pytest.raises(TypeError, match="^0: no shape formula for Upsample"):
        trace_arithmetic(nn.Sequential(nn.Upsample(scale_factor=2)), (1, 4, 4))


def test_doctests():
    assert doctest.testmod(arithmetic).failed == 0
