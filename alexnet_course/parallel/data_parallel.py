"""Data parallelism with the engine PyTorch ships: ``DistributedDataParallel`` + ``torchrun``.

Each process (a *rank*) holds a whole copy of the model and reads its own share of every
global batch, picked by a ``DistributedSampler``. After ``backward`` DDP averages the
gradients over the ranks (an all-reduce, NCCL between GPUs, gloo between CPU processes), so
every copy takes the same step: the step one process takes on the combined batch, since with
``world_size`` equal shares of ``b`` images each

    mean of the ranks' mean gradients = mean gradient over all ``world_size * b`` images.

So the per-rank batch is the global batch divided by the world size:

>>> per_rank_batch(128, world_size=4)
32

Checkpoints hold only world-size-free state (weights, optimizer, schedule, epoch, seed), in
:func:`alexnet_course.train.fit`'s format, written by rank 0 alone: a run resumes on any number
of processes, or in plain ``fit``. Launch with
``torchrun --nproc-per-node N -m alexnet_course.cli train ...``.
"""

from __future__ import annotations

import os
import time
from contextlib import nullcontext
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DistributedSampler

from .. import devices
from ..checkpoint import CHECKPOINT_NAME, interrupts_deferred, run_folder
from ..history import History
from ..loaders import batches
from ..metrics import topk_correct
from ..train import (
    Interrupted,
    TrainConfig,
    epoch_row,
    input_channels,
    predict,
    prepare_model,
    run_epoch,
    save_run,
    training_bar,
    training_state,
)

__all__ = ["Launch", "launched_by_torchrun", "backend_for", "rank_device", "per_rank_batch",
           "sharded_batches", "fit_distributed"]

TORCHRUN_VARIABLES = ("RANK", "LOCAL_RANK", "WORLD_SIZE")  # torchrun sets these for every worker


@dataclass(frozen=True)
class Launch:
    """Where this process sits: its rank among ``world_size`` and on its machine."""

    rank: int = 0  # 0 .. world_size - 1, unique over every machine
    local_rank: int = 0  # index on this machine: which GPU to use
    world_size: int = 1  # processes in the run

    @classmethod
    def from_env(cls) -> Launch:
        """Read torchrun's variables; a plain ``python`` process is rank 0 of 1.

        >>> Launch.from_env() if not launched_by_torchrun() else Launch()
        Launch(rank=0, local_rank=0, world_size=1)
        """
        if not launched_by_torchrun():
            return cls()
        rank, local, world = (int(os.environ[v]) for v in TORCHRUN_VARIABLES)
        if not 0 <= rank < world:
            raise ValueError(f"RANK={rank} must lie in 0..WORLD_SIZE-1={world - 1}")
        return cls(rank, local, world)


def launched_by_torchrun() -> bool:
    """Whether torchrun (or another launcher setting its variables) started this process."""
    return all(v in os.environ for v in TORCHRUN_VARIABLES)


def backend_for(device: torch.device | str) -> str:
    """NCCL between CUDA GPUs, gloo between CPU processes.

    >>> backend_for("cuda"), backend_for("cpu")
    ('nccl', 'gloo')
    """
    return "nccl" if torch.device(device).type == "cuda" else "gloo"


def rank_device(device: torch.device | str, local_rank: int) -> torch.device:
    """Rank ``local_rank``'s device: its own GPU on a CUDA machine, else ``device`` itself.

    >>> rank_device("cuda", 3), rank_device("cpu", 3)
    (device(type='cuda', index=3), device(type='cpu'))
    """
    device = torch.device(device)
    return torch.device("cuda", local_rank) if device.type == "cuda" else device


def per_rank_batch(global_batch: int, world_size: int) -> int:
    """The share of each rank, so that the ranks' shares add up to ``global_batch``."""
    if world_size < 1 or global_batch % world_size:
        raise ValueError(f"batch_size {global_batch} must split evenly over world_size "
                         f"{world_size} processes (choose a multiple of {world_size})")
    return global_batch // world_size


def sharded_batches(dataset, batch_size: int, launch: Launch, *, device: torch.device,
                    image_size: int, channels: int = 1, shuffle: bool = False, seed: int = 0):
    """Rank ``launch.rank``'s batches of ``dataset``.

    Training (``shuffle=True``) uses ``DistributedSampler``, which repeats a few images when the
    set does not split evenly, so that every rank takes the same number of steps. Evaluation
    deals out indices without padding, so every test image counts exactly once.
    """
    if shuffle:
        sampler = DistributedSampler(dataset, num_replicas=launch.world_size, rank=launch.rank,
                                     shuffle=True, seed=seed)
    else:
        sampler = range(launch.rank, len(dataset), launch.world_size)
    return batches(dataset, batch_size, device=device, image_size=image_size, channels=channels,
                   sampler=sampler)


def _sum_over_ranks(values: torch.Tensor, distributed: bool) -> torch.Tensor:
    if distributed:
        dist.all_reduce(values)  # default op: SUM, in place, identical result on every rank
    return values


@torch.no_grad()
def _evaluate(model, test_batches, config: TrainConfig, distributed: bool, dev) -> dict[str, float]:
    """Loss, top-1, top-5 over the whole test set: each rank scores its share, then sums."""
    logits, targets = predict(model, test_batches, config.amp, config.channels_last)
    top1, top5 = topk_correct(logits, targets, (1, 5)).double()
    loss = F.cross_entropy(logits, targets, reduction="sum").double()
    count = torch.tensor(len(targets), dtype=torch.double)
    loss, top1, top5, n = _sum_over_ranks(torch.stack([loss, top1, top5, count]).to(dev),
                                          distributed).tolist()
    return {"loss": loss / n, "top1": top1 / n, "top5": top5 / n}


