"""Lesson 10: the relatives' shapes, counts and table, recomputed from first principles and
checked against real forward passes; the measured parts run in the smoke profile."""

from __future__ import annotations

import json
import math

import pytest
import torch
from learned import assert_every_run_learned
from torch import nn
from torchvision import models as tv

from alexnet_course.arithmetic import conv_output_size, pool_output_size, trace_arithmetic, trace_shapes
from alexnet_course.counting import (
    conv_macs,
    conv_params,
    count_layers,
    count_parameters,
    linear_macs,
    linear_params,
)
from alexnet_course.experiments import relatives
from alexnet_course.models import get_model, native_input_size, vgg_small
from alexnet_course.models.vgg import CFGS
from alexnet_course.profiles import PROFILES

TRACED = ["zfnet", "vgg11", "vgg16", "zfnet-small", "vgg11-small", "vgg16-small"]


def _meta(name):
    with torch.device("meta"):
        return get_model(name)


@pytest.mark.parametrize("name", TRACED)
def test_arithmetic_trace_agrees_with_the_forward_pass(name):
    model, size = _meta(name), native_input_size(name)
    predicted = [(r.name, r.shape) for r in trace_arithmetic(model, size)]
    assert predicted == [(r.name, r.shape) for r in trace_shapes(model, size)]


@pytest.mark.parametrize("name", ["zfnet", "zfnet-small", "vgg11-small", "vgg16-small"])
def test_real_forward_pass_matches_the_last_traced_shape(name):
    torch.manual_seed(0)
    model, size = get_model(name).eval(), native_input_size(name)
    with torch.no_grad():
        features = model.features(torch.zeros(1, *size))
    assert tuple(features.shape[1:]) == trace_arithmetic(model.features, size)[-1].shape


def test_zfnet_shapes_follow_its_figure_from_the_formulas():
    conv1 = conv_output_size(224, 7, stride=2, padding=1)  # (224 + 2 - 7) // 2 + 1
    pool1 = pool_output_size(conv1, 3, 2, ceil_mode=True)
    conv2 = conv_output_size(pool1, 5, stride=2)
    pool2 = pool_output_size(conv2, 3, 2, ceil_mode=True)
    pool5 = pool_output_size(pool2, 3, 2, ceil_mode=True)
    assert (conv1, pool1, conv2, pool2, pool5) == (110, 55, 26, 13, 6)
    sides = [r.shape[-1] for r in trace_arithmetic(_meta("zfnet").features, (3, 224, 224))
             if r.type in ("Conv2d", "MaxPool2d")]
    assert sides == [110, 55, 26, 13, 13, 13, 13, 6]


def _vgg_by_hand(cfg: str, side: int = 224, classes: int = 1000) -> tuple[int, int]:
    """Parameters and multiply-adds of a VGG from its configuration list alone."""
    params = macs = 0
    channels = 3
    for v in CFGS[cfg]:
        if v == "M":
            side //= 2
            continue
        params += conv_params(channels, v, 3)
        macs += conv_macs(channels, v, 3, side)
        channels = v
    for n_in, n_out in ((512 * 7 * 7, 4096), (4096, 4096), (4096, classes)):
        params += linear_params(n_in, n_out)
        macs += linear_macs(n_in, n_out)
    return params, macs


def test_full_table_counts_equal_the_counting_module():
    rows = relatives.full_table(relatives.architecture_table())
    assert [r["model"] for r in rows] == list(relatives.RELATIVES)
    for row in rows:
        model, size = _meta(row["model"]), native_input_size(row["model"])
        table = count_layers(model, size)
        assert row["params"] == table.params == count_parameters(model)
        assert row["macs"] == table.macs
        assert math.isclose(row["activation_mb"], table.activation_bytes / 2**20)
    by_name = {r["model"]: r for r in rows}
    assert (by_name["vgg16"]["params"], by_name["vgg16"]["macs"]) == _vgg_by_hand("D")
    assert (by_name["vgg11"]["params"], by_name["vgg11"]["macs"]) == _vgg_by_hand("A")
    # torchvision's documentation ("GFLOPS" there are multiply-adds; GoogLeNet without its
    # auxiliary heads, as torchvision counts it)
    assert round(by_name["alexnet-torchvision"]["macs"] / 1e9, 3) == 0.714
    for name, weights in (("googlenet", tv.GoogLeNet_Weights.IMAGENET1K_V1),
                          ("resnet18", tv.ResNet18_Weights.IMAGENET1K_V1)):
        assert by_name[name]["params"] == weights.meta["num_params"]
        assert round(by_name[name]["macs"] / 1e9, 3) == weights.meta["_ops"]


