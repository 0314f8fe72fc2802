"""The command line: a real (smoke-sized) training run, resume, refusals and exit codes."""

from __future__ import annotations

import subprocess
import sys

import pytest

from alexnet_course import cli


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "alexnet_course.cli", *args],
                          capture_output=True, text=True)


def test_train_resume_and_refusal(tmp_path):
    # LeNet-5 keeps the run to seconds; lesson 12 runs the CLI with the profile's AlexNet.
    ckpt = str(tmp_path / "run")
    first = run_cli("train", "--profile", "smoke", "--model", "lenet5", "--epochs", "1",
                    "--no-progress", "--checkpoint", ckpt)
    assert first.returncode == 0, first.stderr
    assert "training lenet5 on 2,000 images at 32 px" in first.stdout
    assert "test top-1" in first.stdout and "top-5" in first.stdout
    assert (tmp_path / "run" / "last.pt").is_file() and (tmp_path / "run" / "history.json").is_file()
    again = run_cli("train", "--profile", "smoke", "--model", "lenet5", "--epochs", "1",
                    "--no-progress", "--checkpoint", ckpt)
    assert again.returncode == 2 and "already holds a run" in again.stderr
    more = run_cli("train", "--profile", "smoke", "--model", "lenet5", "--epochs", "1",
                   "--no-progress", "--checkpoint", ckpt, "--lr", "0.5", "--resume")
    assert more.returncode == 1 and "different settings (lr: " in more.stderr


def test_device_options_flag_trains_with_the_devices_options(tmp_path):
    ckpt = tmp_path / "run"
    done = run_cli("train", "--profile", "smoke", "--model", "lenet5", "--epochs", "1",
                   "--no-progress", "--device", "cpu", "--device-options", "--checkpoint", str(ckpt))
    assert done.returncode == 0, done.stderr
    from alexnet_course import checkpoint, history
    saved = checkpoint.load_checkpoint(ckpt / "last.pt")["config"]
    assert {k: saved[k] for k in ("amp", "channels_last", "compile")} == \
        {"amp": None, "channels_last": True, "compile": False}
    assert history.History.load(ckpt / "history.json").last("test_top1") > 0.1


@pytest.mark.parametrize("args, message", [
    (["train", "--epochs", "0"], "must be a positive integer"),
    (["train", "--model", "resnet50"], "invalid choice: 'resnet50'"),
    (["train", "--resume"], "--resume needs --checkpoint"),
    (["train", "--amp", "fp8"], "invalid choice: 'fp8'"),
    (["bench", "inference"], "invalid choice: 'inference'"),
])
def test_bad_arguments_exit_2_with_usage(args, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(args)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "usage: alexnet-course" in err and message in err


def test_train_step_benchmark_reports_a_ratio_per_case():
    """Runs the benchmark's code path at toy size; its figures are checked for form, not speed."""
    import torch

    from alexnet_course import bench

    device = torch.device("cpu")
    rows = bench.train_step_bench(device, steps=1, warmup=1, repeats=3,
                                  cases=[bench.Case("alexnet-small", 32, 8)])
    (row,) = rows
    assert row["baseline"] == "bare" and row["repeats"] == 3
    assert list(row["loops"]) == ["bare", "ours", "textbook"]
    bare, ours = row["loops"]["bare"], row["loops"]["ours"]
    assert ours["ratio"] == pytest.approx(ours["images_per_s"] / bare["images_per_s"])
    assert bare["ratio"] == 1.0 and bare["ratio_spread"] == [1.0, 1.0]
    for loop in row["loops"].values():
        assert len(loop["runs"]) == 3 and loop["spread"] == [min(loop["runs"]), max(loop["runs"])]
        assert loop["images_per_s"] == sorted(loop["runs"])[1]  # the median of three
    assert row["options"]["ours"]["amp"] is None and row["options"]["ours"]["channels_last"]
    # 6 = 3 passes (forward, two backward) x 2 FLOPs per multiply-add
    from alexnet_course.counting import count_layers
    from alexnet_course.models import get_model
    macs = count_layers(get_model("alexnet-small"), (1, 32, 32)).macs
    assert row["train_gflop_per_img"] == pytest.approx(6 * macs / 1e9)
    assert "mfu" not in ours  # no peak is known for a CPU
    table = bench.format_rows(rows, device)
    assert "ratio to bare" in table and "textbook" in table and "alexnet-small" in table


def test_options_benchmark_times_each_option_alone_against_all_off(tmp_path, capsys):
    import json

    from alexnet_course import bench

    code = cli.main(["bench", "options", "--steps", "1", "--warmup", "1", "--repeats", "2",
                     "--device", "cpu", "--out", str(tmp_path / "options.json")])
    assert code == 0
    out = capsys.readouterr().out
    assert "ratio to all off" in out and "bf16 autocast" in out and "torch.compile" not in out
    saved = json.loads((tmp_path / "options.json").read_text())
    assert saved["device"].startswith("cpu") and saved["command"].startswith("alexnet-course bench options")
    assert saved["processor"] and "onednn_max_cpu_isa" in saved
    for case in saved["cases"]:
        assert list(case["loops"]) == ["all off", *bench.OPTIONS[:3]]
        assert case["loops"]["all off"]["ratio"] == 1.0 and len(case["loops"]["fused SGD"]["runs"]) == 2


@pytest.mark.parametrize("name, expected", [
    ("relu-vs-tanh", 1), ("lrn", 2), ("pooling", 1), ("dropout", 1),
])
def test_experiment_command_prints_each_verdict(name, expected, capsys):
    assert cli.main(["experiment", name, "--profile", "smoke", "--device", "cpu"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith(f"experiment {name}, profile smoke")
    verdicts = lines[1:]
    assert len(verdicts) >= expected and all(len(v) > 20 for v in verdicts)
