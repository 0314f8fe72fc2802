"""The training engine: exact resume, atomic and verified checkpoints, NaN stop, metrics."""

from __future__ import annotations

import functools
import math
from dataclasses import replace

import pytest
import torch
from torch import nn

from alexnet_course import checkpoint, data, loaders, metrics, train

IMAGE = 12  # tiny images keep each epoch a fraction of a second


def tiny_model(seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Dropout(0.5),  # its random masks must also resume exactly
        nn.Linear(4 * 5 * 5, 10),
    )


@pytest.fixture(scope="module")
def splits():
    return (data.fashion_mnist("train", samples=300), data.fashion_mnist("test", samples=100))


CONFIG = train.TrainConfig(epochs=3, batch_size=32, lr=0.05, schedule="onecycle", log_every=4)


def run(splits, config=CONFIG, **kwargs):
    model = tiny_model()
    history = train.fit(model, *splits, config, image_size=IMAGE, device="cpu", progress=False,
                        **kwargs)
    return model, history


def _numbers(history):
    """Everything but wall-clock figures, which legitimately differ between runs."""
    return [{k: v for k, v in row.items() if k not in ("seconds", "train_images_per_s")}
            for row in history.epochs], history.steps


class Interrupt(Exception):
    pass


def stop_after(epoch):
    def hook(history):
        if history.last("epoch") == epoch:
            raise Interrupt
    return hook


@pytest.mark.parametrize("schedule", ["onecycle", "plateau"])
def test_resumed_run_equals_uninterrupted_run(splits, tmp_path, schedule):
    config = replace(CONFIG, schedule=schedule)
    straight, straight_history = run(splits, config)
    with pytest.raises(Interrupt):
        run(splits, config, checkpoint_dir=tmp_path, on_epoch=stop_after(2))
    assert train.History.load(tmp_path / "history.json").last("epoch") == 2
    resumed, resumed_history = run(splits, config, checkpoint_dir=tmp_path, resume=True)
    assert _numbers(resumed_history) == _numbers(straight_history)
    for a, b in zip(straight.state_dict().values(), resumed.state_dict().values()):
        assert torch.equal(a, b)


def test_training_learns(splits):
    _, history = run(splits, replace(CONFIG, epochs=4))
    assert history.last("test_top1") > 0.5  # chance is 0.1
    assert history.column("train_loss")[-1] < history.column("train_loss")[0]
    assert history.last("test_top5") >= history.last("test_top1")


def test_fresh_run_never_overwrites_a_checkpoint(splits, tmp_path):
    run(splits, replace(CONFIG, epochs=1), checkpoint_dir=tmp_path)
    before = (tmp_path / "last.pt").read_bytes()
    with pytest.raises(checkpoint.CheckpointError, match="already holds a run; pass resume=True"):
        run(splits, replace(CONFIG, epochs=1), checkpoint_dir=tmp_path)
    assert (tmp_path / "last.pt").read_bytes() == before


def test_crash_while_writing_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "last.pt"
    checkpoint.save_checkpoint(path, {"weights": torch.ones(3), "epoch": 1})

    def crash(obj, fh, *args, **kwargs):
        fh.write(b"PK\x03\x04 half a checkpoint")
        raise OSError("disk full")

    monkeypatch.setattr(torch, "save", crash)
    with pytest.raises(OSError, match="disk full"):
        checkpoint.save_checkpoint(path, {"weights": torch.zeros(3), "epoch": 2})
    monkeypatch.undo()
    assert checkpoint.load_checkpoint(path)["epoch"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["last.pt"]  # no temporary file left


def test_truncated_checkpoint_is_refused(tmp_path):
    path = checkpoint.save_checkpoint(tmp_path / "c.pt", {"weights": torch.randn(1000)})
    path.write_bytes(path.read_bytes()[:2000])
    with pytest.raises(checkpoint.CheckpointError, match="truncated or corrupt"):
        checkpoint.load_checkpoint(path)


def test_altered_weights_fail_the_checksum(tmp_path):
    weights = torch.full((1000,), 0.25)
    path = checkpoint.save_checkpoint(tmp_path / "c.pt", {"weights": weights})
    raw = bytearray(path.read_bytes())
    # torch stores the tensor's bytes uncompressed: find them and change one.
    offset = bytes(raw).find(weights.numpy().tobytes()[:64])
    assert offset > 0
    raw[offset + 1] ^= 0x40
    path.write_bytes(bytes(raw))
    with pytest.raises(checkpoint.CheckpointError, match="fails its SHA-256 check"):
        checkpoint.load_checkpoint(path)


def test_foreign_files_are_refused(tmp_path):
    torch.save({"weights": torch.ones(2)}, tmp_path / "plain.pt")
    with pytest.raises(checkpoint.CheckpointError, match="not written by alexnet_course"):
        checkpoint.load_checkpoint(tmp_path / "plain.pt")
    with pytest.raises(checkpoint.CheckpointError, match="no checkpoint at"):
        checkpoint.load_checkpoint(tmp_path / "absent.pt")


def test_checkpoint_of_another_model_is_refused(splits, tmp_path):
    run(splits, replace(CONFIG, epochs=1), checkpoint_dir=tmp_path)
    other = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Dropout(0.5), nn.Linear(8 * 5 * 5, 10))
    with pytest.raises(checkpoint.CheckpointError,
                       match=r"does not fit this model: different shapes 0\.bias"):
        train.load_model(other, tmp_path)
    assert isinstance(train.load_model(tiny_model(1), tmp_path), nn.Sequential)


