"""Throughput: images per second of a network, timed on this machine, as ratios to a
baseline measured in the same run (lesson 10's speed columns, ``alexnet-course bench compare``).

Every network runs the same loop (fp32, plain SGD, a random batch at its native input
size), and each figure is the fastest of a few single timed steps: other processes on a
shared machine only ever slow a step down.

>>> rows = compare_bench(torch.device("cpu"), models=("lenet5",), baseline="lenet5",
...                      batch_size=2, steps=1, warmup=0)
>>> rows[0]["model"], rows[0]["train_vs_alexnet"]
('lenet5', 1.0)
"""

from __future__ import annotations

import statistics
import time

import torch
import torch.nn.functional as F

from . import devices, train
from .models import RELATIVES, get_model, native_input_size

__all__ = ["sync", "bare_step", "course_step", "images_per_second", "interleaved_runs",
           "median_and_spread", "fastest_rate", "model_throughput", "compare_bench", "format_compare"]


def sync(device: torch.device) -> None:
    """Wait for the device to finish its queued work, so that a clock reads real time."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def bare_step(model: torch.nn.Module, device: torch.device):
    """One step of the loop the write-ups write, as a function of a batch: fp32, eager, NCHW,
    SGD with momentum, the loss read back after every step (a host sync each time). The
    baseline the course's loop is measured against."""
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def step(x, y):
        x, y = x.to(device), y.to(device)
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        loss.item()

    return step


def course_step(model: torch.nn.Module, config, optimizer=None):
    """The course's training step (``train.train_step``) as a function of a batch, with
    ``config``'s options (a ``TrainConfig``): ``channels_last`` weights, ``torch.compile``,
    autocast, and loss scaling for fp16. ``optimizer`` replaces ``train.make_optimizer``'s."""
    if config.channels_last:
        model.to(memory_format=torch.channels_last)
    step_model = torch.compile(model) if config.compile else model
    optimizer = optimizer or train.make_optimizer(model, config)
    scaler = torch.amp.GradScaler(enabled=config.amp == "fp16")  # bf16 needs no loss scaling

    def step(x, y):
        train.train_step(step_model, x, y, optimizer, scaler, config)

    return step


def images_per_second(step, batches, batch_size: int, device, steps: int, warmup: int) -> float:
    """Time ``steps`` calls of ``step(x, y)`` on batches after ``warmup`` untimed ones."""
    batches = iter(batches)
    for i in range(warmup + steps):
        if i == warmup:
            sync(device)
            began = time.perf_counter()
        step(*next(batches))
    sync(device)
    return steps * batch_size / (time.perf_counter() - began)


def interleaved_runs(loops: dict, batch_size: int, device, steps: int, repeats: int,
                     warmup: int = 0, would_overrun=None) -> dict[str, list[float]]:
    """Images/s of each loop of ``loops`` (name → ``(step, batches)``, ``batches`` an iterator
    that does not run dry) in ``repeats`` timed windows of ``steps`` steps, after ``warmup``
    untimed steps each. The loops take turns window by window, so that a change in the
    machine's speed (another process, a clock) reaches all of them alike, and the windows'
    spread shows how far one figure can be trusted. ``would_overrun(seconds)``, when given, is
    asked after each round whether another round of that length would take too long; at least
    one round runs.

    >>> def step(x, y): pass
    >>> forever = _random_batches((1, 4, 4), 2, torch.device("cpu"))
    >>> runs = interleaved_runs({"a": (step, forever), "b": (step, forever)}, 2, torch.device("cpu"),
    ...                         steps=1, repeats=3)
    >>> sorted(runs), len(runs["a"])
    (['a', 'b'], 3)
    """
    for step, source in loops.values():
        for _ in range(warmup):
            step(*next(source))
    sync(device)
    runs = {name: [] for name in loops}
    for _ in range(repeats):
        began = time.perf_counter()
        for name, (step, source) in loops.items():
            runs[name].append(images_per_second(step, source, batch_size, device, steps, 0))
        if would_overrun is not None and would_overrun(time.perf_counter() - began):
            break
    return runs


