"""Data parallelism: 2 gloo processes under torchrun take exactly the steps of 1 process on the
combined batch, and a run resumes with another number of processes.

The reference is written out here: one process, the DistributedSampler's documented shuffle
(``randperm(N)`` seeded with ``seed + epoch``), consecutive chunks of the *global* batch. The
2 ranks see every other index of that order, so together they see the same chunks.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch

from alexnet_course import cli
from alexnet_course.checkpoint import load_checkpoint
from alexnet_course.loaders import prepare_batch
from alexnet_course.parallel import data_parallel
from alexnet_course.parallel.data_parallel import Launch, backend_for, per_rank_batch, sharded_batches
from alexnet_course.train import CHECKPOINT_NAME, make_optimizer, train_step

# The worker every process runs; the test imports the same file for the data and the model.
WORKER = textwrap.dedent('''
    import os, sys
    from dataclasses import replace
    from pathlib import Path

    import torch

    from alexnet_course.models import alexnet
    from alexnet_course import train as engine
    from alexnet_course.parallel import data_parallel
    from alexnet_course.train import TrainConfig

    # Nesterov momentum, weight decay and label smoothing: every part of the step is exercised.
    CONFIG = TrainConfig(epochs=1, batch_size=8, optimizer="sgd", lr=0.05, momentum=0.9,
                         nesterov=True, weight_decay=5e-4, schedule="constant",
                         label_smoothing=0.1, seed=0, log_every=2)


    class Tiny:
        """n random 32x32 uint8 images, 10 classes: the same in every process."""

        def __init__(self, n, seed):
            g = torch.Generator().manual_seed(seed)
            self.images = torch.randint(0, 256, (n, 32, 32), dtype=torch.uint8, generator=g)
            self.targets = torch.randint(0, 10, (n,), generator=g)

        def __len__(self):
            return len(self.targets)


    def model():
        torch.manual_seed(1)
        return alexnet("small", dropout=0.0)  # no dropout: the only randomness is the data order


    def run(folder, epochs, resume):
        original = engine.save_checkpoint  # save_run writes through it

        def marked(path, state):  # leaves a trace of which rank wrote
            (Path(folder) / f"written-by-rank-{os.environ.get('RANK', 'solo')}").touch()
            return original(path, state)

        engine.save_checkpoint = marked
        return data_parallel.fit_distributed(
            model(), Tiny(32, 0), Tiny(16, 1), replace(CONFIG, epochs=epochs), image_size=32,
            device="cpu", checkpoint_dir=folder, resume=resume, progress=False)


    if __name__ == "__main__":
        run(sys.argv[1], int(sys.argv[2]), sys.argv[3] == "resume")
''')


@pytest.fixture(scope="module")
def worker(tmp_path_factory):
    path = tmp_path_factory.mktemp("ddp") / "ddp_worker.py"
    path.write_text(WORKER)
    spec = importlib.util.spec_from_file_location("ddp_worker", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def torchrun(worker, nproc: int, folder: Path, epochs: int, resume: bool) -> None:
    # --standalone: a rendezvous on localhost at a free port (it binds port 0), no fixed port.
    env = {k: v for k, v in os.environ.items() if k not in ("RANK", "LOCAL_RANK", "WORLD_SIZE")}
    env["OMP_NUM_THREADS"] = "1"
    done = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc-per-node={nproc}",
         worker.__file__, str(folder), str(epochs), "resume" if resume else "fresh"],
        capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]


def reference(worker, epochs: int) -> dict[str, torch.Tensor]:
    """One process, plain train_step on consecutive global batches of the sampler's order."""
    config, data = worker.CONFIG, worker.Tiny(32, 0)
    model = worker.model()
    optimizer = make_optimizer(model, config)
    scaler = torch.amp.GradScaler("cpu", enabled=False)
    for epoch in range(1, epochs + 1):
        order = torch.randperm(len(data), generator=torch.Generator().manual_seed(config.seed + epoch))
        for idx in order.split(config.batch_size):
            x = prepare_batch(data.images[idx], 32, 1)
            train_step(model, x, data.targets[idx], optimizer, scaler, config)
    return model.state_dict()


def assert_same_weights(found: dict, expected: dict) -> None:
    assert found.keys() == expected.keys()
    for name in expected:
        torch.testing.assert_close(found[name], expected[name], rtol=0, atol=1e-6, msg=name)


@pytest.fixture(scope="module")
def two_process_run(worker, tmp_path_factory):
    folder = tmp_path_factory.mktemp("two_ranks")
    torchrun(worker, 2, folder, epochs=1, resume=False)
    return folder


def test_two_gloo_processes_equal_one_process_on_the_combined_batch(worker, two_process_run):
    state = load_checkpoint(two_process_run / CHECKPOINT_NAME)
    expected = reference(worker, epochs=1)
    assert_same_weights(state["model"], expected)
    # Not vacuous: 4 steps moved the weights far more than the tolerance.
    start = worker.model().state_dict()
    assert max((expected[k] - start[k]).abs().max().item() for k in start) > 1e-3
    assert state["history"]["epochs"][0]["world_size"] == 2 and state["epoch"] == 1
    # Only rank 0 wrote the checkpoint.
    assert sorted(p.name for p in two_process_run.glob("written-by-*")) == ["written-by-rank-0"]


