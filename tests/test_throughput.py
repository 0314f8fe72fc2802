"""``alexnet-course bench compare``: throughput as ratios to AlexNet, measured in one run."""

from __future__ import annotations

import math

import torch

from alexnet_course import cli, throughput


def test_compare_bench_ratios_are_relative_to_the_baseline():
    rows = throughput.compare_bench(torch.device("cpu"), models=("lenet5",), baseline="alexnet-small",
                                    batch_size=2, steps=1, warmup=1)
    assert [r["model"] for r in rows] == ["lenet5", "alexnet-small"]
    lenet, base = rows
    assert base["infer_vs_alexnet"] == base["train_vs_alexnet"] == 1.0
    assert math.isclose(lenet["infer_vs_alexnet"], lenet["infer_img_s"] / base["infer_img_s"])
    assert lenet["input"] == "1x32x32" and lenet["batch"] == 2
    text = throughput.format_compare(rows, torch.device("cpu"), baseline="alexnet-small")
    assert "ratios to alexnet-small, same run" in text and "lenet5" in text


def test_cli_bench_compare_prints_the_ratio_table(monkeypatch, capsys):
    seen = {}

    def fake(device, steps, warmup):
        seen.update(steps=steps, warmup=warmup)
        return [{"model": "vgg16", "input": "3x224x224", "batch": 4, "infer_img_s": 2.0,
                 "infer_vs_alexnet": 0.25, "train_img_s": 1.0, "train_vs_alexnet": 0.5}]

    monkeypatch.setattr(throughput, "compare_bench", fake)
    assert cli.main(["bench", "compare", "--device", "cpu", "--steps", "2", "--warmup", "1"]) == 0
    out = capsys.readouterr().out
    assert "vgg16" in out and "0.250x" in out and "0.500x" in out
    assert seen == {"steps": 2, "warmup": 1}