def median_and_spread(runs: list[float]) -> dict:
    """``{"median", "spread": [min, max], "runs"}`` of repeated measurements.

    >>> median_and_spread([3.0, 1.0, 2.0])
    {'median': 2.0, 'spread': [1.0, 3.0], 'runs': [3.0, 1.0, 2.0]}
    """
    return {"median": statistics.median(runs), "spread": [min(runs), max(runs)], "runs": list(runs)}


def _random_batches(input_size, batch_size: int, device, num_classes: int = 10):
    """The same random batch forever: throughput does not depend on pixel values."""
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(batch_size, *input_size, generator=gen).to(device)
    y = torch.randint(0, num_classes, (batch_size,), generator=gen).to(device)
    while True:
        yield x, y


def fastest_rate(step, batches, batch_size: int, device, steps: int, warmup: int) -> float:
    """Images/s of the fastest of ``steps`` single timed steps (after ``warmup`` untimed ones):
    other processes on a shared machine only ever slow a step down."""
    batches = iter(batches)
    return max(images_per_second(step, batches, batch_size, device, 1, warmup if i == 0 else 0)
               for i in range(steps))


def model_throughput(name: str, device: torch.device, batch_size: int, steps: int,
                     warmup: int) -> dict:
    """Inference and training images/s of registry model ``name`` at its native input size,
    fp32, plain SGD, fastest of ``steps`` timed steps: the same loop for every network, so
    only the network differs."""
    torch.manual_seed(0)
    model = get_model(name, num_classes=10).to(device)
    size = native_input_size(name)
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)

    @torch.inference_mode()
    def infer(x, y):
        model(x)

    def step(x, y):
        optimizer.zero_grad(set_to_none=True)
        F.cross_entropy(model(x), y).backward()
        optimizer.step()

    model.eval()
    inference = fastest_rate(infer, _random_batches(size, batch_size, device), batch_size,
                             device, steps, warmup)
    model.train()
    training = fastest_rate(step, _random_batches(size, batch_size, device), batch_size,
                            device, steps, warmup)
    return {"model": name, "input": "x".join(map(str, size)), "batch": batch_size,
            "infer_img_s": inference, "train_img_s": training}


def compare_bench(device: torch.device | None = None, models=RELATIVES,
                  baseline: str = "alexnet-paper", batch_size: int | None = None,
                  steps: int = 3, warmup: int = 1, progress: bool = False) -> list[dict]:
    """Throughput of every model in ``models`` (and ``baseline``), measured in this run, each
    with its ratio to ``baseline``'s (above 1: faster than AlexNet)."""
    device = device or devices.device()
    batch_size = batch_size or (64 if device.type == "cuda" else 4)
    names = list(dict.fromkeys([baseline, *models]))
    if progress:
        from alexnet_course.progress import progress_bar

        names = progress_bar(names, desc="throughput", unit="model")
    rows = {n: model_throughput(n, device, batch_size, steps, warmup) for n in names}
    base = rows[baseline]
    for row in rows.values():
        row["infer_vs_alexnet"] = row["infer_img_s"] / base["infer_img_s"]
        row["train_vs_alexnet"] = row["train_img_s"] / base["train_img_s"]
    return [rows[n] for n in dict.fromkeys([*models, baseline]) if n in rows]


def format_compare(rows: list[dict], device: torch.device, baseline: str = "alexnet-paper") -> str:
    lines = [f"throughput at native input size on {devices.describe(device)}, torch {torch.__version__}"
             f" (ratios to {baseline}, same run)",
             f"{'model':22s} {'input':10s} {'batch':>5s} {'infer img/s':>12s} {'× AlexNet':>10s} "
             f"{'train img/s':>12s} {'× AlexNet':>10s}"]
    for r in rows:
        lines.append(f"{r['model']:22s} {r['input']:10s} {r['batch']:5d} {r['infer_img_s']:12.1f} "
                     f"{r['infer_vs_alexnet']:9.3f}x {r['train_img_s']:12.1f} {r['train_vs_alexnet']:9.3f}x")
    return "\n".join(lines)
