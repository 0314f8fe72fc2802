"""Faults around a training run: every argument and the checkpoint folder are checked before
any work, one run per folder, Ctrl-C keeps what was saved and says how to resume, a full disk
is named. The command-line runs use LeNet-5 on the smoke profile: seconds each."""

from __future__ import annotations

import errno
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import torch
from conftest import refuse_calls
from torch import nn

from alexnet_course import bench, checkpoint, cli, data, train
from alexnet_course.checkpoint import RunFolderError
from alexnet_course.parallel import data_parallel

CLI = [sys.executable, "-m", "alexnet_course.cli"]
FAST = ["train", "--profile", "smoke", "--model", "lenet5", "--device", "cpu", "--no-progress"]


def run_main(capsys, *args):
    """``alexnet-course ARGS`` in this process: exit code, stdout, stderr."""
    try:
        code = cli.main(list(args))
    except SystemExit as stop:  # argparse's own errors
        code = stop.code
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("alexnet-course: error: "), err
    return lines[0]


@pytest.fixture
def no_data(monkeypatch):
    """Loading data fails the test: every refusal here must come before it."""
    refuse_calls(monkeypatch, "data was loaded before the arguments were checked",
                 (data, "fashion_mnist"), (data, "image_folder"))


class Tiny:
    """n random 12x12 images of 10 classes, for runs of the Python API in a fraction of a second."""

    def __init__(self, n: int, seed: int):
        g = torch.Generator().manual_seed(seed)
        self.images = torch.randint(0, 256, (n, 12, 12), dtype=torch.uint8, generator=g)
        self.targets = torch.randint(0, 10, (n,), generator=g)

    def __len__(self):
        return len(self.targets)


def tiny_model() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(4 * 5 * 5, 10))


CONFIG = train.TrainConfig(epochs=2, batch_size=16, lr=0.05, schedule="constant")


def api_fit(folder, epochs=2, fit=train.fit, **kwargs):
    config = train.TrainConfig(**{**CONFIG.__dict__, "epochs": epochs})
    return fit(tiny_model(), Tiny(64, 0), Tiny(32, 1), config, image_size=12, device="cpu",
               checkpoint_dir=folder, progress=False, **kwargs)


# The checkpoint folder is checked first -----------------------------------------------------

def test_an_existing_file_as_checkpoint_exits_2_within_seconds_before_training(tmp_path):
    target = tmp_path / "taken"
    target.write_text("not a folder")
    began = time.perf_counter()
    done = subprocess.run([*CLI, *FAST, "--checkpoint", str(target)], capture_output=True,
                          text=True, timeout=120)
    assert time.perf_counter() - began < 20
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert one_error_line(done.stderr).endswith(f"checkpoint folder {target} is a file, not a folder")
    assert "training" not in done.stdout and "epoch" not in done.stdout
    assert target.read_text() == "not a folder"


@pytest.mark.parametrize("folder, cause", [
    ("", "the checkpoint folder name is empty"),
    ("/proc/alexnet-course-test/run", "cannot write in checkpoint folder /proc/alexnet-course-test/run: "
                                      "no such file or directory"),
    ("/sys/alexnet-course-test", "cannot write in checkpoint folder /sys/alexnet-course-test: "),
])
def test_unusable_checkpoint_folders_are_refused_before_data(folder, cause, capsys, no_data):
    code, out, err = run_main(capsys, *FAST, "--checkpoint", folder)
    assert code == 2 and cause in one_error_line(err) and out == ""
    assert not Path("last.pt").exists()  # "" once meant the current folder


def test_a_read_only_folder_is_refused_naming_the_cause(tmp_path, capsys, monkeypatch, no_data):
    # Tests run as root, which chmod cannot stop: the probe write meets a read-only file system.
    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(checkpoint.tempfile, "mkstemp", read_only)
    code, _, err = run_main(capsys, *FAST, "--checkpoint", str(tmp_path / "run"))
    assert code == 2
    assert one_error_line(err).endswith(f"cannot write in checkpoint folder {tmp_path / 'run'}: "
                                        "read-only file system")


# One run per folder -----------------------------------------------------------------------------

