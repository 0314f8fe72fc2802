"""The models: parameter totals from the layer formulas, torchvision compatibility, shapes, init,
and the written-out AlexNets against the config builder."""

import doctest
import importlib
import inspect
import re
from dataclasses import replace
from functools import partial

import pytest
import torch
import torchvision
from torch import nn

from alexnet_course import layers
from alexnet_course.arithmetic import conv_output_size, pool_output_size, trace_arithmetic, trace_shapes
from alexnet_course.counting import count_parameters
from alexnet_course.models import (
    MODELS,
    VGG,
    AlexNet,
    AlexNetPaper,
    AlexNetTorchvision,
    ZFNet,
    alexnet,
    build_alexnet,
    get_model,
    lenet5,
    list_models,
    native_input_size,
    paper_init_,
    vgg,
    vgg_small,
    zfnet,
    zfnet_small,
)
from alexnet_course.models.alexnet import PAPER, SMALL, TORCHVISION
from alexnet_course.models.vgg import CFGS


def conv(cin, cout, k, groups=1):
    """Weights + biases of a conv layer: cout kernels of k*k*(cin/groups), one bias each."""
    return cout * k * k * (cin // groups) + cout


def fc(n_in, n_out):
    return n_in * n_out + n_out


def meta(build, *args, **kwargs):
    with torch.device("meta"):  # shapes only: parameter counts without drawing random numbers
        return build(*args, **kwargs)


def alexnet_total(c, widths, flat, groups=(1, 1, 1, 1, 1), classes=1000):
    """5 convs (11, 5, 3, 3, 3) and fc6-fc8, from the per-layer formulas."""
    chans = (c, *widths)
    convs = sum(conv(chans[i], chans[i + 1], k, groups[i]) for i, k in enumerate((11, 5, 3, 3, 3)))
    return convs + fc(flat, 4096) + fc(4096, 4096) + fc(4096, classes)


def pooled(n):
    """AlexNet's overlapping max-pool, 3x3 stride 2; conv2-conv5 keep the size ("same" padding)."""
    return (n - 3) // 2 + 1


# 227 -> conv1 (227 - 11) // 4 + 1 = 55 -> 27 -> 13 -> 6: fc6 gets 256*6*6 = 9216 features.
FLAT_227 = 256 * pooled(pooled(pooled((227 - 11) // 4 + 1))) ** 2
# 224 unpadded -> 54 -> 26 -> 12 -> 5: 256*5*5 = 6400 (d2l's padding 1 gives 54 too).
FLAT_224 = 256 * pooled(pooled(pooled((224 - 11) // 4 + 1))) ** 2


@pytest.mark.parametrize(
    "variant, expected, by_formula",
    [
        # the paper: conv2, conv4, conv5 in two towers (groups=2), conv3 across both.
        ("paper", 60_965_224, alexnet_total(3, (96, 256, 384, 384, 256), FLAT_227, groups=(1, 2, 1, 2, 2))),
        ("single", 62_378_344, alexnet_total(3, (96, 256, 384, 384, 256), FLAT_227)),
        ("paddle", 62_378_344, alexnet_total(3, (96, 256, 384, 384, 256), FLAT_227)),
        ("torchvision", 61_100_840, alexnet_total(3, (64, 192, 384, 256, 256), 256 * 6 * 6)),
        ("keras_1ch", 50_820_776, alexnet_total(1, (96, 256, 384, 384, 256), FLAT_224)),
        ("d2l", 46_764_746, alexnet_total(1, (96, 256, 384, 384, 256), FLAT_224, classes=10)),
    ],
)
def test_alexnet_parameter_totals(variant, expected, by_formula):
    assert FLAT_227 == 9216 and FLAT_224 == 6400
    assert count_parameters(meta(alexnet, variant)) == by_formula == expected


def test_fc6_and_the_towers_by_hand():
    paper = meta(alexnet, "paper")
    assert count_parameters(paper.classifier[1]) == 9216 * 4096 + 4096 == 37_752_832
    # The towers halve the weights of conv2, conv4, conv5; the difference is what a single tower adds.
    grouped = ((96, 256, 5), (384, 384, 3), (384, 256, 3))
    saved = sum(conv(ci, co, k) - conv(ci, co, k, 2) for ci, co, k in grouped)
    assert count_parameters(meta(alexnet, "single")) - count_parameters(paper) == saved == 1_413_120


def test_paper_layout():
    paper = meta(alexnet, "paper")
    assert isinstance(paper, AlexNetPaper) and isinstance(paper, AlexNet)
    convs = [m for m in paper.features if isinstance(m, nn.Conv2d)]
    assert [c.groups for c in convs] == [1, 2, 1, 2, 2]  # conv3 is NOT grouped
    assert [c.out_channels for c in convs] == [96, 256, 384, 384, 256]
    assert (convs[0].kernel_size, convs[0].stride, convs[0].padding) == ((11, 11), (4, 4), (0, 0))
    kinds = [type(m).__name__ for m in paper.features]
    assert kinds == ["Conv2d", "ReLU", "LocalResponseNorm", "MaxPool2d",
                     "Conv2d", "ReLU", "LocalResponseNorm", "MaxPool2d",
                     "Conv2d", "ReLU", "Conv2d", "ReLU", "Conv2d", "ReLU", "MaxPool2d"]
    lrn = paper.features[2]
    assert isinstance(lrn, layers.LocalResponseNorm)
    assert (lrn.size, lrn.alpha, lrn.beta, lrn.k) == (5, 1e-4, 0.75, 2.0)
    assert all((m.kernel_size, m.stride) == (3, 2) for m in paper.features if isinstance(m, nn.MaxPool2d))
    # Dropout before fc6 and fc7, never after fc8.
    kinds = [type(m).__name__ for m in paper.classifier]
    assert kinds == ["Dropout", "Linear", "ReLU", "Dropout", "Linear", "ReLU", "Linear"]
    assert paper.avgpool is None


def test_torch_lrn_flag_gives_the_same_network():
    written_out = meta(alexnet, "paper", torch_lrn=True)
    assert isinstance(written_out.features[2], nn.LocalResponseNorm)
    assert isinstance(written_out.features[6], nn.LocalResponseNorm)
    torch.manual_seed(0)
    ours = alexnet("paper", width=1 / 4)
    fast = alexnet("paper", width=1 / 4, torch_lrn=True)
    fast.load_state_dict(ours.state_dict())  # LRN has no parameters: the keys are the same
    assert isinstance(fast.features[2], nn.LocalResponseNorm)
    assert (fast.features[2].alpha, fast.features[2].k) == (5e-4, 2.0)
    x = torch.randn(2, 3, 227, 227)
    torch.testing.assert_close(fast.eval()(x), ours.eval()(x))


def test_paper_initialisation():
    torch.manual_seed(0)
    model = alexnet("paper")
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    fcs = [m for m in model.modules() if isinstance(m, nn.Linear)]
    for m in convs + fcs:
        assert m.weight.std().item() == pytest.approx(0.01, rel=0.03)
        assert abs(m.weight.mean().item()) < 0.001
    # Biases 1 in conv2, conv4, conv5, fc6, fc7 (positive inputs for the ReLUs), 0 in conv1, conv3, fc8.
    assert [m.bias.unique().tolist() for m in convs] == [[0.0], [1.0], [0.0], [1.0], [1.0]]
    assert [m.bias.unique().tolist() for m in fcs] == [[1.0], [1.0], [0.0]]
    # Other variants keep PyTorch's default initialisation unless asked.
    assert alexnet("small").features[3].bias.unique().numel() > 1
    assert alexnet("small", init="paper").features[3].bias.unique().tolist() == [1.0]
    with pytest.raises(ValueError, match="needs AlexNet's 5 convs and 3 linears, found 2 and 3"):
        paper_init_(lenet5())


@pytest.mark.parametrize("build", [partial(alexnet, "torchvision"), partial(build_alexnet, TORCHVISION)],
                         ids=["written-out", "config"])
def test_torchvision_variant_has_torchvisions_state_dict(build):
    ours = meta(build).state_dict()
    theirs = meta(torchvision.models.alexnet, weights=None).state_dict()
    assert [(k, v.shape) for k, v in ours.items()] == [(k, v.shape) for k, v in theirs.items()]


def test_torchvision_variant_computes_what_torchvision_computes():
    torch.manual_seed(0)
    theirs = torchvision.models.alexnet(weights=None, num_classes=10).eval()
    ours = AlexNetTorchvision(num_classes=10).eval()
    ours.load_state_dict(theirs.state_dict())
    x = torch.randn(2, 3, 224, 224, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        expected = theirs(x)
        torch.testing.assert_close(ours(x), expected)
    assert expected.abs().max() > 1e-3  # not a comparison of zeros


def _layers(model):
    """(name, repr) of every leaf module in order: each layer's type, sizes and settings."""
    return [(name, repr(m)) for name, m in model.named_modules() if not list(m.children())]


@pytest.mark.parametrize("written_out, config", [(AlexNetPaper, PAPER), (AlexNetTorchvision, TORCHVISION)])
def test_written_out_nets_equal_the_config_builder(written_out, config):
    ours, built = meta(written_out), meta(build_alexnet, config)
    assert type(built) is AlexNet and isinstance(ours, AlexNet)
    assert _layers(ours) == _layers(built)
    assert count_parameters(ours) == count_parameters(built)
    assert [(k, v.shape) for k, v in ours.state_dict().items()] == \
        [(k, v.shape) for k, v in built.state_dict().items()]
    assert (ours.avgpool is None) == (config.avgpool is None)
    assert trace_shapes(ours, config.input_size) == trace_shapes(built, config.input_size)
    # Layers built in the same order draw the same random numbers: the same weights for a seed.
    torch.manual_seed(0)
    ours = written_out()
    torch.manual_seed(0)
    built = build_alexnet(config)
    assert all(torch.equal(v, built.state_dict()[k]) for k, v in ours.state_dict().items())


def _commented_shapes(cls, scale=0):
    """The shapes written after each conv, pool or linear layer in ``cls``'s source, as (C, H, W)
    tuples (None for ``(N, num_classes)``); ``scale`` picks the second shape of ``a; b`` comments."""
    layer = re.compile(r"^\s*(avgpool = )?(nn\.(Conv2d|MaxPool2d|AdaptiveAvgPool2d|Linear)|_pool)\(")
    shapes = []
    for line in inspect.getsource(cls).splitlines():
        code, _, comment = line.partition("#")
        if layer.match(code):
            found = re.findall(r"\(N, (\d+(?:, \d+)*)\)", comment)
            shapes.append(tuple(int(v) for v in found[scale].split(", ")) if found else None)
    return shapes


@pytest.mark.parametrize("build, cls, size, scale", [
    (AlexNetPaper, AlexNetPaper, (3, 227, 227), 0),
    (AlexNetTorchvision, AlexNetTorchvision, (3, 224, 224), 0),
    (zfnet, ZFNet, (3, 224, 224), 0),
    (zfnet_small, ZFNet, (1, 32, 32), 1),
], ids=["paper", "torchvision", "zfnet", "zfnet-small"])
def test_shape_comments_are_the_traced_shapes(build, cls, size, scale):
    commented = _commented_shapes(cls, scale)
    kinds = ("Conv2d", "MaxPool2d", "AdaptiveAvgPool2d", "Linear")
    traced = [r.shape for r in trace_shapes(meta(build), size) if r.type in kinds][:len(commented)]
    assert len(commented) >= 8 and len(traced) == len(commented)
    assert [t for t, c in zip(traced, commented) if c is not None] == [c for c in commented if c is not None]


def test_builder_sizes_fc6_by_the_formulas():
    # 259 wide: (259 - 11) // 4 + 1 = 63 -> 31 -> 15 -> 7 columns; 227 high gives 6 rows.
    wide = meta(build_alexnet, replace(PAPER, input_size=(3, 227, 259)))
    assert wide.classifier[1].in_features == 256 * 6 * 7
    assert wide(torch.zeros(1, 3, 227, 259, device="meta")).shape == (1, 1000)
    with pytest.raises(ValueError, match="pool2: kernel 3 .* only 2"):  # 32 -> conv1 6 -> pool1 2
        build_alexnet(replace(PAPER, input_size=(3, 32, 32)))  # refused before a layer is built


@pytest.mark.parametrize("cfg, name", [("A", "vgg11"), ("B", "vgg13"), ("D", "vgg16"), ("E", "vgg19")])
@pytest.mark.parametrize("batch_norm", [False, True])
def test_vgg_has_torchvisions_state_dict(cfg, name, batch_norm):
    ours = meta(vgg, cfg, batch_norm=batch_norm).state_dict()
    build = getattr(torchvision.models, name + ("_bn" if batch_norm else ""))
    theirs = meta(build, weights=None).state_dict()
    assert [(k, v.shape) for k, v in ours.items()] == [(k, v.shape) for k, v in theirs.items()]


@pytest.mark.parametrize("cfg, expected", [("A", 132_863_336), ("B", 133_047_848), ("C", 133_638_952),
                                           ("D", 138_357_544), ("E", 143_667_240)])
def test_vgg_parameter_totals(cfg, expected):
    convs, cin = 0, 3
    for v in CFGS[cfg]:
        if v != "M":
            cout, k = v if isinstance(v, tuple) else (v, 3)  # C's (channels, 1) are 1x1 convolutions
            convs, cin = convs + conv(cin, cout, k), cout
    by_formula = convs + fc(512 * 7 * 7, 4096) + fc(4096, 4096) + fc(4096, 1000)
    assert count_parameters(meta(vgg, cfg)) == by_formula == expected


def test_zfnet_matches_its_figure():
    model = meta(zfnet)
    rows = trace_arithmetic(model, (3, 224, 224))
    assert rows == trace_shapes(model, (3, 224, 224))
    sizes = [r.shape[1] for r in rows if r.type in ("Conv2d", "MaxPool2d")]
    # conv1 7x7/2 pad 1: (224 + 2 - 7) // 2 + 1; pools 3/2 in ceil mode; conv2 5x5/2 unpadded.
    conv1 = (224 + 2 - 7) // 2 + 1
    pool1 = -(-(conv1 - 3) // 2) + 1  # ceil
    conv2 = (pool1 - 5) // 2 + 1
    pool2 = -(-(conv2 - 3) // 2) + 1
    assert sizes == [conv1, pool1, conv2, pool2, pool2, pool2, pool2, 6] == [110, 55, 26, 13, 13, 13, 13, 6]
    assert pool_output_size(110, 3, 2) == 54  # floor mode would miss the figure's 55
    # AlexNet's single tower with conv1 7x7x3 instead of 11x11x3: about 62.36 M.
    # (conv2 keeps its 5x5x96 kernels: only its stride changed, which moves no parameter.)
    expected = alexnet_total(3, (96, 256, 384, 384, 256), 9216) - conv(3, 96, 11) + conv(3, 96, 7)
    assert count_parameters(model) == expected and round(expected / 1e6, 2) == 62.36


def test_zfnet_small_is_zfnet_at_32_pixels():
    model = zfnet_small()
    assert isinstance(model, ZFNet)
    convs = [m for m in model.features if isinstance(m, nn.Conv2d)]
    # ZFNet's smaller first kernel (3x3 for the small AlexNet's 5x5, as 7x7 for 11x11); conv1 has
    # stride 1 already, so there is no factor to hand on and conv2 keeps stride 1.
    assert [(c.kernel_size[0], c.stride[0], c.padding[0]) for c in convs[:2]] == [(3, 1, 1), (5, 1, 2)]
    assert all(m.ceil_mode for m in model.features if isinstance(m, nn.MaxPool2d))
    conv1 = conv_output_size(32, 3, stride=1, padding=1)
    pool1 = pool_output_size(conv1, 3, 2, ceil_mode=True)
    pool2 = pool_output_size(conv_output_size(pool1, 5, padding=2), 3, 2, ceil_mode=True)
    pool5 = pool_output_size(pool2, 3, 2, ceil_mode=True)  # conv3-5 keep the side
    sides = [r.shape[1] for r in trace_arithmetic(model, (1, 32, 32)) if r.type in ("Conv2d", "MaxPool2d")]
    assert sides == [conv1, pool1, pool1, pool2, pool2, pool2, pool2, pool5] == [32, 16, 16, 8, 8, 8, 8, 4]
    # The small AlexNet's budget: its widths, fc 512 and the 3x3 average pool before fc6.
    assert [c.out_channels for c in convs] == list(SMALL.widths)
    by_formula = (conv(1, 32, 3) + conv(32, 64, 5) + conv(64, 96, 3) + conv(96, 96, 3) + conv(96, 64, 3)
                  + fc(64 * 3 * 3, 512) + fc(512, 512) + fc(512, 10))
    assert count_parameters(model) == by_formula == 808_586
    for side in (28, 32, 64):
        assert model(torch.zeros(2, 1, side, side)).shape == (2, 10)


def test_vgg_initialisation_is_written_once(monkeypatch):
    torch.manual_seed(0)
    model = vgg_small("D")
    convs = [m for m in model.features if isinstance(m, nn.Conv2d)]
    # Kaiming normal, fan-out: the last conv has 128 kernels of 3x3, std sqrt(2 / (128 * 9)).
    assert convs[-1].weight.std().item() == pytest.approx((2 / (128 * 9)) ** 0.5, rel=0.03)
    assert model.classifier[0].weight.std().item() == pytest.approx(0.01, rel=0.03)
    assert all(m.bias.abs().sum() == 0 for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear)))
    # Both builders go through the one method.
    calls = []
    monkeypatch.setattr(VGG, "_init_weights", lambda self: calls.append(type(self)))
    meta(vgg, "A", batch_norm=True)
    vgg_small("A")
    assert calls == [VGG, VGG]


def test_lenet5():
    # C1 6 5x5 kernels, C3 16 5x5x6 (dense), C5 as FC 400 -> 120, F6 120 -> 84, output 84 -> 10.
    by_formula = conv(1, 6, 5) + conv(6, 16, 5) + fc(16 * 5 * 5, 120) + fc(120, 84) + fc(84, 10)
    assert count_parameters(lenet5()) == by_formula == 61_706
    on_28 = trace_shapes(lenet5(padding=2), (1, 28, 28))
    assert [r.shape for r in on_28] == [r.shape for r in trace_shapes(lenet5(), (1, 32, 32))]


def test_keras_and_d2l_shapes():
    for variant, padding in (("keras_1ch", 0), ("d2l", 1)):
        model = meta(alexnet, variant)
        assert model.features[0].padding == (padding, padding) and model.features[0].in_channels == 1
        sizes = [r.shape[1] for r in trace_shapes(model, (1, 224, 224)) if r.type in ("Conv2d", "MaxPool2d")]
        assert sizes[0] == conv_output_size(224, 11, 4, padding) == 54
        assert sizes == [54, 26, 26, 12, 12, 12, 12, 5]
        fc6 = next(m for m in model.classifier if isinstance(m, nn.Linear))
        assert fc6.in_features == 256 * 5 * 5


def test_d2l_variant_is_the_chapters_net_layer_for_layer():
    # d2l's chapter: Conv(11, s4, p1) ReLU Pool, Conv(5, p2) ReLU Pool, 3 x [Conv(3, p1) ReLU], Pool,
    # Flatten, Linear(6400, 4096) ReLU Dropout(0.5), Linear(4096, 4096) ReLU Dropout(0.5), Linear(4096, 10).
    model = meta(alexnet, "d2l")
    assert [type(m).__name__ for m in model.features] == [
        "Conv2d", "ReLU", "MaxPool2d", "Conv2d", "ReLU", "MaxPool2d",
        "Conv2d", "ReLU", "Conv2d", "ReLU", "Conv2d", "ReLU", "MaxPool2d"]
    assert model.avgpool is None  # the forward pass flattens pool5's map straight into fc6
    kinds = [type(m).__name__ for m in model.classifier]
    assert kinds == ["Linear", "ReLU", "Dropout", "Linear", "ReLU", "Dropout", "Linear"]
    linears = [(m.in_features, m.out_features) for m in model.classifier if isinstance(m, nn.Linear)]
    assert linears == [(6400, 4096), (4096, 4096), (4096, 10)]
    assert all(m.p == 0.5 for m in model.classifier if isinstance(m, nn.Dropout))
    assert len(model.features) + 1 + len(model.classifier) == 21  # d2l's Sequential, Flatten included
    assert count_parameters(model) == alexnet_total(1, (96, 256, 384, 384, 256), FLAT_224, classes=10)


@pytest.mark.parametrize("variant", ["single", "small", "keras_1ch", "paddle"])
def test_only_d2l_drops_after_fc6_and_fc7(variant):
    # Every other config-built variant keeps torchvision's order and its state_dict keys.
    model = meta(alexnet, variant)
    assert [type(m).__name__ for m in model.classifier] == [
        "Dropout", "Linear", "ReLU", "Dropout", "Linear", "ReLU", "Linear"]
    assert [k for k in model.state_dict() if k.startswith("classifier.")] == [
        f"classifier.{i}.{p}" for i in (1, 4, 6) for p in ("weight", "bias")]


def test_paddle_route_is_illegal_in_pytorch():
    # The write-up: conv1 padding 1 -> 54, pool1 padding 2 -> (54 + 4 - 3) // 2 + 1 = 28, ... 13 -> 6.
    assert (54 + 2 * 2 - 3) // 2 + 1 == 28
    with pytest.raises(ValueError, match="padding 2 is more than half the kernel 3"):
        pool_output_size(54, 3, 2, padding=2)
    with pytest.raises(RuntimeError, match="pad should be"):
        nn.MaxPool2d(3, 2, padding=2)(torch.zeros(1, 96, 54, 54))


# Networks whose layers do not form one chain (inception branches, residual shortcuts): the
# layer-by-layer formulas of lesson 01 trace a chain only.
BRANCHED = {"googlenet", "resnet18", "googlenet-small", "resnet18-small"}


@pytest.mark.parametrize("name", [n for n in list_models() if n not in BRANCHED])
def test_every_model_traces_at_its_native_size(name):
    model = meta(get_model, name)
    size = native_input_size(name)
    rows = trace_shapes(model, size)
    assert rows == trace_arithmetic(model, size)
    assert rows[-1].shape == (model.classifier[-1].out_features,)
    assert size[0] == next(m for m in model.modules() if isinstance(m, nn.Conv2d)).in_channels


@pytest.mark.parametrize("name", sorted(BRANCHED))
def test_branched_models_run_at_their_native_size(name):
    model = get_model(name).eval()
    size = native_input_size(name)
    with torch.no_grad():
        out = model(torch.zeros(2, *size))
    assert out.shape == (2, model.fc.out_features)
    assert size[0] == next(m for m in model.modules() if isinstance(m, nn.Conv2d)).in_channels


@pytest.mark.parametrize("side", [28, 32, 48, 64])
def test_small_variant_takes_28_to_64_pixels(side):
    model = alexnet("small")
    assert model(torch.zeros(2, 1, side, side)).shape == (2, 10)
    assert trace_shapes(model, (1, side, side)) == trace_arithmetic(model, (1, side, side))


def test_small_variant_is_alexnet_shaped():
    model = alexnet("small")
    kinds = [type(m).__name__ for m in model.features]
    assert kinds.count("Conv2d") == 5 and kinds.count("MaxPool2d") == 3
    assert all((m.kernel_size, m.stride) == (3, 2) for m in model.features if isinstance(m, nn.MaxPool2d))
    assert [type(m).__name__ for m in model.classifier][::3] == ["Dropout", "Dropout", "Linear"]
    wide = alexnet("small", width=2)
    assert [m.out_channels for m in wide.features if isinstance(m, nn.Conv2d)] == [64, 128, 192, 192, 128]
    assert wide.classifier[1].out_features == 1024


def test_arguments_and_registry():
    model = meta(alexnet, "paper", num_classes=10, in_channels=1, dropout=0.3)
    assert model.features[0].in_channels == 1 and model.classifier[-1].out_features == 10
    assert model.classifier[0].p == 0.3
    half = meta(alexnet, "paper", width=0.3)  # widths rounded to even numbers: the towers split evenly
    assert all(m.in_channels % 2 == 0 for m in half.features if isinstance(m, nn.Conv2d) and m.groups == 2)
    assert {"alexnet-paper", "alexnet-torchvision", "alexnet-small", "lenet5", "zfnet", "vgg11",
            "vgg16"} <= set(MODELS)
    for name in (n for n in MODELS if n.startswith("alexnet-")):
        assert isinstance(meta(get_model, name), AlexNet), name
    assert native_input_size("alexnet-paper") == (3, 227, 227)
    assert native_input_size("alexnet-torchvision") == (3, 224, 224)
    assert list_models() == list(MODELS)
    with pytest.raises(ValueError, match="unknown AlexNet variant 'huge'"):
        alexnet("huge")
    with pytest.raises(ValueError, match="unknown model 'resnet'"):
        get_model("resnet")
    with pytest.raises(ValueError, match="unknown VGG configuration 'F'"):
        vgg("F")


@pytest.mark.parametrize("module", ["alexnet", "base", "lenet", "registry", "vgg", "zfnet"])
def test_doctests(module):
    assert doctest.testmod(importlib.import_module(f"alexnet_course.models.{module}")).failed == 0