def _seed_dropout(seed: int, epoch: int, rank: int) -> None:
    """Dropout masks differ between ranks (they see different images) and are reproducible
    from (seed, epoch, rank) alone, whatever ran before: a resumed run draws the same ones."""
    torch.manual_seed((seed * 1_000_003 + epoch) * 1_000_003 + rank)


def _start(launch: Launch, dev: torch.device) -> bool:
    """Join the process group torchrun prepared (rendezvous from MASTER_ADDR / MASTER_PORT)."""
    if not launched_by_torchrun() or dist.is_initialized():
        return False
    if dev.type == "cuda":
        torch.cuda.set_device(dev)
    dist.init_process_group(backend_for(dev), rank=launch.rank, world_size=launch.world_size)
    return True


def fit_distributed(model: torch.nn.Module, train_data, test_data, config: TrainConfig, *,
                    image_size: int, device: torch.device | str | None = None,
                    checkpoint_dir: str | Path | None = None, resume: bool = False,
                    progress: bool = True) -> History:
    """:func:`alexnet_course.train.fit` on every process torchrun started.

    Every epoch is the same :func:`~alexnet_course.train.run_epoch` as ``fit``'s, on the DDP
    model. ``config.batch_size`` is the *global* batch; each rank takes its share. The
    returned history is the same on every rank (losses and accuracies are summed over ranks
    every ``config.log_every`` steps, where a NaN on any rank stops all of them);
    ``train_images_per_s`` counts the images of all ranks. Outside torchrun it runs the same
    loop in one process, without DDP.
    """
    launch = Launch.from_env()
    dev = rank_device(device if device is not None else devices.device(), launch.local_rank)
    started = _start(launch, dev)
    distributed = dist.is_initialized()
    if distributed:  # a process group made by the caller decides the ranks
        launch = Launch(dist.get_rank(), launch.local_rank, dist.get_world_size())
    try:
        with _claim(checkpoint_dir, resume, launch) as ckpt:
            return _fit(model, train_data, test_data, config, launch, dev, distributed, ckpt,
                        image_size=image_size, resume=resume, progress=progress and launch.rank == 0)
    finally:
        if started:
            dist.destroy_process_group()


def _claim(checkpoint_dir, resume: bool, launch: Launch):
    """Rank 0 alone writes the checkpoint, so it alone claims (checks and locks) the folder; a
    refusal there ends the job, as torchrun stops the other ranks when one fails."""
    if launch.rank == 0 or checkpoint_dir is None:
        return run_folder(checkpoint_dir, resume=resume)
    return nullcontext(Path(checkpoint_dir) / CHECKPOINT_NAME)


def _fit(model, train_data, test_data, config: TrainConfig, launch: Launch, dev: torch.device,
         distributed: bool, ckpt: Path | None, *, image_size: int, resume: bool,
         progress: bool) -> History:
    prepare_model(model, config, dev, resume)
    share = per_rank_batch(config.batch_size, launch.world_size)
    kwargs = dict(device=dev, image_size=image_size, channels=input_channels(model))
    train_batches = sharded_batches(train_data, share, launch, shuffle=True, seed=config.seed, **kwargs)
    test_batches = sharded_batches(test_data, share, launch, **kwargs)
    optimizer, scheduler, per_step, scaler, history, start = training_state(
        model, config, dev, len(train_batches), ckpt, resume)
    # DDP copies rank 0's weights to every rank, then averages gradients during backward.
    ddp = DistributedDataParallel(model, device_ids=[dev] if dev.type == "cuda" else None) \
        if distributed else model
    step_model = torch.compile(ddp) if config.compile else ddp
    sum_over_ranks = partial(_sum_over_ranks, distributed=distributed)
    bar = training_bar(config, start, len(train_batches), progress)
    try:
        for epoch in range(start, config.epochs + 1):
            bar.set_description(f"epoch {epoch}/{config.epochs} × {launch.world_size} processes")
            train_batches.set_epoch(epoch)
            _seed_dropout(config.seed, epoch, launch.rank)
            began = time.perf_counter()
            # The step losses and counts are summed over the ranks, so every rank logs the same
            # figures and stops at the same step when a loss turns NaN on any of them.
            trained = run_epoch(step_model, train_batches, optimizer, scaler, config, epoch=epoch,
                                history=history, scheduler=scheduler if per_step else None, bar=bar,
                                world_size=launch.world_size, sum_over_ranks=sum_over_ranks)
            test = _evaluate(model, test_batches, config, distributed, dev)
            if not per_step:
                scheduler.step(1 - test["top1"])
            with interrupts_deferred():  # the epoch is logged and saved, or neither
                history.log_epoch(**epoch_row(epoch, optimizer, trained, test, began),
                                  world_size=launch.world_size)
                if ckpt is not None and launch.rank == 0:  # one writer; every rank holds the same state
                    save_run(ckpt, model, optimizer, scheduler, scaler, config, epoch, history)
            bar.set_postfix(loss=f"{trained.loss:.3f}", test_acc=f"{test['top1']:.3f}")
            if distributed:
                dist.barrier()  # no rank races ahead of (or reads) a checkpoint being written
    except KeyboardInterrupt:
        bar.close()
        raise Interrupted(history, ckpt) from None
    bar.close()
    return history