def test_of_two_runs_started_together_into_one_folder_exactly_one_proceeds(tmp_path):
    # Far more epochs than the test lasts: the winner must still be training when it is stopped
    # (3 epochs of LeNet-5 on 2,000 images can end before the loser's refusal has been read).
    runs = [subprocess.Popen([*CLI, *FAST, "--epochs", "1000", "--checkpoint", str(tmp_path / "run")],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONUNBUFFERED": "1"})
            for _ in range(2)]
    try:
        while all(run.poll() is None for run in runs):
            time.sleep(0.1)
        loser = next(run for run in runs if run.returncode is not None)
        winner = next(run for run in runs if run is not loser)
        out, err = loser.communicate()
        assert loser.returncode == 2 and out == ""
        assert one_error_line(err).endswith(f"checkpoint folder {tmp_path / 'run'} is in use by "
                                            f"another run (PID {winner.pid}); wait for it to end, "
                                            "or choose another folder")
        assert winner.stdout.readline().startswith("training lenet5 on 2,000 images")  # it proceeds
        winner.send_signal(signal.SIGTERM)  # SIGTERM stops it as Ctrl-C does
        _, err = winner.communicate(timeout=60)
        assert winner.returncode == 130 and err.startswith("alexnet-course: interrupted")
        assert "Traceback" not in err
    finally:
        for run in runs:
            run.kill()


HOLD = """
import sys, time
from alexnet_course.checkpoint import run_folder
with run_folder(sys.argv[1], resume=True):
    print("holding", flush=True)
    time.sleep(120)
"""


@contextmanager
def held(folder: Path):
    """Another process holding ``folder``'s lock."""
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(folder)], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        yield holder
    finally:
        holder.kill()
        holder.wait()


def test_a_locked_folder_refuses_resume_and_ddp_until_its_holder_dies(tmp_path, capsys, no_data):
    (tmp_path / "last.pt").write_bytes(b"stand-in")  # --resume gets as far as the lock
    with held(tmp_path) as holder:
        code, _, err = run_main(capsys, *FAST, "--checkpoint", str(tmp_path), "--resume")
        assert code == 2 and f"is in use by another run (PID {holder.pid})" in one_error_line(err)
        with pytest.raises(RunFolderError, match=f"PID {holder.pid}"):  # rank 0 owns the folder
            api_fit(tmp_path, fit=data_parallel.fit_distributed, resume=True)
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    with checkpoint.run_folder(tmp_path, resume=True) as ckpt:  # the OS released the lock
        assert ckpt == tmp_path / "last.pt"
        assert (tmp_path / ".lock").read_text().strip() == str(os.getpid())


# What is in the folder ----------------------------------------------------------------------------

def test_resume_with_nothing_to_resume_stops(tmp_path, capsys, no_data):
    code, _, err = run_main(capsys, *FAST, "--checkpoint", str(tmp_path), "--resume")
    assert code == 2 and one_error_line(err).endswith(
        f"nothing to resume: {tmp_path} is empty; drop --resume to start a fresh run")
    code, _, err = run_main(capsys, *FAST, "--checkpoint", str(tmp_path / "new"), "--resume")
    assert code == 2 and f"{tmp_path / 'new'} does not exist" in one_error_line(err)
    assert not (tmp_path / "new").exists()


def test_a_folder_holding_only_history_is_never_overwritten(tmp_path, capsys, no_data):
    (tmp_path / "history.json").write_text('{"epochs": [], "steps": []}')
    code, _, err = run_main(capsys, *FAST, "--checkpoint", str(tmp_path), "--resume")
    assert code == 2 and f"nothing to resume: {tmp_path} holds history.json" in one_error_line(err)
    code, _, err = run_main(capsys, *FAST, "--checkpoint", str(tmp_path))
    assert code == 2 and one_error_line(err).endswith(
        f"{tmp_path} holds history.json but no last.pt: a new run would overwrite them; "
        "choose a new or empty folder (nothing was overwritten)")
    with pytest.raises(RunFolderError, match="holds history.json but no last.pt"):
        api_fit(tmp_path, resume=True)
    assert (tmp_path / "history.json").read_text() == '{"epochs": [], "steps": []}'