def test_resume_on_one_process_after_two(worker, two_process_run, tmp_path):
    shutil.copytree(two_process_run, tmp_path, dirs_exist_ok=True)
    history = worker.run(tmp_path, epochs=2, resume=True)  # plain python: world size 1
    assert [row["world_size"] for row in history.epochs] == [2, 1]
    assert_same_weights(load_checkpoint(tmp_path / CHECKPOINT_NAME)["model"], reference(worker, 2))


def test_resume_on_two_processes_after_one(worker, tmp_path):
    worker.run(tmp_path, epochs=1, resume=False)
    torchrun(worker, 2, tmp_path, epochs=2, resume=True)
    state = load_checkpoint(tmp_path / CHECKPOINT_NAME)
    assert [row["world_size"] for row in state["history"]["epochs"]] == [1, 2]
    assert_same_weights(state["model"], reference(worker, 2))


def test_ranks_share_out_the_global_batches(worker):
    data, config = worker.Tiny(32, 0), worker.CONFIG
    order = torch.randperm(32, generator=torch.Generator().manual_seed(config.seed + 3))
    shards = []
    for rank in range(2):
        shard = sharded_batches(data, per_rank_batch(8, 2), Launch(rank, rank, 2),
                                device=torch.device("cpu"), image_size=32, shuffle=True)
        shard.set_epoch(3)
        shards.append([y for _, y in shard])
    for k, chunk in enumerate(order.split(8)):  # global batch k = rank 0's k-th + rank 1's k-th
        together = torch.cat([shards[0][k], shards[1][k]])
        assert sorted(together.tolist()) == sorted(data.targets[chunk].tolist())
    assert len(shards[0]) == len(shards[1]) == 32 // 8


def test_evaluation_shards_cover_every_image_once(worker):
    data = worker.Tiny(15, 2)  # 15 does not split over 2 ranks: no padding in evaluation
    seen = []
    for rank in range(2):
        shard = sharded_batches(data, 4, Launch(rank, rank, 2), device=torch.device("cpu"),
                                image_size=32)
        seen += [y for _, y in shard]
    assert sum(len(y) for y in seen) == 15
    assert sorted(torch.cat(seen).tolist()) == sorted(data.targets.tolist())


def test_backends_devices_and_bad_batches():
    assert backend_for(torch.device("cuda", 1)) == "nccl" and backend_for("cpu") == "gloo"
    assert per_rank_batch(128, 2) == 64
    with pytest.raises(ValueError, match="batch_size 100 must split evenly over world_size 3"):
        per_rank_batch(100, 3)


def test_launch_reads_torchrun_variables(monkeypatch):
    for name in ("RANK", "LOCAL_RANK", "WORLD_SIZE"):
        monkeypatch.delenv(name, raising=False)
    assert not data_parallel.launched_by_torchrun() and Launch.from_env() == Launch(0, 0, 1)
    monkeypatch.setenv("RANK", "3")
    monkeypatch.setenv("LOCAL_RANK", "1")
    monkeypatch.setenv("WORLD_SIZE", "4")
    assert Launch.from_env() == Launch(3, 1, 4)
    monkeypatch.setenv("RANK", "4")
    with pytest.raises(ValueError, match="RANK=4"):
        Launch.from_env()


def test_cli_train_dispatches_to_ddp_under_torchrun(monkeypatch, tmp_path, capsys):
    calls = []

    def fake_fit(model, train_data, test_data, config, **kwargs):
        calls.append((config, kwargs))
        history = data_parallel.History()
        history.log_epoch(epoch=1, test_top1=0.5, test_top5=0.9, train_images_per_s=100.0)
        return history

    monkeypatch.setattr(data_parallel, "fit_distributed", fake_fit)
    for rank in ("1", "0"):
        monkeypatch.setenv("RANK", rank)
        monkeypatch.setenv("LOCAL_RANK", rank)
        monkeypatch.setenv("WORLD_SIZE", "2")
        assert cli.main(["train", "--profile", "smoke", "--device", "cpu", "--no-progress"]) == 0
        printed = capsys.readouterr().out
        assert ("training alexnet-small" in printed) == (rank == "0")  # only rank 0 talks
    assert len(calls) == 2 and calls[0][1]["progress"] is False


def test_torchrun_commands_and_scaling_summaries():
    from alexnet_course.parallel.launch import scaling_verdict, torchrun_command, with_speedups

    single = torchrun_command(2, ["train"])
    assert single[:3] == [sys.executable, "-m", "torch.distributed.run"] and "--standalone" in single
    with pytest.raises(ValueError, match="needs rdzv_endpoint"):
        torchrun_command(8, ["train"], nnodes=2)
    with pytest.raises(ValueError, match="nproc_per_node must be at least 1"):
        torchrun_command(0, ["train"])
    rows = with_speedups([{"processes": 1, "omp_threads_per_process": 2, "train_images_per_s": 400.0},
                          {"processes": 2, "omp_threads_per_process": 1, "train_images_per_s": 500.0}])
    assert [r["speedup"] for r in rows] == [1.0, 1.25] and rows[1]["efficiency"] == 0.625
    assert scaling_verdict(rows).startswith("2 processes × 1 thread(s): 500 images/s, 1.25×")
    with pytest.raises(ValueError, match="rows need"):
        scaling_verdict(rows[:1])


def test_datasets_without_tensors_go_through_a_dataloader():
    dataset = torch.utils.data.TensorDataset(torch.zeros(6, 1, 8, 8), torch.arange(6))
    shard = sharded_batches(dataset, 2, Launch(1, 1, 2), device=torch.device("cpu"), image_size=8)
    assert len(shard) == 2 and [y.tolist() for _, y in shard] == [[1, 3], [5]]
