"""``alexnet-course bench gpu`` (issue 19, item 4): the tiny record end to end on the CPU, every
JSON field and the arithmetic behind the ratios and MFU, the caps, d2l's side against d2l's own
code, and the refusal without CUDA. The figures themselves are the GPU's to give."""

from __future__ import annotations

import datetime
import json
import platform
import statistics
from dataclasses import asdict, replace

import pytest
import torch
import torchvision

from alexnet_course import cli, data, gpu_record
from alexnet_course.counting import count_layers
from alexnet_course.gpu_record import FILES, TINY
from alexnet_course.models import get_model

FAKE_PEAK = 2.5e12  # FLOP/s: a made-up device, so that MFU is checked by hand
PNG = "gpu_alexnet_fashion_mnist_224.png"
HEADER = {"what", "measured", "hardware", "device", "versions", "settings", "peak_bf16_flops",
          "compile_note", "command", "tiny", "sizes"}
close = pytest.approx  # the files keep 6 significant digits


def _load(folder) -> dict[str, dict]:
    return {name: json.loads((folder / name).read_text()) for name in FILES.values()}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """One tiny record on the CPU (d2l's side by the transcription), read back from its files."""
    out = tmp_path_factory.mktemp("record")
    said = []
    with pytest.MonkeyPatch.context() as patch:  # the no_network fixture, for a module-wide run
        import socket

        for name in ("socket", "create_connection"):
            patch.setattr(socket, name, lambda *a, **k: pytest.fail("the record opened a socket"))
        returned = gpu_record.record(out, sizes=TINY, device="cpu", peak=FAKE_PEAK, say=said.append)
    return out, returned, _load(out), said


def test_the_record_is_three_json_files_and_a_png(tiny):
    out, returned, files, said = tiny
    assert sorted(p.name for p in out.iterdir()) == sorted([*FILES.values(), PNG])
    assert (out / PNG).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert files == json.loads(json.dumps(gpu_record._tidy(returned)))
    assert "tiny sizes (no record)" in said[0] and sum(line.startswith("  wrote") for line in said) == 3


def test_every_file_names_the_device_versions_and_sizes(tiny):
    for record in tiny[2].values():
        assert HEADER <= set(record)
        datetime.date.fromisoformat(record["measured"])
        assert record["hardware"] == record["device"] and record["device"].startswith("cpu: ")
        assert record["versions"]["python"] == platform.python_version()
        assert record["versions"]["torch"] == torch.__version__
        assert record["versions"]["torchvision"] == torchvision.__version__
        assert record["peak_bf16_flops"] == FAKE_PEAK and record["tiny"] is True
        assert record["sizes"] == asdict(TINY) and "only on CUDA" in record["compile_note"]
        assert record["settings"]["cudnn_allow_tf32"] == torch.backends.cudnn.allow_tf32


def test_train_step_ratios_and_mfu_follow_from_the_timings(tiny):
    a = tiny[2][FILES["train_step"]]
    model = get_model("alexnet-torchvision", num_classes=10, in_channels=1, width=TINY.width)
    macs = count_layers(model, (1, 224, 224)).macs
    assert (a["model"], a["input"], a["batch"]) == ("alexnet-torchvision", "1x224x224", TINY.batch)
    assert a["forward_macs_per_image"] == macs and a["train_flops_per_image"] == 6 * macs
    loops = a["loops"]
    assert set(loops) == {"ours", "bare", "textbook"}
    for loop in loops.values():
        runs = loop["images_per_s_runs"]
        assert len(runs) == a["repeats"] == TINY.repeats
        assert loop["images_per_s"] == close(statistics.median(runs), rel=1e-5)
        assert loop["spread"] == [min(runs), max(runs)]
        # MFU by hand: images/s × 6 FLOPs per multiply-add-and-pass × forward MACs / peak
        assert loop["mfu"] == close(loop["images_per_s"] * 6 * macs / FAKE_PEAK, rel=1e-4)
    assert a["ratio"] == close(loops["ours"]["images_per_s"] / loops["bare"]["images_per_s"], rel=1e-4)
    assert a["ratio_vs_textbook"] == close(loops["ours"]["images_per_s"] / loops["textbook"]["images_per_s"],
                                           rel=1e-4)
    assert a["mfu"] == loops["ours"]["mfu"]
    assert a["goals"] == {"ratio_at_least_3": a["ratio"] >= 3, "mfu_at_least_30_percent": a["mfu"] >= 0.3}
    # On a CPU the course's loop adds channels_last only (bf16 and compile are its CUDA options).
    assert {k: loops["ours"]["options"][k] for k in ("amp", "channels_last", "compile")} == \
        {"amp": None, "channels_last": True, "compile": False}
    assert loops["bare"]["options"]["amp"] is None and not loops["bare"]["options"]["channels_last"]
    assert a["test_top1_final"] is None and a["stopped_early"] is False