def test_foreign_files_are_refused_and_a_finished_run_too(tmp_path, capsys, no_data):
    (tmp_path / "notes.txt").write_text("mine")
    code, _, err = run_main(capsys, *FAST, "--checkpoint", str(tmp_path))
    assert code == 2 and f"{tmp_path} holds notes.txt but no last.pt" in one_error_line(err)
    (tmp_path / "notes.txt").unlink()
    api_fit(tmp_path, epochs=1)
    code, _, err = run_main(capsys, *FAST, "--checkpoint", str(tmp_path))
    assert code == 2 and "last.pt already holds a run" in one_error_line(err)


def test_resume_true_in_the_api_starts_an_empty_folder_afresh(tmp_path):
    # Notebook 09 runs its training cell with resume=True: the first time, nothing is there yet.
    assert api_fit(tmp_path / "run", epochs=1, resume=True).column("epoch") == [1]
    assert api_fit(tmp_path / "run", epochs=2, resume=True).column("epoch") == [1, 2]


# Interrupts ---------------------------------------------------------------------------------------

def test_sigint_mid_epoch_then_resume_equals_an_uninterrupted_run(tmp_path):
    def command(folder):
        return [*FAST, "--epochs", "2", "--checkpoint", str(folder)]

    def start(args):  # one thread each: the two runs share the cores, and their arithmetic agrees
        return subprocess.Popen([*CLI, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env={**os.environ, "OMP_NUM_THREADS": "1"})

    straight, run = start(command(tmp_path / "straight")), start(command(tmp_path / "cut"))
    while not (tmp_path / "cut" / "last.pt").exists() and run.poll() is None:
        time.sleep(0.05)
    run.send_signal(signal.SIGINT)  # during epoch 2 (or while epoch 1 is being saved)
    _, err = run.communicate(timeout=60)
    assert run.returncode == 130 and "Traceback" not in err, err
    again = shlex.join(command(tmp_path / "cut") + ["--resume"])
    assert err.strip() == f"alexnet-course: interrupted after epoch 1; resume with: alexnet-course {again}"
    assert json.loads((tmp_path / "cut" / "history.json").read_text())["epochs"][-1]["epoch"] == 1

    resumed = start(shlex.split(again))
    for done in (resumed, straight):
        assert done.wait(timeout=120) == 0, done.communicate()[1]
    cut, whole = (checkpoint.load_checkpoint(tmp_path / name / "last.pt") for name in ("cut", "straight"))
    assert [row["epoch"] for row in cut["history"]["epochs"]] == [1, 2]
    for key in ("train_loss", "test_top1", "lr"):
        assert [r[key] for r in cut["history"]["epochs"]] == [r[key] for r in whole["history"]["epochs"]]
    for name, weights in whole["model"].items():
        assert torch.equal(cut["model"][name], weights), name


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(),
                    reason="signal handlers live in the main thread")
def test_an_interrupt_during_a_checkpoint_write_lets_it_finish(tmp_path, monkeypatch):
    real = train.save_checkpoint

    def interrupted_write(path, state):
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C just as the write begins
        return real(path, state)

    monkeypatch.setattr(train, "save_checkpoint", interrupted_write)
    with pytest.raises(train.Interrupted, match=f"interrupted after epoch 1; {tmp_path / 'last.pt'} "
                                                "holds it, resume=True continues the run") as stop:
        api_fit(tmp_path, epochs=3)
    assert isinstance(stop.value, KeyboardInterrupt) and stop.value.epoch == 1
    assert checkpoint.load_checkpoint(tmp_path / "last.pt")["epoch"] == 1
    assert train.History.load(tmp_path / "history.json").column("epoch") == [1]


# A full disk, no permission -------------------------------------------------------------------

def full_disk(code: int):
    """torch.save onto a disk that fills after 4 KB. torch reports that as a RuntimeError
    ("unexpected pos") with the OSError only in its context, as a really full disk does."""
    real = torch.save

    class Full:
        def __init__(self, fh):
            self.fh, self.room = fh, 4096

        def write(self, data):
            if len(data) > self.room:
                raise OSError(code, os.strerror(code))
            self.room -= len(data)
            return self.fh.write(data)

        def flush(self):
            self.fh.flush()

    return lambda obj, fh, *args, **kwargs: real(obj, Full(fh), *args, **kwargs)