def test_resume_with_other_settings_is_refused(splits, tmp_path):
    run(splits, replace(CONFIG, epochs=1, schedule="plateau"), checkpoint_dir=tmp_path)
    with pytest.raises(checkpoint.CheckpointError, match=r"lr: 0\.05 → 0\.1"):
        run(splits, replace(CONFIG, epochs=2, schedule="plateau", lr=0.1),
            checkpoint_dir=tmp_path, resume=True)
    # More epochs on a plateau schedule is a legitimate continuation.
    _, history = run(splits, replace(CONFIG, epochs=2, schedule="plateau"),
                     checkpoint_dir=tmp_path, resume=True)
    assert history.column("epoch") == [1, 2]


class PoisonAt(nn.Module):
    """Passes inputs through, except that training call number ``at`` returns NaNs."""

    def __init__(self, at: int):
        super().__init__()
        self.at, self.calls = at, 0

    def forward(self, x):
        if self.training:
            self.calls += 1
            if self.calls == self.at:
                return x * math.nan
        return x


def test_nan_loss_stops_the_run_naming_the_step(splits, tmp_path):
    model = nn.Sequential(PoisonAt(at=10 + 3), *tiny_model())  # 10 batches per epoch
    with pytest.raises(train.TrainingDiverged, match=r"became nan at step 13 \(epoch 2\)"):
        train.fit(model, *splits, CONFIG, image_size=IMAGE, device="cpu", progress=False,
                  checkpoint_dir=tmp_path)
    assert checkpoint.load_checkpoint(tmp_path / "last.pt")["epoch"] == 1


def test_topk_against_a_hand_computed_case():
    logits = torch.tensor([[5.0, 4.0, 3.0, 2.0, 1.0, 0.0],   # target 0: rank 1
                           [0.0, 1.0, 2.0, 3.0, 4.0, 5.0],   # target 1: rank 5
                           [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]])  # target 0: rank 6
    targets = torch.tensor([0, 1, 0])
    assert metrics.topk_accuracy(logits, targets, (1, 5, 6)) == [1 / 3, 2 / 3, 1.0]
    # k beyond the class count counts everything
    assert metrics.topk_correct(logits[:, :3], torch.tensor([0, 1, 0]), (5,)).tolist() == [3]


def test_confusion_matrix_rows_are_true_classes():
    cm = metrics.confusion_matrix(torch.tensor([1, 1, 2, 0]), torch.tensor([1, 0, 2, 2]), 3)
    assert cm.tolist() == [[0, 1, 0], [0, 1, 0], [1, 0, 1]]
    assert cm.sum() == 4


def test_device_batches_match_the_per_image_transform(splits):
    train_split = splits[0]
    x, y = next(iter(loaders.batches(train_split, 8, device=torch.device("cpu"), image_size=20)))
    by_hand = torch.stack([data.image_transform(20)(train_split.images[i].unsqueeze(0))
                           for i in range(8)])
    torch.testing.assert_close(x, by_hand, atol=1e-5, rtol=0)
    assert y.tolist() == train_split.targets[:8].tolist()


def test_device_batches_keep_a_split_loaded_without_normalisation_unnormalised():
    raw = data.fashion_mnist("test", "smoke", samples=20, image_size=28, normalize=False)
    x, _ = next(iter(loaders.batches(raw, 8, device=torch.device("cpu"), image_size=28)))
    per_image = torch.stack([raw[i][0] for i in range(8)])  # the dataset's own transform
    torch.testing.assert_close(x, per_image, atol=1e-6, rtol=0)
    assert x.min() >= 0 and x.max() <= 1
    torch.testing.assert_close(x, raw.images[:8].unsqueeze(1).float() / 255)