def test_depth_counts_weight_layers_on_the_longest_path():
    depths = {r["model"]: r["depth"] for r in relatives.architecture_table()}
    # GoogLeNet: three stem convolutions, nine inception modules two deep (a 1×1 reduction, then
    # its 3×3 or 5×5), the classifier; ResNet-18: the stem, 4 stages × 2 blocks × 2 convolutions,
    # the classifier (the 1×1 shortcut convolutions run beside a block, not after it).
    assert depths == {"lenet5": 5, "alexnet-paper": 8, "alexnet-torchvision": 8, "zfnet": 8,
                      "vgg11": 11, "vgg16": 16, "googlenet": 3 + 9 * 2 + 1, "resnet18": 1 + 4 * 2 * 2 + 1}
    chain = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.LazyLinear(3))
    assert relatives.depth(chain) == 2


def test_successors_are_torchvisions_networks():
    for name, build in (("googlenet", tv.googlenet), ("resnet18", tv.resnet18)):
        ours = get_model(name)
        kwargs = {"aux_logits": False, "init_weights": True} if name == "googlenet" else {}
        theirs = build(weights=None, **kwargs)
        assert [tuple(p.shape) for p in ours.parameters()] == [tuple(p.shape) for p in theirs.parameters()]
        small = get_model(f"{name}-small")
        assert small(torch.zeros(2, 1, 32, 32)).shape == (2, 10)
        assert count_parameters(small) < count_parameters(ours)  # fewer classes, one input channel


def test_vgg16_fc6_holds_about_three_quarters_of_the_parameters():
    fc6 = linear_params(512 * 7 * 7, 4096)
    assert fc6 == 25088 * 4096 + 4096
    total = count_parameters(_meta("vgg16"))
    linear = [m for m in _meta("vgg16").modules() if isinstance(m, nn.Linear)][0]
    assert count_parameters(linear) == fc6
    assert 73 < 100 * fc6 / total < 75


@pytest.mark.parametrize("stacked", [2, 3])
def test_stack_vs_kernel_against_a_real_receptive_field(stacked):
    one, stack = relatives.stack_vs_kernel(stacked, channels=8)
    k = 2 * stacked + 1
    assert one["receptive_field"] == stack["receptive_field"] == k
    assert one["weights"] == 8 * 8 * k * k and stack["weights"] == stacked * 8 * 8 * 9
    assert (one["weights_per_c2"], stack["weights_per_c2"]) == (k * k, 9 * stacked)
    # The input pixels that reach the centre output of a real stack of 3x3 convolutions.
    net = nn.Sequential(*[nn.Conv2d(1, 1, 3, padding=1) for _ in range(stacked)])
    for conv in net:
        nn.init.constant_(conv.weight, 1.0)
    x = torch.zeros(1, 1, 21, 21, requires_grad=True)
    net(x)[0, 0, 10, 10].backward()
    reached = (x.grad[0, 0] != 0).nonzero()
    assert int(reached[:, 0].max() - reached[:, 0].min() + 1) == k
    with pytest.raises(ValueError, match="stacked"):
        relatives.stack_vs_kernel(1)