def test_d2l_and_ours_train_the_same_images_and_epochs(tiny):
    b = tiny[2][FILES["d2l"]]
    d2l, ours = b["d2l"], b["ours"]
    epochs, images = TINY.d2l_epochs, TINY.train_images
    assert (b["train_images"], b["test_images"], b["image_size"]) == (images, TINY.test_images, 224)
    assert b["epochs_done"] == epochs == len(d2l["per_epoch"]) == len(ours["per_epoch"])
    assert b["same_images"] and ours["recipe"]["epochs"] == epochs
    assert d2l["code"] == "alexnet_course.gpu_record.run_d2l_transcribed"
    assert (d2l["recipe"]["lr"], d2l["recipe"]["batch_size"], d2l["recipe"]["momentum"]) == (0.01, 128, 0)
    assert (ours["recipe"]["lr"], ours["recipe"]["schedule"]) == (0.05, "onecycle")  # the modern recipe
    assert d2l["seconds"] == close(sum(e["seconds"] for e in d2l["per_epoch"]), rel=1e-4)
    for side in (d2l, ours):
        assert side["images_per_s"] == close(epochs * images / side["seconds"], rel=1e-4)
        assert side["test_top1"] == side["per_epoch"][-1]["test_top1"]
        assert 0 <= side["test_top1"] <= 1
    assert b["speed_ratio"] == close(ours["images_per_s"] / d2l["images_per_s"], rel=1e-4)
    assert b["accuracy_difference"] == close(ours["test_top1"] - d2l["test_top1"], abs=1e-6)
    assert b["goals"] == {"beats_d2l_accuracy": ours["test_top1"] > d2l["test_top1"],
                          "speed_at_least_5x": b["speed_ratio"] >= 5}
    assert b["test_top1_final"] == ours["test_top1"] and b["stopped_early"] is False


def test_the_curve_is_the_history_of_every_epoch(tiny):
    c = tiny[2][FILES["curve"]]
    rows = c["history"]["epochs"]
    assert c["epochs_planned"] == c["epochs_done"] == TINY.curve_epochs == len(rows)
    assert [r["epoch"] for r in rows] == list(range(1, TINY.curve_epochs + 1))
    assert c["test_top1_final"] == rows[-1]["test_top1"] and c["test_top5_final"] == rows[-1]["test_top5"]
    assert c["best_test_top1"] == max(r["test_top1"] for r in rows)
    steady = statistics.median(r["train_images_per_s"] for r in rows[1:])  # the first epoch compiles
    assert c["train_images_per_s_median"] == close(steady, rel=1e-5)
    assert (c["model"], c["recipe"]["batch_size"]) == ("alexnet-torchvision", TINY.batch)
    assert c["curve_png"] == PNG and c["curve_png_note"] is None and c["stopped_early"] is False


def test_parts_past_their_cap_stop_early_and_a_failed_part_costs_no_other(tmp_path, monkeypatch,
                                                                           no_network):
    def broken(*args, **kwargs):
        raise RuntimeError("no kernel image is available")

    monkeypatch.setattr(gpu_record, "plot_curve", broken)
    records = gpu_record.record(tmp_path, sizes=replace(TINY, seconds=0.0), device="cpu", d2l_run=broken,
                                say=lambda _: None)
    a, b, c = (records[FILES[p]] for p in ("train_step", "d2l", "curve"))
    assert a["repeats"] == 1 and a["stopped_early"] and a["budget_s"] == 0  # one window, then the cap
    assert c["epochs_done"] == 1 and c["stopped_early"]  # one epoch, then the cap
    assert c["curve_png"] is None and "plotting failed (RuntimeError" in c["curve_png_note"]
    assert not (tmp_path / PNG).exists()
    assert b["error"] == "RuntimeError: no kernel image is available" and "broken" in b["traceback"]
    assert HEADER <= set(b) and b["test_top1_final"] is None
    assert _load(tmp_path) == json.loads(json.dumps(gpu_record._tidy(records)))
    summary = gpu_record.format_summary(records).splitlines()
    assert summary[1] == "(b) failed: RuntimeError: no kernel image is available"
    assert "MFU unknown" in summary[0]  # no peak is known for a CPU
    assert a["mfu"] is None and a["goals"]["mfu_at_least_30_percent"] is None


