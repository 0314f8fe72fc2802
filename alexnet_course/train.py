"""One readable training loop for every model and dataset of the course.

``fit`` is a plain function: batches in, ``zero_grad`` / ``backward`` / ``step`` visible,
a :class:`~alexnet_course.history.History` out. Around that core it adds what a real run
needs: any device, optional mixed precision / ``channels_last`` / ``torch.compile``, top-1
and top-5 accuracy, a progress bar, NaN detection, and checkpoints that resume exactly.

>>> recipe("paper").lr, recipe("paper").schedule
(0.01, 'plateau')
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from . import devices
from .checkpoint import (CHECKPOINT_NAME, CheckpointError, check_compatible, interrupts_deferred,
                         load_checkpoint, naming_write_errors, run_folder, save_checkpoint)
from .history import History
from .loaders import batches
from .metrics import topk_correct


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides a training run's numbers."""

    epochs: int = 10  # passes over the training set
    batch_size: int = 128  # the paper's batch size
    optimizer: str = "sgd"  # "sgd" or "adamw"
    lr: float = 0.01  # peak learning rate
    momentum: float = 0.9  # SGD momentum (the paper: 0.9)
    nesterov: bool = False  # Nesterov momentum for SGD
    weight_decay: float = 5e-4  # L2 penalty (the paper: 0.0005)
    schedule: str = "plateau"  # "plateau" (÷10 when held-out error stalls), "onecycle", "constant"
    patience: int = 1  # epochs without improvement before a plateau step
    label_smoothing: float = 0.0  # 0 = plain cross-entropy
    init: str | None = None  # "paper": weights N(0, 0.01), biases 1/0 as in the paper
    amp: str | None = None  # None (fp32), "bf16" or "fp16" autocast
    channels_last: bool = False  # NHWC memory layout (faster convolutions on most devices)
    compile: bool = False  # torch.compile the model (first steps slower, later ones faster)
    seed: int = 0  # seeds initialisation, dropout and the shuffling of every epoch
    log_every: int = 25  # steps between progress updates and NaN checks


RECIPES = {
    # Krizhevsky et al. 2012, section 5 (epochs: ~90 on ImageNet).
    "paper": TrainConfig(epochs=90, batch_size=128, optimizer="sgd", lr=0.01, momentum=0.9,
                         weight_decay=5e-4, schedule="plateau", init="paper"),
    # What one would use today for the same nets: a one-cycle schedule, Nesterov momentum,
    # label smoothing, PyTorch's default (Kaiming-uniform) initialisation.
    "modern": TrainConfig(epochs=10, batch_size=128, optimizer="sgd", lr=0.05, momentum=0.9,
                          nesterov=True, weight_decay=5e-4, schedule="onecycle",
                          label_smoothing=0.1),
}
# Fields that may change between a run and its resumption without changing its numbers.
RESUMABLE_CHANGES = {"epochs", "compile", "log_every"}


