"""``fit`` and the DDP loop train through one and the same ``run_epoch``, so they log, time and
stop on a NaN loss alike. The DDP loop runs here in-process, in a gloo group of world size 1:
it still wraps the model in DistributedDataParallel and all-reduces its figures."""

from __future__ import annotations

from dataclasses import replace

import pytest
import torch
import torch.distributed as dist
from test_train import PoisonAt  # a model that turns NaN at a chosen training step
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from alexnet_course import checkpoint, data, train
from alexnet_course.parallel import data_parallel

IMAGE = 12
CONFIG = train.TrainConfig(epochs=2, batch_size=32, lr=0.05, schedule="onecycle", log_every=4)
FITS = {"fit": train.fit, "ddp": data_parallel.fit_distributed}


def tiny_model() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(4 * 5 * 5, 10))  # no dropout: fit and DDP draw its masks apart


@pytest.fixture(scope="module")
def splits():
    return data.fashion_mnist("train", samples=300), data.fashion_mnist("test", samples=100)


@pytest.fixture
def gloo_group(tmp_path_factory, monkeypatch):
    """A process group of one, made by the caller: fit_distributed then takes the DDP path."""
    for name in data_parallel.TORCHRUN_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    rendezvous = tmp_path_factory.mktemp("gloo") / "rendezvous"
    dist.init_process_group("gloo", init_method=f"file://{rendezvous}", rank=0, world_size=1)
    yield
    dist.destroy_process_group()


def run(fit, model, splits, config=CONFIG, **kwargs):
    return fit(model, *splits, config, image_size=IMAGE, device="cpu", progress=False, **kwargs)


def spy_on_run_epoch(monkeypatch, module) -> list:
    """Record ``(model, epoch)`` of every ``run_epoch`` call made through ``module``."""
    calls, real = [], train.run_epoch

    def recording(model, *args, **kwargs):
        calls.append((model, kwargs["epoch"]))
        return real(model, *args, **kwargs)

    monkeypatch.setattr(module, "run_epoch", recording)
    return calls


def test_fit_runs_one_run_epoch_per_epoch(splits, monkeypatch):
    calls = spy_on_run_epoch(monkeypatch, train)
    history = run(train.fit, tiny_model(), splits, replace(CONFIG, epochs=3))
    assert [epoch for _, epoch in calls] == history.column("epoch") == [1, 2, 3]


def test_the_ddp_loop_runs_the_same_run_epoch_on_the_ddp_model(splits, monkeypatch, gloo_group):
    assert data_parallel.run_epoch is train.run_epoch
    calls = spy_on_run_epoch(monkeypatch, data_parallel)
    history = run(data_parallel.fit_distributed, tiny_model(), splits, replace(CONFIG, epochs=3))
    assert [epoch for _, epoch in calls] == history.column("epoch") == [1, 2, 3]
    assert all(isinstance(model, DistributedDataParallel) for model, _ in calls)


def test_fit_and_the_ddp_loop_log_the_same_training_numbers(splits, gloo_group):
    alone, ddp = (run(fit, tiny_model(), splits) for fit in FITS.values())
    for key in ("epoch", "lr", "steps", "train_loss", "train_top1"):  # run_epoch's figures
        assert alone.column(key) == ddp.column(key), key
    assert ddp.steps == alone.steps and [s for s, _ in alone.steps] == [4, 8, 10, 14, 18, 20]


@pytest.mark.parametrize("name", FITS)
def test_a_nan_loss_stops_both_loops_at_the_end_of_its_window(splits, tmp_path, gloo_group, name):
    poison = PoisonAt(at=10 + 3)  # 10 batches per epoch: step 3 of epoch 2
    with pytest.raises(train.TrainingDiverged, match=r"became nan at step 13 \(epoch 2\)"):
        run(FITS[name], nn.Sequential(poison, *tiny_model()), splits, checkpoint_dir=tmp_path)
    assert poison.calls == 14  # stopped at the window's end (log_every=4), not the epoch's
    assert checkpoint.load_checkpoint(tmp_path / "last.pt")["epoch"] == 1
