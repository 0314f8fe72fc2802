"""Parameter and multiply-add counts against numel, FlopCounterMode, formulas and torchvision's docs."""

import doctest

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from alexnet_course import counting
from alexnet_course.counting import (
    conv_macs,
    conv_params,
    count_layers,
    count_parameters,
    format_table,
    linear_macs,
    linear_params,
)
from alexnet_course.models import get_model, list_models, native_input_size


def meta_model(name, **kwargs):
    with torch.device("meta"):  # shapes only: VGG costs nothing
        return get_model(name, **kwargs)


def flop_counter_macs(model, input_size, batch_size=1):
    """Multiply-adds according to PyTorch's own FLOP counter, which counts 2 FLOPs per MAC (in
    evaluation mode: batch norm refuses to train on one value per channel, as the 1 × 1 maps of
    the small GoogLeNet and ResNet are for one image, and the count does not depend on the mode)."""
    model.eval()
    with FlopCounterMode(display=False) as counter:
        model(torch.zeros(batch_size, *input_size, device=next(model.parameters()).device))
    assert counter.get_total_flops() % 2 == 0
    return counter.get_total_flops() // 2


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 3), st.integers(1, 5), st.integers(1, 5),
       st.booleans(), st.integers(1, 9))
def test_conv_formulas_match_pytorch(in_per_group, out_per_group, groups, kh, kw, bias, size):
    cin, cout = in_per_group * groups, out_per_group * groups
    conv = nn.Conv2d(cin, cout, (kh, kw), padding=(kh // 2, kw // 2), groups=groups, bias=bias)
    assert conv_params(cin, cout, (kh, kw), groups, bias) == count_parameters(conv)
    out = conv(torch.zeros(1, cin, size, size)).shape[-2:]
    assert conv_macs(cin, cout, (kh, kw), tuple(out), groups) == flop_counter_macs(conv, (cin, size, size))


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 50), st.integers(1, 50), st.booleans())
def test_linear_formulas_match_pytorch(n_in, n_out, bias):
    fc = nn.Linear(n_in, n_out, bias=bias)
    assert linear_params(n_in, n_out, bias) == count_parameters(fc)
    assert linear_macs(n_in, n_out) == flop_counter_macs(fc, (n_in,))


def test_bad_groups():
    with pytest.raises(ValueError, match="groups=2 must divide in_channels=3"):
        conv_params(3, 96, 11, groups=2)


@pytest.mark.parametrize("name", list_models())
def test_table_totals_agree_with_numel_and_flop_counter(name):
    model, size = meta_model(name), native_input_size(name)
    table = count_layers(model, size)
    assert table.params == count_parameters(model) == sum(p.numel() for p in model.parameters())
    assert table.macs == flop_counter_macs(model, size)
    assert sum(r.param_share for r in table.rows) == pytest.approx(100)
    assert sum(r.mac_share for r in table.rows) == pytest.approx(100)


def test_paper_alexnet_by_hand():
    """0.72 G multiply-adds at 227: conv 0.67 G, FC 0.06 G; FC ~96% of parameters, conv ~92% of work."""
    table = count_layers(meta_model("alexnet-paper"), (3, 227, 227))
    # Maps: conv1 55x55, conv2 27x27, conv3-5 13x13. Grouped layers see half the channels.
    conv = (conv_macs(3, 96, 11, 55) + conv_macs(96, 256, 5, 27, groups=2) + conv_macs(256, 384, 3, 13)
            + conv_macs(384, 384, 3, 13, groups=2) + conv_macs(384, 256, 3, 13, groups=2))
    fc = linear_macs(256 * 6 * 6, 4096) + linear_macs(4096, 4096) + linear_macs(4096, 1000)
    # outputs x (k*k*input channels per tower) for each layer, written out:
    conv3_to_5 = 13 * 13 * (384 * 9 * 256 + 384 * 9 * 192 + 256 * 9 * 192)
    assert conv == 55 * 55 * 96 * 11 * 11 * 3 + 27 * 27 * 256 * 5 * 5 * 48 + conv3_to_5
    assert table.macs == conv + fc
    by_type = {r.type: r for r in table.by_type().rows}
    assert by_type["Conv2d"].macs == conv and by_type["Linear"].macs == fc
    assert (round(table.macs / 1e9, 2), round(conv / 1e9, 2), round(fc / 1e9, 2)) == (0.72, 0.67, 0.06)
    assert round(by_type["Linear"].param_share) == 96 and round(by_type["Conv2d"].mac_share) == 92
    rows = {r.name: r for r in table.rows}
    # "No conv layer holds more than 1% of the parameters": conv3 (features.8) holds 885,120 / 60,965,224.
    assert rows["features.8"].params == 3 * 3 * 256 * 384 + 384
    assert round(rows["features.8"].param_share, 2) == round(100 * 885_120 / 60_965_224, 2) == 1.45
    # Figure 2's 253,440 first-layer neurons; conv1 actually outputs 55*55*96.
    assert rows["features.0"].activations == 55 * 55 * 96 == 290_400