def test_d2l_s_cap_stops_it_between_epochs_and_ours_trains_as_many(no_network):
    train_data = data.fashion_mnist("train", "gpu", samples=TINY.train_images, image_size=224)
    test_data = data.fashion_mnist("test", "gpu", samples=TINY.test_images, image_size=224)
    b = gpu_record.d2l_part(TINY, torch.device("cpu"), gpu_record.TimeBudget(0.0), train_data, test_data)
    assert b["epochs_done"] == 1 < b["epochs_planned"] and b["d2l"]["stopped_early"]
    assert b["ours"]["recipe"]["epochs"] == len(b["ours"]["per_epoch"]) == 1 and b["same_images"]


def test_the_full_record_refuses_without_cuda(tmp_path, capsys):
    with pytest.raises(gpu_record.GPURequired, match="needs a CUDA GPU.*add --tiny"):
        gpu_record.record(tmp_path / "out", device="cpu")
    assert cli.main(["bench", "gpu", "--out", str(tmp_path / "out"), "--device", "cpu"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("alexnet-course: error: the GPU record needs a CUDA GPU")
    assert not (tmp_path / "out").exists()
    assert cli.main(["bench", "gpu", "--tiny", "--device", "cpu"]) == 2  # no --out: nowhere to write
    assert "name it with --out DIR" in capsys.readouterr().err


def test_the_command_runs_tiny_with_d2l_s_own_code(tmp_path, capsys, no_network):
    from alexnet_course.experiments import relatives

    if relatives.d2l_available():
        pytest.skip(relatives.d2l_available())
    argv = ["bench", "gpu", "--tiny", "--out", str(tmp_path), "--device", "cpu"]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert all(f"\n({part}) " in out for part in "abc")
    files = _load(tmp_path)
    assert files[FILES["d2l"]]["d2l"]["code"] == "alexnet_course.experiments.relatives.run_d2l"
    assert {r["command"] for r in files.values()} == {"alexnet-course " + " ".join(argv)}


def test_the_transcription_trains_exactly_as_d2l_s_code(no_network):
    from alexnet_course.experiments import relatives

    if relatives.d2l_available():
        pytest.skip(relatives.d2l_available())
    train_data = data.fashion_mnist("train", "smoke", samples=30)
    test_data = data.fashion_mnist("test", "smoke", samples=20)
    results, nets = [], []
    for run in (relatives.run_d2l, gpu_record.run_d2l_transcribed):
        torch.manual_seed(0)
        net = gpu_record.chapter_net(width=1 / 16, image_size=96)
        torch.manual_seed(1)  # the shuffles and dropout masks
        result = run(net, train_data, test_data, epochs=2, image_size=96, num_workers=0, device="cpu")
        results.append({k: result[k] for k in ("test_top1", "test_loss")})
        nets.append(net.state_dict())
    assert results[0] == results[1]
    assert all(torch.equal(nets[0][k], nets[1][k]) for k in nets[0])


def test_the_chapter_net_is_d2l_s_layer_for_layer():
    from alexnet_course.experiments import relatives

    if relatives.d2l_available():
        pytest.skip(relatives.d2l_available())
    torch.manual_seed(0)
    theirs = relatives.d2l_chapter_net()
    with torch.no_grad():
        theirs(torch.zeros(1, 1, 224, 224))
    torch.manual_seed(0)
    ours = gpu_record.chapter_net()
    assert repr(ours) == repr(theirs)
    assert all(torch.equal(p, q) for p, q in zip(ours.state_dict().values(), theirs.state_dict().values()))