def test_shuffling_depends_only_on_seed_and_epoch(splits):
    def order(epoch):
        b = loaders.batches(splits[0], 300, device=torch.device("cpu"), image_size=28,
                            shuffle=True, seed=3)
        b.set_epoch(epoch)
        return next(iter(b))[1]

    assert torch.equal(order(2), order(2)) and not torch.equal(order(1), order(2))


def test_unknown_settings_are_named():
    with pytest.raises(ValueError, match="unknown recipe 'fast'"):
        train.recipe("fast")
    model = tiny_model()
    with pytest.raises(ValueError, match="choose 'sgd' or 'adamw'"):
        train.make_optimizer(model, replace(CONFIG, optimizer="lamb"))
    with pytest.raises(ValueError, match="plateau, onecycle or constant"):
        train.make_scheduler(train.make_optimizer(model, CONFIG), replace(CONFIG, schedule="step"), 1)


def test_sgd_runs_the_fused_kernel_with_the_default_kernels_numbers():
    """make_optimizer's fused SGD must be a pure speed-up: after a few steps with Nesterov
    momentum and weight decay the weights equal PyTorch's default (foreach) SGD's to float32
    rounding (the fused kernel may round an update differently in the last bit)."""
    config = train.recipe("modern", lr=0.05)
    fused_model, default_model = tiny_model(), tiny_model()
    fused = train.make_optimizer(fused_model, config)
    assert fused.defaults["fused"] is True
    default = torch.optim.SGD(default_model.parameters(), lr=config.lr, momentum=config.momentum,
                              nesterov=config.nesterov, weight_decay=config.weight_decay, foreach=True)
    gen = torch.Generator().manual_seed(0)
    for _ in range(4):
        for a, b in zip(fused_model.parameters(), default_model.parameters()):
            a.grad = torch.randn(a.shape, generator=gen)
            b.grad = a.grad.clone()
        fused.step()
        default.step()
    for a, b, start in zip(fused_model.parameters(), default_model.parameters(), tiny_model().parameters()):
        assert torch.allclose(a, b, rtol=1e-6, atol=1e-7)
        assert (a - start).abs().max() > 1e-3  # the steps moved the weights


@pytest.mark.parametrize("capability, amp", [((9, 0), "bf16"), ((8, 0), "bf16"), ((7, 5), "fp16")])
def test_device_options_compile_and_autocast_only_on_cuda(monkeypatch, capability, amp):
    assert train.device_options("cpu") == {"amp": None, "channels_last": True, "compile": False}
    assert train.device_options("mps")["amp"] is None
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device=None: capability)
    assert train.device_options("cuda") == {"amp": amp, "channels_last": True, "compile": True}
    assert train.device_options(torch.device("cuda"), compiled=False)["compile"] is False


def test_bf16_autocast_trains_on_cpu(splits):
    _, history = run(splits, replace(CONFIG, epochs=1, amp="bf16", channels_last=True))
    assert math.isfinite(history.last("train_loss")) and history.last("test_top1") > 0.1
    with pytest.raises(ValueError, match="amp must be None, 'bf16' or 'fp16'"):
        run(splits, replace(CONFIG, epochs=1, amp="fp8"))


def test_compiled_model_trains_and_checkpoints_plain_weights(splits, tmp_path, monkeypatch):
    # The wrapper (and its "_orig_mod." keys) is what matters here, not inductor's C++ code
    # generation, which alone costs ~30 s on 2 cores: trace with the aot_eager backend.
    monkeypatch.setattr(torch, "compile", functools.partial(torch.compile, backend="aot_eager"))
    model, history = run(splits, replace(CONFIG, epochs=1, compile=True), checkpoint_dir=tmp_path)
    assert math.isfinite(history.last("train_loss"))
    # The checkpoint holds the original module's keys, not torch.compile's "_orig_mod." ones.
    state = checkpoint.load_checkpoint(tmp_path / "last.pt")["model"]
    assert set(state) == set(tiny_model().state_dict())


def test_checkpoint_gets_the_usual_file_mode(tmp_path):
    import os

    umask = os.umask(0o022)
    try:
        path = checkpoint.save_checkpoint(tmp_path / "c.pt", {"epoch": 1})
    finally:
        os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o644