def test_torchvision_alexnet_and_vgg_match_torchvisions_documented_gflops():
    from torchvision.models import AlexNet_Weights, VGG11_Weights, VGG16_Weights

    # torchvision AlexNet at 224: conv1 55x55 (padding 2), conv2 27x27, conv3-5 13x13, flatten 9216.
    by_hand = (conv_macs(3, 64, 11, 55) + conv_macs(64, 192, 5, 27) + conv_macs(192, 384, 3, 13)
               + conv_macs(384, 256, 3, 13) + conv_macs(256, 256, 3, 13)
               + linear_macs(9216, 4096) + linear_macs(4096, 4096) + linear_macs(4096, 1000))
    macs = count_layers(meta_model("alexnet-torchvision"), (3, 224, 224)).macs
    assert macs == by_hand == 714_188_480
    # torchvision's "GFLOPS" column (weights metadata, no download) counts multiply-adds too.
    assert round(macs / 1e9, 3) == AlexNet_Weights.IMAGENET1K_V1.meta["_ops"]
    for name, weights in (("vgg16", VGG16_Weights), ("vgg11", VGG11_Weights)):
        macs = count_layers(meta_model(name), (3, 224, 224)).macs
        assert round(macs / 1e9, 2) == round(weights.IMAGENET1K_V1.meta["_ops"], 2)  # 15.47 and 7.61


def test_batch_dtype_and_shared_modules():
    shared = nn.Linear(8, 8)
    model = nn.Sequential(shared, nn.ReLU(), shared)  # one weight matrix, used twice
    table = count_layers(model, (8,), batch_size=4, dtype=torch.float16)
    assert [r.params for r in table.rows] == [8 * 8 + 8, 0, 0]  # counted once
    assert table.params == count_parameters(model)
    assert [r.macs for r in table.rows] == [4 * 8 * 8, 0, 4 * 8 * 8]  # the work happens twice
    assert [r.activations for r in table.rows] == [4 * 8] * 3
    assert [r.activation_bytes for r in table.rows] == [4 * 8 * 2] * 3  # float16: 2 bytes
    assert table.rows[0].weights == 64 and table.rows[0].biases == 8


def test_meta_and_cpu_agree():
    model = get_model("lenet5")
    assert count_layers(model, (1, 32, 32), device="cpu") == count_layers(model, (1, 32, 32))


def test_text_table_and_dataframe():
    model = get_model("lenet5")
    table = count_layers(model, (1, 32, 32))
    text = format_table(table)
    assert str(table) == text
    assert text.splitlines()[0].split()[:3] == ["layer", "type", "output"]
    assert f"{61_706:,}" in text.splitlines()[-2] and "total" in text.splitlines()[-2]
    pd = pytest.importorskip("pandas")
    frame = table.to_dataframe()
    assert isinstance(frame, pd.DataFrame) and len(frame) == len(table.rows)
    assert frame["params"].sum() == table.params and frame["macs"].sum() == table.macs


def test_doctests():
    assert doctest.testmod(counting).failed == 0
