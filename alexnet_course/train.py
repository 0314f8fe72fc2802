"""One readable training loop for every model and dataset of the course.

:func:`run_epoch` is the plain loop, ``zero_grad`` / ``backward`` / ``step`` visible; ``fit``
runs it once per epoch and returns a :class:`~alexnet_course.history.History`. Around that
core it adds what a real run needs: any device, optional mixed precision / ``channels_last``
/ ``torch.compile``, top-1 and top-5 accuracy, a progress bar, NaN detection, and checkpoints
that resume exactly.

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
from .checkpoint import (
    CHECKPOINT_NAME,
    CheckpointError,
    check_compatible,
    interrupts_deferred,
    load_checkpoint,
    naming_write_errors,
    run_folder,
    save_checkpoint,
)
from .history import History
from .loaders import batches
from .metrics import topk_correct
from .progress import progress_bar


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


def device_options(device: torch.device | str, compiled: bool = True) -> dict:
    """The loop options the course turns on for ``device`` (``TrainConfig`` fields), each kept
    where it measured faster (``alexnet-course bench options``; results/README.md):
    ``channels_last`` everywhere; half-precision autocast and ``torch.compile`` on CUDA only
    (``compiled``: where compiling works): bf16 where the GPU computes it natively (compute
    capability 8.0 on, A100 and later), else fp16 with loss scaling (a T4, Colab's GPU, has
    fp16 tensor cores and no bf16). On two AVX2 cores (no bf16 units) ``channels_last`` ran
    the step 1.18× (full AlexNet at 224) and 1.22× (the small one) as fast as NCHW, bf16
    autocast 0.09× and 0.08×, and compiled steps 0.91× and 0.80×, after minutes of compiling.

    >>> device_options("cpu")
    {'amp': None, 'channels_last': True, 'compile': False}
    """
    device = torch.device(device)
    if device.type != "cuda":
        return {"amp": None, "channels_last": True, "compile": False}
    bf16 = torch.cuda.get_device_capability(device) >= (8, 0)
    return {"amp": "bf16" if bf16 else "fp16", "channels_last": True, "compile": compiled}


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
    """SGD or AdamW as ``config`` says. SGD runs PyTorch's fused kernel: the same update as the
    default one to float32 rounding (tested), in one pass over each weight tensor, where the
    default allocates model-sized temporaries for weight decay and Nesterov momentum at every
    step: 19 ms against 171 ms a step for full AlexNet's 57 M weights on two AVX2 cores
    (``alexnet-course bench options`` times the whole training step). AdamW keeps PyTorch's
    default kernel: the course trains only small nets with it (under 1 ms a step either way),
    whose recorded experiments it leaves as they were."""
    if config.optimizer == "sgd":
        return torch.optim.SGD(model.parameters(), lr=config.lr, momentum=config.momentum,
                               nesterov=config.nesterov, weight_decay=config.weight_decay,
                               fused=True)
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
    """One optimiser step on the batch ``(x, y)``: zero the gradients, forward, backward, step,
    with the forward pass under autocast when ``config.amp`` is set (``fp16`` also scales the
    loss through ``scaler``). Returns logits and loss without waiting for the device."""
    optimizer.zero_grad(set_to_none=True)
    with _autocast(x.device, config.amp):
        logits = model(_layout(x, config))
        loss = F.cross_entropy(logits, y, label_smoothing=config.label_smoothing)
    if scaler.is_enabled():  # fp16: the loss scaled up, so that small gradients survive
        scaler.scale(loss).backward()
        scaler.step(optimizer)  # unscales first; skips the step if a gradient overflowed
        scaler.update()
    else:
        loss.backward()
        optimizer.step()
    return logits, loss


def _layout(x: torch.Tensor, config: TrainConfig) -> torch.Tensor:
    return x.contiguous(memory_format=torch.channels_last) if config.channels_last else x


def check_finite(losses: torch.Tensor, first_step: int, epoch: int) -> None:
    """Raise :class:`TrainingDiverged` naming the first NaN or infinite loss of ``losses``,
    the losses of steps ``first_step``, ``first_step + 1``, ..."""
    bad = torch.nonzero(~torch.isfinite(losses)).flatten()
    if len(bad):
        raise TrainingDiverged(
            f"the loss became {losses[bad[0]].item()} at step {first_step + int(bad[0])} (epoch "
            f"{epoch}); training stopped and the last checkpoint was left as it was. Lower the "
            "learning rate, or check the inputs for NaNs.")


@dataclass(frozen=True)
class EpochResult:
    """What one training pass measured, over all processes."""

    steps: int  # optimiser steps taken
    loss: float  # mean of the steps' losses
    top1: float  # accuracy on the training batches as they were trained (dropout on)
    images: int  # images trained on
    seconds: float  # wall-clock time of the pass


class _EpochTally:
    """An epoch's step losses and correct answers, kept on the device and read once every
    ``log_every`` steps (and after the last): reading them after every step would make the
    host wait for each one. Each read checks the losses, logs their mean, moves the bar.

    With several processes ``sum_over_ranks`` (an all-reduce) makes every rank read the same
    global numbers, so that a NaN on any rank stops all of them at the same step."""

    def __init__(self, config: TrainConfig, epoch: int, steps: int, history: History, bar,
                 world_size: int, sum_over_ranks):
        self.log_every, self.epoch, self.steps, self.history, self.bar = (
            config.log_every, epoch, steps, history, bar)
        self.world_size, self.sum_over_ranks = world_size, sum_over_ranks
        self.done, self.window, self.window_correct, self.window_seen = 0, [], 0, 0
        self.losses, self.correct, self.seen = [], 0, 0
        self.began = time.perf_counter()

    def add(self, loss: torch.Tensor, logits: torch.Tensor, y: torch.Tensor) -> None:
        self.window.append(loss.detach().float())
        self.window_correct = self.window_correct + (logits.argmax(1) == y).sum()
        self.window_seen += len(y)
        self.done += 1
        if self.done % self.log_every == 0 or self.done == self.steps:
            self._read_window()

    def _read_window(self) -> None:
        correct = self.window_correct.float()
        sums = torch.stack([*self.window, correct, torch.full_like(correct, self.window_seen)])
        if self.sum_over_ranks is not None:
            sums = self.sum_over_ranks(sums)
        sums = sums.cpu()  # the one wait for the device per window
        # The global batch's loss is the mean of the ranks' (equal-sized) batch losses.
        losses = sums[:-2] / self.world_size
        first = (self.epoch - 1) * self.steps + self.done - len(losses) + 1
        check_finite(losses, first, self.epoch)
        mean = losses.mean().item()
        self.history.log_step(first + len(losses) - 1, mean)
        self.losses.append(losses)
        self.correct += int(sums[-2])
        self.seen += int(sums[-1])
        if self.bar is not None:
            self.bar.update(len(losses))
            self.bar.set_postfix(loss=f"{mean:.3f}", acc=f"{self.correct / self.seen:.3f}")
        self.window, self.window_correct, self.window_seen = [], 0, 0

    def result(self) -> EpochResult:
        return EpochResult(steps=self.done, loss=torch.cat(self.losses).mean().item(),
                           top1=self.correct / self.seen, images=self.seen,
                           seconds=time.perf_counter() - self.began)


def run_epoch(model: nn.Module, train_batches, optimizer, scaler, config: TrainConfig, *,
              epoch: int, history: History, scheduler=None, bar=None, world_size: int = 1,
              sum_over_ranks=None) -> EpochResult:
    """One pass over ``train_batches``: the loop every PyTorch course starts from,

        for x, y in train_batches:
            optimizer.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()

    each step a :func:`train_step` (those four lines, with mixed precision when ``config.amp``
    is set), a per-step ``scheduler`` (one-cycle) stepped after every batch, and the step
    losses logged into ``history`` and checked for NaN/inf once every ``config.log_every``
    steps (:class:`TrainingDiverged` names the first bad step).
    ``train_batches`` is shuffled by the caller; ``world_size`` and ``sum_over_ranks`` (an
    all-reduce) make the logged figures those of all processes of a DDP run.

    >>> _ = torch.manual_seed(0)
    >>> model = nn.Linear(4, 2)
    >>> data = [(torch.randn(8, 4), torch.randint(0, 2, (8,))) for _ in range(3)]
    >>> config = TrainConfig(lr=0.1, log_every=2)
    >>> optimizer, scaler = make_optimizer(model, config), torch.amp.GradScaler(enabled=False)
    >>> history = History()
    >>> trained = run_epoch(model, data, optimizer, scaler, config, epoch=1, history=history)
    >>> trained.steps, trained.images, [step for step, _ in history.steps]
    (3, 24, [2, 3])
    """
    model.train()
    tally = _EpochTally(config, epoch, len(train_batches), history, bar, world_size, sum_over_ranks)
    for x, y in train_batches:
        logits, loss = train_step(model, x, y, optimizer, scaler, config)
        if scheduler is not None:
            scheduler.step()
        tally.add(loss, logits, y)  # no wait for the device here: see _EpochTally
    return tally.result()


def epoch_row(epoch: int, optimizer, trained: EpochResult, test: dict[str, float],
              began: float) -> dict:
    """History's row for an epoch that began at ``began``, trained and was measured on the
    held-out ``test`` set."""
    return dict(epoch=epoch, lr=optimizer.param_groups[0]["lr"], steps=trained.steps,
                train_loss=trained.loss, train_top1=trained.top1, test_loss=test["loss"],
                test_top1=test["top1"], test_top5=test["top5"],
                seconds=time.perf_counter() - began,
                train_images_per_s=trained.images / trained.seconds)


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

    It is :func:`run_epoch`'s plain loop once per epoch, plus what a real run needs: AMP and
    ``channels_last`` (inside ``run_epoch``), ``torch.compile``, an evaluation and a
    checkpoint after every epoch, a progress bar, and the :class:`History` it returns.

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


def training_bar(config: TrainConfig, start: int, steps_per_epoch: int, progress: bool):
    """One bar for the whole run, from epoch ``start`` to the last, counted in batches."""
    return progress_bar(total=(config.epochs - start + 1) * steps_per_epoch, disable=not progress,
                        unit="batch", desc="training")


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
    bar = training_bar(config, start, len(train_batches), progress)
    try:
        for epoch in range(start, config.epochs + 1):
            bar.set_description(f"epoch {epoch}/{config.epochs}")
            train_batches.set_epoch(epoch)
            began = time.perf_counter()
            trained = run_epoch(step_model, train_batches, optimizer, scaler, config, epoch=epoch,
                                history=history, scheduler=scheduler if per_step else None, bar=bar)
            test = evaluate(step_model, test_batches, config.amp, config.channels_last)
            if not per_step:
                scheduler.step(1 - test["top1"])
            with interrupts_deferred():  # the epoch is logged and saved, or neither
                history.log_epoch(**epoch_row(epoch, optimizer, trained, test, began))
                if ckpt is not None:
                    save_run(ckpt, model, optimizer, scheduler, scaler, config, epoch, history)
            bar.set_postfix(loss=f"{trained.loss:.3f}", test_acc=f"{test['top1']:.3f}")
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