def recipe(name: str, **overrides) -> TrainConfig:
    """A named preset with some fields replaced, e.g. ``recipe("paper", epochs=5)``."""
    if name not in RECIPES:
        raise ValueError(f"unknown recipe {name!r}; choose one of {', '.join(RECIPES)}")
    return replace(RECIPES[name], **overrides)


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite."""


class Interrupted(KeyboardInterrupt):
    """Training was stopped (Ctrl-C, SIGTERM); ``epoch`` is the last one finished, and saved
    when there is a ``checkpoint``. A KeyboardInterrupt, so that it still stops a notebook cell."""

    def __init__(self, history: History, checkpoint: Path | None):
        self.epoch = history.last("epoch") if history.epochs else 0
        self.checkpoint = checkpoint
        saved = (f"; {checkpoint} holds it, resume=True continues the run"
                 if checkpoint is not None and self.epoch else "")
        super().__init__(f"interrupted after epoch {self.epoch}{saved}")


def make_optimizer(model: nn.Module, config: TrainConfig) -> torch.optim.Optimizer:
    if config.optimizer == "sgd":
        return torch.optim.SGD(model.parameters(), lr=config.lr, momentum=config.momentum,
                               nesterov=config.nesterov, weight_decay=config.weight_decay)
    if config.optimizer == "adamw":
        return torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    raise ValueError(f"unknown optimizer {config.optimizer!r}; choose 'sgd' or 'adamw'")


def make_scheduler(optimizer, config: TrainConfig, steps_per_epoch: int):
    """Returns ``(scheduler, per_step)``: one-cycle steps every batch, plateau every epoch."""
    if config.schedule == "plateau":
        return torch.optim.lr_scheduler.ReduceLROnPlateau(
            optimizer, mode="min", factor=0.1, patience=config.patience), False
    if config.schedule == "onecycle":
        return torch.optim.lr_scheduler.OneCycleLR(
            optimizer, max_lr=config.lr, epochs=config.epochs, steps_per_epoch=steps_per_epoch,
            pct_start=0.25), True
    if config.schedule == "constant":
        return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda _: 1.0), True
    raise ValueError(f"unknown schedule {config.schedule!r}; choose plateau, onecycle or constant")


def _autocast(device: torch.device, amp: str | None):
    if amp not in (None, "bf16", "fp16"):
        raise ValueError(f"amp must be None, 'bf16' or 'fp16', not {amp!r}")
    dtype = torch.float16 if amp == "fp16" else torch.bfloat16
    return torch.autocast(device.type, dtype=dtype, enabled=amp is not None)


def input_channels(model: nn.Module) -> int:
    """Channels the first convolution expects."""
    first = next((m for m in model.modules() if isinstance(m, nn.Conv2d)), None)
    return first.in_channels if first is not None else 1


@torch.inference_mode()
def predict(model: nn.Module, batch_iter, amp: str | None = None,
            channels_last: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """All logits and targets of ``batch_iter`` (model in eval mode), gathered on the CPU."""
    model.eval()
    logits, targets = [], []
    for x, y in batch_iter:
        if channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        with _autocast(x.device, amp):
            logits.append(model(x).float().cpu())
        targets.append(y.cpu())
    return torch.cat(logits), torch.cat(targets)


def evaluate(model: nn.Module, batch_iter, amp: str | None = None,
             channels_last: bool = False) -> dict[str, float]:
    """Mean cross-entropy, top-1 and top-5 accuracy over ``batch_iter``."""
    logits, targets = predict(model, batch_iter, amp, channels_last)
    top1, top5 = (topk_correct(logits, targets, (1, 5)).double() / len(targets)).tolist()
    return {"loss": F.cross_entropy(logits, targets).item(), "top1": top1, "top5": top5}


def train_step(model: nn.Module, x: torch.Tensor, y: torch.Tensor, optimizer, scaler,
               config: TrainConfig) -> tuple[torch.Tensor, torch.Tensor]:
    """One optimisation step; returns logits and loss without waiting for the device."""
    if config.channels_last:
        x = x.contiguous(memory_format=torch.channels_last)
    with _autocast(x.device, config.amp):
        logits = model(x)
        loss = F.cross_entropy(logits, y, label_smoothing=config.label_smoothing)
    optimizer.zero_grad(set_to_none=True)
    scaler.scale(loss).backward()
    scaler.step(optimizer)
    scaler.update()
    return logits, loss


def check_finite(losses: list[torch.Tensor], first_step: int, epoch: int) -> torch.Tensor:
    values = torch.stack(losses).float().cpu()
    bad = torch.nonzero(~torch.isfinite(values)).flatten()
    if len(bad):
        step = first_step + int(bad[0])
        raise TrainingDiverged(
            f"the loss became {values[bad[0]].item()} at step {step} (epoch {epoch}); training "
            "stopped and the last checkpoint was left as it was. Lower the learning rate, "
            "or check the inputs for NaNs.")
    return values


def restore(state: dict, model, optimizer, scheduler, scaler, config: TrainConfig, path: Path):
    saved = TrainConfig(**state["config"])
    changed = [f"{f}: {getattr(saved, f)!r} → {getattr(config, f)!r}" for f in asdict(config)
               if getattr(saved, f) != getattr(config, f) and f not in RESUMABLE_CHANGES]
    if config.schedule == "onecycle" and saved.epochs != config.epochs:
        changed.append(f"epochs: {saved.epochs} → {config.epochs} (the one-cycle schedule spans them)")
    if changed:
        raise CheckpointError(f"{path} was trained with different settings ({'; '.join(changed)}); "
                              "resuming would not continue the same run.")
    check_compatible(model, state["model"], path)
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])
    scaler.load_state_dict(state["scaler"])
    torch.set_rng_state(state["rng_cpu"])
    if torch.cuda.is_available() and state["rng_cuda"]:
        torch.cuda.set_rng_state_all(state["rng_cuda"])
    return History.from_dict(state["history"]), state["epoch"] + 1


def prepare_model(model: nn.Module, config: TrainConfig, dev: torch.device, resume: bool) -> None:
    """Seed, initialise and place ``model``."""
    torch.manual_seed(config.seed)
    if config.init == "paper" and not resume:
        from .models import paper_init_

        paper_init_(model)
    model.to(dev)
    if config.channels_last:
        model.to(memory_format=torch.channels_last)


def training_state(model: nn.Module, config: TrainConfig, dev: torch.device,
                   steps_per_epoch: int, ckpt: Path | None, resume: bool):
    """Optimizer, scheduler (and whether it steps per batch), scaler, history and first
    epoch: fresh, or restored from ``ckpt`` when resuming."""
    optimizer = make_optimizer(model, config)
    scheduler, per_step = make_scheduler(optimizer, config, steps_per_epoch)
    scaler = torch.amp.GradScaler(dev.type, enabled=config.amp == "fp16")
    history, start = History(), 1
    if resume and ckpt is not None and ckpt.exists():
        history, start = restore(load_checkpoint(ckpt), model, optimizer, scheduler, scaler,
                                 config, ckpt)
    return optimizer, scheduler, per_step, scaler, history, start


def save_run(ckpt: Path, model: nn.Module, optimizer, scheduler, scaler, config: TrainConfig,
             epoch: int, history: History) -> None:
    """Write the run's checkpoint (atomically) and its history; nothing in it depends on the
    device or the number of processes, so any later run can resume it. A failed write raises
    :class:`~alexnet_course.checkpoint.CheckpointWriteError`, naming the file and the cause."""
    save_checkpoint(ckpt, {
        "model": model.state_dict(), "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict(), "scaler": scaler.state_dict(),
        "epoch": epoch, "config": asdict(config), "history": history.to_dict(),
        "rng_cpu": torch.get_rng_state(),
        "rng_cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
    })
    with naming_write_errors(ckpt.parent / "history.json"):
        history.save(ckpt.parent / "history.json")


def fit(model: nn.Module, train_data, test_data, config: TrainConfig, *, image_size: int,
        device: torch.device | str | None = None, checkpoint_dir: str | Path | None = None,
        resume: bool = False, progress: bool = True, on_epoch=None) -> History:
    """Train ``model`` on ``train_data``, measuring ``test_data`` after every epoch.

    ``test_data`` is the held-out set the plateau schedule watches (Fashion-MNIST has no
    separate validation split). With ``checkpoint_dir`` the run is saved after every epoch
    (``last.pt`` and ``history.json``); ``resume=True`` continues it exactly where it
    stopped (with no checkpoint yet, it starts afresh). The folder is claimed before any
    work (see :func:`~alexnet_course.checkpoint.run_folder`): one run at a time, and a fresh
    run never overwrites anything in it. ``on_epoch`` is called with the history after each
    epoch (e.g. to redraw a live plot). Ctrl-C raises :class:`Interrupted` once the epoch
    being saved, if any, is written.
    """
    dev = torch.device(device) if device is not None else devices.device()
    with run_folder(checkpoint_dir, resume=resume) as ckpt:
        return _fit(model, train_data, test_data, config, dev, ckpt, image_size=image_size,
                    resume=resume, progress=progress, on_epoch=on_epoch)


def _fit(model, train_data, test_data, config: TrainConfig, dev: torch.device, ckpt: Path | None,
         *, image_size: int, resume: bool, progress: bool, on_epoch) -> History:
    prepare_model(model, config, dev, resume)
    channels = input_channels(model)
    train_batches = batches(train_data, config.batch_size, device=dev, image_size=image_size,
                            channels=channels, shuffle=True, seed=config.seed)
    test_batches = batches(test_data, config.batch_size, device=dev, image_size=image_size,
                           channels=channels)
    optimizer, scheduler, per_step, scaler, history, start = training_state(
        model, config, dev, len(train_batches), ckpt, resume)
    step_model = torch.compile(model) if config.compile else model

    from alexnet_course.progress import progress_bar

    bar = progress_bar(total=(config.epochs - start + 1) * len(train_batches), disable=not progress,
               unit="batch", desc="training")
    try:
        for epoch in range(start, config.epochs + 1):
            bar.set_description(f"epoch {epoch}/{config.epochs}")
            train_batches.set_epoch(epoch)
            step_model.train()
            began, seen = time.perf_counter(), 0
            correct = torch.zeros((), device=dev, dtype=torch.long)
            pending, losses = [], []
            for i, (x, y) in enumerate(train_batches, 1):
                logits, loss = train_step(step_model, x, y, optimizer, scaler, config)
                if per_step:
                    scheduler.step()
                pending.append(loss.detach())
                correct += (logits.argmax(1) == y).sum()
                seen += len(y)
                if i % config.log_every == 0 or i == len(train_batches):
                    first = (epoch - 1) * len(train_batches) + i - len(pending) + 1
                    chunk = check_finite(pending, first, epoch)  # the only host sync per chunk
                    history.log_step(first + len(pending) - 1, chunk.mean().item())
                    losses.append(chunk)
                    bar.update(len(pending))
                    bar.set_postfix(loss=f"{chunk.mean():.3f}", acc=f"{correct.item() / seen:.3f}")
                    pending = []
            train_seconds = time.perf_counter() - began
            test = evaluate(step_model, test_batches, config.amp, config.channels_last)
            if not per_step:
                scheduler.step(1 - test["top1"])
            with interrupts_deferred():  # the epoch is logged and saved, or neither
                history.log_epoch(
                    epoch=epoch, lr=optimizer.param_groups[0]["lr"], steps=len(train_batches),
                    train_loss=torch.cat(losses).mean().item(), train_top1=correct.item() / seen,
                    test_loss=test["loss"], test_top1=test["top1"], test_top5=test["top5"],
                    seconds=time.perf_counter() - began, train_images_per_s=seen / train_seconds)
                if ckpt is not None:
                    save_run(ckpt, model, optimizer, scheduler, scaler, config, epoch, history)
            bar.set_postfix(loss=f"{history.last('train_loss'):.3f}", test_acc=f"{test['top1']:.3f}")
            if on_epoch is not None:
                on_epoch(history)
    except KeyboardInterrupt:
        bar.close()
        raise Interrupted(history, ckpt) from None
    bar.close()
    return history


def load_model(model: nn.Module, checkpoint_dir: str | Path) -> nn.Module:
    """Load the weights of a finished (or interrupted) run into ``model``."""
    path = Path(checkpoint_dir) / CHECKPOINT_NAME
    state = load_checkpoint(path)
    check_compatible(model, state["model"], path)
    model.load_state_dict(state["model"])
    return model