@pytest.mark.parametrize("code, cause", [(errno.ENOSPC, "no space left on device"),
                                         (errno.EACCES, "permission denied")])
def test_a_failed_write_names_file_and_cause_and_keeps_the_last_checkpoint(tmp_path, monkeypatch,
                                                                           code, cause):
    def fill_the_disk(history):  # epoch 1 is saved; epoch 2's write fails
        monkeypatch.setattr(torch, "save", full_disk(code))

    with pytest.raises(checkpoint.CheckpointWriteError) as failed:
        api_fit(tmp_path, epochs=2, on_epoch=fill_the_disk)
    assert isinstance(failed.value, OSError) and failed.value.errno == code
    assert str(failed.value) == (f"could not write {tmp_path / 'last.pt'}: {cause}; "
                                 "the previous checkpoint (if any) was left intact")
    monkeypatch.undo()
    assert checkpoint.load_checkpoint(tmp_path / "last.pt")["epoch"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [".lock", "history.json", "last.pt"]


def test_a_full_disk_ends_the_command_with_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(torch, "save", full_disk(errno.ENOSPC))
    code, out, err = run_main(capsys, *FAST, "--epochs", "1", "--checkpoint", str(tmp_path))
    assert code == 1 and "training lenet5" in out
    assert one_error_line(err).endswith(f"could not write {tmp_path / 'last.pt'}: no space left "
                                        "on device; the previous checkpoint (if any) was left intact")


# Exit codes and help ------------------------------------------------------------------------------

@pytest.mark.parametrize("args, message", [
    (["--lr", "-0.1"], "argument --lr: must be a positive number, not '-0.1'"),
    (["--lr", "nan"], "argument --lr: must be a positive number, not 'nan'"),
    (["--epochs", "0"], "argument --epochs: must be a positive integer, not '0'"),
    (["--epochs", "two"], "argument --epochs: must be a positive integer, not 'two'"),
    (["--image-size", "-3"], "argument --image-size: must be a positive integer, not '-3'"),
    (["--seed", "-1"], "argument --seed: must be an integer from 0 to 2**32 - 1, not '-1'"),
])
def test_bad_values_exit_2_before_data(args, message, capsys, no_data):
    code, _, err = run_main(capsys, *FAST, *args)
    assert code == 2 and err.strip().splitlines()[-1] == f"alexnet-course train: error: {message}"


@pytest.mark.parametrize("args, message", [
    (["--device", "quantum"], "--device quantum: "),
    (["--image-folder", "/nonexistent"], "--image-folder /nonexistent has no train/ folder"),
])
def test_unusable_arguments_exit_2_before_data(args, message, capsys, no_data):
    code, _, err = run_main(capsys, "train", "--profile", "smoke", *args)
    assert code == 2 and message in one_error_line(err)


def test_image_folders_with_other_test_classes_are_refused(tmp_path, capsys):
    from PIL import Image

    for split, label in (("train", "cat"), ("train", "dog"), ("test", "cat"), ("test", "fox")):
        (tmp_path / split / label).mkdir(parents=True)
        Image.new("L", (32, 32), 128).save(tmp_path / split / label / "1.png")
    code, out, err = run_main(capsys, *FAST, "--image-folder", str(tmp_path))
    assert code == 1 and out == "" and "unexpected: ['fox']" in one_error_line(err)


def test_help_shows_readable_names_only(capsys):
    for command, shown in (("train", "--epochs N"), ("bench", "--steps N")):
        code, out, _ = run_main(capsys, command, "--help")
        assert code == 0 and shown in out
        assert not re.search(r"_positive|positive_int|<function|\bEPOCHS\b", out), out


def test_bench_with_more_steps_than_data_says_so(capsys, no_data):
    code, _, err = run_main(capsys, "bench", "train-step", "--steps", "500", "--device", "cpu")
    assert code == 2 and one_error_line(err).endswith(
        "5 × 500 timed + 2 warm-up steps of batch 128 need 320,256 training images, but "
        "Fashion-MNIST has 60,000; repeats × steps + warm-up may be at most 468")
    with pytest.raises(ValueError, match="repeats × steps \\+ warm-up may be at most 468"):
        bench.train_step_bench(torch.device("cpu"), steps=467, warmup=2, repeats=1)
