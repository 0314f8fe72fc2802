"""Lesson 10: the relatives' shapes, counts and table, recomputed from first principles and
checked against real forward passes; the measured parts run in the smoke profile."""

from __future__ import annotations

import json
import math

import pytest
import torch
from torch import nn

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


def test_comparison_table_counts_equal_the_counting_module():
    rows = relatives.comparison_table(relatives.architecture_table())
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
    # torchvision's AlexNet: its documentation's 0.714 "GFLOPS" are multiply-adds
    assert round(by_name["alexnet-torchvision"]["macs"] / 1e9, 3) == 0.714


def test_depth_counts_weight_layers():
    depths = {r["model"]: r["depth"] for r in relatives.architecture_table()}
    assert depths == {"lenet5": 5, "alexnet-paper": 8, "alexnet-torchvision": 8, "zfnet": 8,
                      "vgg11": 11, "vgg16": 16}


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


def test_accuracy_runs_train_every_small_version_on_the_same_budget():
    result = relatives.accuracy_runs("smoke", device="cpu", models=["lenet5", "alexnet-paper",
                                                                     "alexnet-torchvision"])
    assert [r["trained"] for r in result.rows] == ["lenet5", "alexnet-small"]
    for r in result.rows:
        assert 0.0 <= r["test_top1"] <= 1.0 and r["image_size"] == 32
    table = relatives.comparison_table(relatives.architecture_table(["alexnet-paper", "alexnet-torchvision"]),
                                       accuracy=result)
    assert [r["trained_as"] for r in table] == ["alexnet-small", "alexnet-small"]
    assert table[0]["test_top1"] == table[1]["test_top1"] == result.by_model()["alexnet-small"]["test_top1"]
    assert set(result.models) == {"lenet5", "alexnet-small"}


def test_recorded_results_lists_files_of_one_kind(tmp_path):
    (tmp_path / "gpu_relatives.json").write_text(json.dumps(
        {"what": "x", "hardware": "NVIDIA H100", "test_top1_final": 0.9}))
    (tmp_path / "cpu_run.json").write_text(json.dumps({"what": "y", "hardware": "2 cores"}))
    assert relatives.recorded_results("gpu", tmp_path) == [
        {"file": "gpu_relatives.json", "what": "x", "hardware": "NVIDIA H100", "test_top1_final": 0.9}]
    assert [r["file"] for r in relatives.recorded_results("cpu", tmp_path)] == ["cpu_run.json"]
    with pytest.raises(ValueError, match="kind"):
        relatives.recorded_results("tpu", tmp_path)