def test_small_versions_and_their_errors():
    zf = get_model("zfnet-small")
    assert zf.features[0].kernel_size == (3, 3)
    assert count_parameters(zf) - count_parameters(get_model("alexnet-small")) == 32 * (9 - 25)
    assert [m.out_channels for m in vgg_small("A").features if isinstance(m, nn.Conv2d)] == [
        v // 4 for v in CFGS["A"] if v != "M"]
    with pytest.raises(ValueError, match="cfg"):
        vgg_small("C")
    assert set(relatives.SIZES) == set(PROFILES)


def test_throughput_in_the_smoke_profile_is_relative_to_alexnet():
    rows = relatives.throughput("smoke", device="cpu")
    assert {r["model"] for r in rows} == set(relatives.SMALL_VERSIONS.values())
    base = next(r for r in rows if r["model"] == "alexnet-small")
    assert base["infer_vs_alexnet"] == base["train_vs_alexnet"] == 1.0
    for r in rows:
        assert r["infer_img_s"] > 0 and r["train_img_s"] > 0
        assert math.isclose(r["train_vs_alexnet"], r["train_img_s"] / base["train_img_s"])


def test_trained_names_are_the_stand_ins_once_each():
    small, full = relatives.SIZES["cpu"], relatives.SIZES["gpu"]
    assert relatives.trained_names(small) == list(relatives.STAND_INS)
    assert relatives.trained_names(full) == list(relatives.RELATIVES)
    assert all(relatives.SMALL_VERSIONS[m] in relatives.STAND_INS
               for m in relatives.RELATIVES if m != "vgg16")


@pytest.fixture(scope="module")
def smoke_accuracy():
    return relatives.accuracy_runs("smoke", device="cpu")


def test_accuracy_runs_train_every_stand_in_for_every_seed(smoke_accuracy):
    size = relatives.SIZES["smoke"]
    assert [(r["trained"], r["seed"]) for r in smoke_accuracy.rows] == [
        (name, seed) for seed in range(size.seeds) for name in relatives.STAND_INS]
    for r in smoke_accuracy.rows:
        assert 0.0 <= r["test_top1"] <= 1.0 and r["image_size"] == 32
    assert set(smoke_accuracy.models) == set(relatives.STAND_INS)  # seed 0's networks


def test_every_stand_in_learned(smoke_accuracy):
    assert_every_run_learned({(r["trained"], r["seed"]): r["test_top1"] for r in smoke_accuracy.rows})


def test_stand_in_table_names_what_was_trained_with_an_interval(smoke_accuracy):
    rows = {r["trained"]: r for r in relatives.stand_in_table(smoke_accuracy)}
    assert list(rows) == list(relatives.STAND_INS)
    assert rows["alexnet-small"]["stands_for"] == "alexnet-paper, alexnet-torchvision"
    assert rows["alexnet-small"]["vs_alexnet"] == "reference"
    for name, row in rows.items():
        values = smoke_accuracy.accuracies(name)
        assert math.isclose(row["test_top1"], sum(values) / len(values))
        # two seeds: t(0.975, 1) = 12.706 times the standard error
        spread = abs(values[0] - values[1]) / math.sqrt(2) / math.sqrt(2)
        assert math.isclose(row["interval_95"], 12.706 * spread, rel_tol=1e-4, abs_tol=1e-9)
        assert row["params"] == count_parameters(get_model(name))
    lines = smoke_accuracy.verdicts()
    assert len(lines) == len(relatives.STAND_INS) - 1
    assert all("alexnet-small" in line and "95 % interval" in line for line in lines)


def test_recorded_results_lists_files_of_one_kind(tmp_path):
    (tmp_path / "gpu_relatives.json").write_text(json.dumps(
        {"what": "x", "hardware": "NVIDIA H100", "test_top1_final": 0.9}))
    (tmp_path / "cpu_run.json").write_text(json.dumps({"what": "y", "hardware": "2 cores"}))
    assert relatives.recorded_results("gpu", tmp_path) == [
        {"file": "gpu_relatives.json", "what": "x", "hardware": "NVIDIA H100", "test_top1_final": 0.9}]
    assert [r["file"] for r in relatives.recorded_results("cpu", tmp_path)] == ["cpu_run.json"]
    with pytest.raises(ValueError, match="kind"):
        relatives.recorded_results("tpu", tmp_path)


def test_comparison_plot_keeps_the_two_parts_apart(smoke_accuracy):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from alexnet_course.plots import relatives as relatives_plots

    full = relatives.full_table(relatives.architecture_table())
    stand_ins = relatives.stand_in_table(smoke_accuracy)
    fig = relatives_plots.plot_comparison(full, stand_ins)
    axes = fig.axes
    assert [ax.get_title() for ax in axes] == [
        "full networks: parameters", "full networks: multiply-adds per image",
        "stand-ins trained: test top-1 (%), 95 % interval"]
    assert [t.get_text() for t in axes[0].get_yticklabels()] == list(relatives.RELATIVES)
    assert [t.get_text() for t in axes[-1].get_yticklabels()] == list(relatives.STAND_INS)
    assert [p.get_width() for p in axes[-1].patches] == [r["test_top1"] for r in stand_ins]
    plt.close(fig)
