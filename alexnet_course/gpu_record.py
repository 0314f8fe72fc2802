"""The GPU record: ``alexnet-course bench gpu --out DIR`` (``make gpu-results``) measures, in one
run on one CUDA device, what the course claims about the full network on a GPU, and writes it
under ``DIR``, one JSON per measurement (each file written as soon as its part ends):

(a) ``gpu_train_step.json``: training images/s of full AlexNet (torchvision's, 1 × 224 × 224)
    in three loops on the same images, in the same run, and their ratios: the course's
    (``train_step`` with bf16 autocast, ``channels_last``, ``torch.compile``, batches prepared
    on the device), a bare fp32 eager loop on those batches, and the textbook loop (a
    DataLoader resizing every image on the CPU, fp32). With MFU against the device's dense bf16
    peak: achieved FLOP/s over peak, a training step counted as 6 × the forward multiply-adds.
(b) ``gpu_d2l_vs_ours.json``: d2l's recipe (its AlexNet chapter: plain SGD at 0.01, batches of
    128, pixels in [0, 1], PIL resize in loader workers) against the course's (``alexnet("d2l")``
    through ``train.fit``, the modern recipe, the fast path) on the same Fashion-MNIST images at
    224 for the same number of epochs: test accuracy and images/s of each.
(c) ``gpu_alexnet_fashion_mnist_224.json`` and ``.png``: the ``gpu`` profile's network trained for
    its 10 epochs on Fashion-MNIST at 224, the per-epoch curve (``train.fit``'s History).

Every file names the device, the versions and the command. One budget of seconds is shared by
the parts: each part's cap is its share of the time left, and a part that would overrun stops
early and says so (``stopped_early``), so the command cannot run away on a slow device.

Without CUDA the command refuses (:class:`GPURequired`); ``sizes=TINY`` runs the same code on
narrow networks (1/16 of the channels) and a few dozen images, which the tests do on the CPU in
seconds. Its figures are no record (every file says ``"tiny": true``).

>>> mfu(1000.0, 2e9, 1.2e16)  # 1,000 img/s × 6 × 2 GMAC on a 12 PFLOP/s peak
0.001
"""

from __future__ import annotations

import copy
import datetime
import json
import math
import platform
import statistics
import time
import traceback
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, RandomSampler

from . import data, devices, profiles, train
from .counting import count_layers
from .history import History
from .loaders import batches, forever
from .models import get_model
from .models.alexnet import VARIANTS, scaled
from .throughput import bare_step, course_step, interleaved_runs, median_and_spread

__all__ = ["Sizes", "FULL", "TINY", "GPURequired", "check_device", "mfu", "TimeBudget", "Cap",
           "course_config", "chapter_net", "run_d2l_transcribed", "train_step_part", "d2l_part",
           "curve_part", "plot_curve", "record", "outcome", "format_summary", "FILES"]

FILES = {"train_step": "gpu_train_step.json", "d2l": "gpu_d2l_vs_ours.json",
         "curve": "gpu_alexnet_fashion_mnist_224.json"}
MODEL = profiles.profile("gpu").model  # full AlexNet, torchvision's: the gpu profile trains it
# d2l's chapter: plain SGD (no momentum, no weight decay) at this rate, batches of 128.
D2L_LR, D2L_BATCH = 0.01, 128


@dataclass(frozen=True)
class Sizes:
    """What the record measures, and the seconds it may take."""

    width: float = 1.0  # channels of every network × this (1: the real networks)
    image_size: int = 224
    batch: int = profiles.profile("gpu").batch_size  # (a) and (c); d2l's is its own 128
    steps: int = 30  # (a): timed steps per window
    warmup: int = 5  # (a): untimed steps first (torch.compile compiles here)
    repeats: int = 5  # (a): timed windows per loop, the loops interleaved
    workers: int = 4  # DataLoader workers of the textbook loop (a) and of d2l's loader (b), as d2l
    d2l_epochs: int = 10  # (b): d2l's chapter trains 10
    curve_epochs: int = profiles.profile("gpu").epochs  # (c)
    train_images: int | None = None  # (b) and (c); None: all 60,000
    test_images: int | None = None  # None: all 10,000
    seconds: float = 450.0  # the whole record's budget (8 minutes less start-up and margin)
    tiny: bool = False


FULL = Sizes()
TINY = Sizes(width=1 / 16, batch=8, steps=2, warmup=1, repeats=2, workers=0, d2l_epochs=2,
             curve_epochs=2, train_images=40, test_images=20, seconds=300.0, tiny=True)


class GPURequired(RuntimeError):
    """The full record was asked for on a machine without CUDA."""


def check_device(device: torch.device, sizes: Sizes) -> None:
    """Refuse the full record anywhere but on a CUDA device: its figures would not be a GPU's.

    >>> check_device(torch.device("cpu"), TINY)  # the tiny run goes anywhere
    """
    if device.type != "cuda" and not sizes.tiny:
        raise GPURequired(f"the GPU record needs a CUDA GPU, and this run would use "
                          f"{devices.describe(device)}; run it on a CUDA machine (make gpu-results), "
                          "or add --tiny to try the same code here at toy sizes (its figures are no record)")


def mfu(images_per_s: float, forward_macs: float, peak: float | None) -> float | None:
    """Model FLOP utilisation: training FLOP/s achieved over the device's peak, one image's
    step counted as 6 × its forward multiply-adds (a multiply-add is 2 FLOPs; the backward
    pass costs two forwards). None when the peak is unknown."""
    return images_per_s * 6 * forward_macs / peak if peak else None


@dataclass
class Cap:
    """A part's seconds, counted from its start."""

    seconds: float
    began: float = field(default_factory=time.perf_counter)

    def elapsed(self) -> float:
        return time.perf_counter() - self.began

    def would_overrun(self, next_seconds: float = 0.0) -> bool:
        """Whether work taking ``next_seconds`` more would end past the cap."""
        return self.elapsed() + next_seconds > self.seconds


class TimeBudget:
    """One budget of seconds for the parts, spent in order: each part may use its share of
    what the earlier parts left, so time one part saves goes to the next.

    >>> round(TimeBudget(700).share("train_step"))  # 700 s × 1.5 / (1.5 + 2 + 1.5 + 2)
    150
    """

    # (a) and the course's side of (b) are mostly compilation; d2l's loop and (c) mostly training.
    SHARES = {"train_step": 1.5, "d2l": 2.0, "ours": 1.5, "curve": 2.0}

    def __init__(self, seconds: float):
        self.seconds, self.began = seconds, time.perf_counter()

    def share(self, part: str) -> float:
        parts = list(self.SHARES)
        later = sum(self.SHARES[p] for p in parts[parts.index(part):])
        left = max(0.0, self.seconds - (time.perf_counter() - self.began))
        return left * self.SHARES[part] / later

    def cap(self, part: str) -> Cap:
        return Cap(self.share(part))


def compile_problem(device: torch.device) -> str | None:
    """None when ``torch.compile`` works on ``device`` (CUDA only: the course compiles there), else
    why not. Tried on a one-line function first, so that a machine without a C compiler or Triton
    loses the compiled loop, not the whole record."""
    if device.type != "cuda":
        return f"the course compiles only on CUDA, and this is {device.type}"
    try:
        torch.compile(lambda x: x * 2 + 1)(torch.ones(8, device=device))
    except Exception as err:  # noqa: BLE001 (any failure: inductor, Triton, the C compiler)
        return f"torch.compile failed here ({type(err).__name__}: {str(err)[:300]})"
    return None


def course_config(device: torch.device, compiled: bool, **overrides) -> train.TrainConfig:
    """The modern recipe with the course's options for ``device`` (``train.device_options``):
    on CUDA half-precision autocast (bf16, or fp16 where the GPU has no bf16 units) and
    ``torch.compile`` (``compiled``: when compiling works there); ``channels_last`` everywhere."""
    return replace(train.recipe("modern"), **train.device_options(device, compiled), **overrides)


def _options(config: train.TrainConfig) -> dict:
    return {"amp": config.amp, "channels_last": config.channels_last, "compile": config.compile}


def _tidy(value):
    """Floats to 6 significant digits, all the way down (the JSON stays readable)."""
    if isinstance(value, float):
        return float(f"{value:.6g}") if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _tidy(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_tidy(v) for v in value]
    return value


# --- (a) the training step, three loops --------------------------------------------


def train_step_part(sizes: Sizes, device: torch.device, peak: float | None, cap: Cap,
                    compiled: bool = True) -> dict:
    """Part (a): images/s of the three loops, ``sizes.repeats`` timed windows each (the loops
    interleaved, so that drift hits all three), the median and its spread; the ratios of the
    medians; MFU. Fewer windows when the next round would pass the cap (at least one)."""
    size, batch = sizes.image_size, sizes.batch
    # Ten batches' worth of images, a whole number of batches: no ragged batch, no recompile.
    dataset = data.fashion_mnist("train", "gpu", samples=10 * batch, image_size=size)
    config = course_config(device, compiled, batch_size=batch)

    def fresh():
        torch.manual_seed(0)
        return get_model(MODEL, num_classes=10, in_channels=1, width=sizes.width).to(device)

    def on_device():
        return forever(batches(dataset, batch, device=device, image_size=size, shuffle=True))

    # Sampled with replacement: one pass of exactly the batches the windows draw. Its workers fill
    # their queue while the other loops are timed, which if anything flatters the textbook loop.
    draws = batch * (sizes.warmup + sizes.steps * sizes.repeats)
    textbook = DataLoader(dataset, batch, sampler=RandomSampler(dataset, replacement=True, num_samples=draws),
                          num_workers=sizes.workers, generator=torch.Generator().manual_seed(0))
    loops = {"ours": (course_step(fresh(), config), on_device()),
             "bare": (bare_step(fresh(), device), on_device()),
             "textbook": (bare_step(fresh(), device), iter(textbook))}
    runs = interleaved_runs(loops, batch, device, sizes.steps, sizes.repeats, sizes.warmup,
                            would_overrun=cap.would_overrun)
    with torch.device("meta"):  # shapes only
        macs = count_layers(get_model(MODEL, num_classes=10, in_channels=1, width=sizes.width),
                            (1, size, size)).macs
    summaries = {name: median_and_spread(r) for name, r in runs.items()}
    medians = {name: summary["median"] for name, summary in summaries.items()}
    options = {"ours": {**_options(config), "batches": "prepared on the device (loaders.batches)",
                        "optimizer": "the modern recipe's (fused SGD, Nesterov momentum 0.9)"},
               "bare": {"amp": None, "channels_last": False, "compile": False,
                        "batches": "the same as ours", "loss_read_every_step": True,
                        "optimizer": "SGD, momentum 0.9"},
               "textbook": {"amp": None, "channels_last": False, "compile": False,
                            "batches": f"a DataLoader, {sizes.workers} workers, each image resized on "
                                       "the CPU",
                            "loss_read_every_step": True, "optimizer": "SGD, momentum 0.9"}}
    ratio = medians["ours"] / medians["bare"]
    ours_mfu = mfu(medians["ours"], macs, peak)
    return {
        "what": f"(a) training images/s of {MODEL} at 1x{size}x{size}, batch {batch}: the course's loop "
                "against a bare fp32 eager loop and the textbook DataLoader loop, same images, same run",
        "model": MODEL, "input": f"1x{size}x{size}", "batch": batch, "repeats": len(runs["ours"]),
        "forward_macs_per_image": macs,
        "train_flops_per_image": 6 * macs,
        "loops": {name: {"options": options[name], "images_per_s": medians[name],
                         "images_per_s_runs": runs[name], "spread": summaries[name]["spread"],
                         "mfu": mfu(medians[name], macs, peak)} for name in loops},
        "ratio": ratio, "ratio_vs_textbook": medians["ours"] / medians["textbook"], "mfu": ours_mfu,
        "goals": {"ratio_at_least_3": ratio >= 3,
                  "mfu_at_least_30_percent": None if ours_mfu is None else ours_mfu >= 0.30},
        "test_top1_final": None, "seconds": cap.elapsed(), "budget_s": cap.seconds,
        "stopped_early": len(runs["ours"]) < sizes.repeats,
    }


# --- (b) d2l's recipe against the course's ----------------------------------------


def chapter_layers(width: float = 1.0, num_classes: int = 10) -> nn.Sequential:
    """d2l's chapter AlexNet, layer for layer, its layers still lazy (sized by the first batch);
    ``width`` narrows it as ``alexnet("d2l", width=...)``. ``experiments.relatives.d2l_chapter_net``
    is this with d2l's initialiser applied (which does nothing to lazy layers).

    >>> [type(m).__name__ for m in chapter_layers()][:3]
    ['LazyConv2d', 'ReLU', 'MaxPool2d']
    """
    config = scaled(VARIANTS["d2l"], width)
    c1, c2, c3, c4, c5 = config.widths
    return nn.Sequential(
        nn.LazyConv2d(c1, kernel_size=11, stride=4, padding=1), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.LazyConv2d(c2, kernel_size=5, padding=2), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.LazyConv2d(c3, kernel_size=3, padding=1), nn.ReLU(),
        nn.LazyConv2d(c4, kernel_size=3, padding=1), nn.ReLU(),
        nn.LazyConv2d(c5, kernel_size=3, padding=1), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2), nn.Flatten(),
        nn.LazyLinear(config.hidden), nn.ReLU(), nn.Dropout(p=0.5),
        nn.LazyLinear(config.hidden), nn.ReLU(), nn.Dropout(p=0.5),
        nn.LazyLinear(num_classes))


def chapter_net(width: float = 1.0, num_classes: int = 10, image_size: int = 224) -> nn.Sequential:
    """:func:`chapter_layers` with its lazy layers materialised by one blank image.

    >>> sum(p.numel() for p in chapter_net().parameters())
    46764746
    """
    net = chapter_layers(width, num_classes)
    with torch.no_grad():
        net(torch.zeros(1, 1, image_size, image_size))
    return net


def run_d2l_transcribed(net: nn.Module, train_data, test_data, *, epochs: int, image_size: int,
                        num_workers: int, device=None) -> dict:
    """d2l 1.0.3's recipe as its code runs it, for machines without the ``d2l`` package (which
    needs pandas, scipy, matplotlib and IPython): ``Trainer.fit`` (a validation pass after every
    epoch, timed with it), ``Classifier``'s loss and accuracy, ``configure_optimizers`` (plain SGD
    at 0.01), ``FashionMNIST.get_dataloader`` (batches of 128, the training loader shuffled,
    ``num_workers`` workers, PIL resize to [0, 1] pixels), and its progress board's read of every
    loss to the host. Arguments and result as ``experiments.relatives.run_d2l``'s;
    tests/test_gpu_record.py checks that the two train the same weights."""
    from torchvision import transforms

    cuda = (device is None or torch.device(device).type == "cuda") and torch.cuda.is_available()
    dev = torch.device("cuda" if cuda else "cpu")  # d2l's Trainer(num_gpus=1) or (num_gpus=0)
    resize = transforms.Compose([transforms.ToPILImage(), transforms.Resize((image_size, image_size)),
                                 transforms.ToTensor()])
    train_set, test_set = copy.copy(train_data), copy.copy(test_data)  # same images, d2l's transform
    train_set.transform = test_set.transform = resize

    def loader(dataset, shuffle: bool) -> DataLoader:
        return DataLoader(dataset, D2L_BATCH, shuffle=shuffle, num_workers=num_workers)

    def passes(batch_iter):
        for x, y in batch_iter:
            yield net(x.to(dev)), y.to(dev)

    net.to(dev)
    optimizer = torch.optim.SGD(net.parameters(), lr=D2L_LR)
    train_loader, val_loader = loader(train_set, True), loader(test_set, False)
    began = time.perf_counter()
    for _ in range(epochs):
        net.train()
        for logits, y in passes(train_loader):
            loss = F.cross_entropy(logits, y)
            loss.detach().cpu()  # the board's read: a wait for the device every step
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        net.eval()
        with torch.no_grad():
            for logits, y in passes(val_loader):  # the board reads each batch's validation
                F.cross_entropy(logits, y).cpu()  # loss
                (logits.argmax(1) == y).float().mean().cpu()  # and accuracy
    seconds = time.perf_counter() - began
    correct = loss = 0.0
    with torch.no_grad():
        for logits, y in passes(loader(test_set, False)):
            correct += (logits.argmax(1).type(y.dtype) == y).float().sum().item()
            loss += F.cross_entropy(logits, y, reduction="sum").item()
    return {"test_top1": correct / len(test_data), "test_loss": loss / len(test_data),
            "seconds": seconds, "images_per_s": epochs * len(train_data) / seconds}


class _OutOfTime(Exception):
    """An epoch callback's way to end ``train.fit`` at a cap (the callback keeps the history)."""


def _fit_within(cap: Cap, model, train_data, test_data, config: train.TrainConfig, *,
                image_size: int, device: torch.device):
    """``train.fit`` that stops after the epoch past which the next would end beyond ``cap``
    (judged by the last epoch's seconds; the first, which compiles, stops it only once past the
    cap). Returns the History and the seconds of the whole call (the data onto the device,
    compilation, training and every evaluation)."""
    kept = {}

    def on_epoch(history):
        kept["history"] = history
        rows = history.epochs
        if len(rows) < config.epochs and cap.would_overrun(rows[-1]["seconds"] if len(rows) > 1 else 0.0):
            raise _OutOfTime

    began = time.perf_counter()
    try:
        history = train.fit(model, train_data, test_data, config, image_size=image_size, device=device,
                            progress=False, on_epoch=on_epoch)
    except _OutOfTime:
        history = kept["history"]
    return history, time.perf_counter() - began


def _d2l_code(run) -> dict:
    """Whose code trained d2l's side, and the d2l package's version when it is installed."""
    from importlib import metadata

    try:
        version = metadata.version("d2l")
    except metadata.PackageNotFoundError:
        version = None
    return {"code": f"{run.__module__}.{run.__qualname__}", "d2l_package": version}


def d2l_part(sizes: Sizes, device: torch.device, budget: TimeBudget, train_data, test_data,
             d2l_run=None, compiled: bool = True) -> dict:
    """Part (b): d2l's recipe, epoch by epoch (plain SGD keeps no state between epochs, so this
    is its multi-epoch run) until ``sizes.d2l_epochs`` or its cap; then the course's recipe on
    ``alexnet("d2l")`` for the same epochs of the same images. ``d2l_run``: the function that
    trains d2l's side (``experiments.relatives.run_d2l``, d2l's own code, where the command can
    import it), :func:`run_d2l_transcribed` by default."""
    run = d2l_run or run_d2l_transcribed
    size, images = sizes.image_size, len(train_data)
    cap = budget.cap("d2l")
    torch.manual_seed(0)
    net = chapter_net(sizes.width, image_size=size)
    epochs, wall = [], 0.0
    while len(epochs) < sizes.d2l_epochs and not (epochs and cap.would_overrun(wall)):
        began = time.perf_counter()
        result = run(net, train_data, test_data, epochs=1, image_size=size, num_workers=sizes.workers,
                     device=device)
        wall = time.perf_counter() - began
        epochs.append({"epoch": len(epochs) + 1, **result})
    d2l_seconds = sum(e["seconds"] for e in epochs)
    d2l = {**_d2l_code(run), "network": "d2l's chapter AlexNet (gpu_record.chapter_net)",
           "recipe": {"optimizer": "SGD", "lr": D2L_LR, "momentum": 0.0, "weight_decay": 0.0,
                      "batch_size": D2L_BATCH, "pixels": "[0, 1]", "loader_workers": sizes.workers},
           "per_epoch": epochs, "test_top1": epochs[-1]["test_top1"], "test_loss": epochs[-1]["test_loss"],
           "seconds": d2l_seconds, "images_per_s": len(epochs) * images / d2l_seconds,
           "stopped_early": len(epochs) < sizes.d2l_epochs, "budget_s": cap.seconds}

    ours_cap = budget.cap("ours")
    torch.manual_seed(0)
    model = get_model("alexnet-d2l", width=sizes.width)
    config = course_config(device, compiled, epochs=len(epochs))
    history, seconds = _fit_within(ours_cap, model, train_data, test_data, config, image_size=size,
                                   device=device)
    done = len(history.epochs)
    ours = {"network": "alexnet-d2l", "recipe": asdict(config), "per_epoch": history.epochs,
            "test_top1": history.last("test_top1"), "test_loss": history.last("test_loss"),
            "seconds": seconds, "images_per_s": done * images / seconds,
            "stopped_early": done < len(epochs), "budget_s": ours_cap.seconds}
    speed = ours["images_per_s"] / d2l["images_per_s"]
    return {
        "what": f"(b) d2l's AlexNet recipe against the course's on the same Fashion-MNIST images at "
                f"{size} px, the same epochs: test top-1 and images/s (first batch to last evaluation)",
        "image_size": size, "train_images": images, "test_images": len(test_data),
        "epochs_planned": sizes.d2l_epochs, "epochs_done": len(epochs), "same_images": done == len(epochs),
        "d2l": d2l, "ours": ours,
        "accuracy_difference": ours["test_top1"] - d2l["test_top1"], "speed_ratio": speed,
        "goals": {"beats_d2l_accuracy": ours["test_top1"] > d2l["test_top1"],
                  "speed_at_least_5x": speed >= 5},
        "test_top1_final": ours["test_top1"], "seconds": d2l_seconds + seconds,
        "budget_s": cap.seconds + ours_cap.seconds,
        "stopped_early": d2l["stopped_early"] or ours["stopped_early"],
    }


# --- (c) the full network's curve ---------------------------------------------------


def curve_part(sizes: Sizes, device: torch.device, cap: Cap, train_data, test_data,
               compiled: bool = True) -> tuple[dict, History]:
    """Part (c): the gpu profile's network, modern recipe and fast path, ``sizes.curve_epochs``
    epochs (fewer if the cap would pass), one History row per epoch."""
    torch.manual_seed(0)
    model = get_model(MODEL, num_classes=10, in_channels=1, width=sizes.width)
    config = course_config(device, compiled, epochs=sizes.curve_epochs, batch_size=sizes.batch)
    history, seconds = _fit_within(cap, model, train_data, test_data, config,
                                   image_size=sizes.image_size, device=device)
    done = len(history.epochs)
    rates = history.column("train_images_per_s")
    steady = rates[1:] or rates  # the first epoch compiles
    return {
        "what": f"(c) {MODEL} trained on Fashion-MNIST at {sizes.image_size} px for {done} epochs "
                "(the modern recipe, the course's fast path): the per-epoch curve",
        "model": MODEL, "image_size": sizes.image_size, "train_images": len(train_data),
        "test_images": len(test_data), "recipe": asdict(config),
        "epochs_planned": sizes.curve_epochs, "epochs_done": done, "history": history.to_dict(),
        "test_top1_final": history.last("test_top1"), "test_top5_final": history.last("test_top5"),
        "best_test_top1": max(history.column("test_top1")),
        "train_images_per_s_median": statistics.median(steady), "seconds": seconds,
        "budget_s": cap.seconds, "stopped_early": done < sizes.curve_epochs,
    }, history


def plot_curve(history: History, path: Path, title: str) -> str | None:
    """The per-epoch losses and top-1 as a PNG at ``path``; None, or why there is none
    (matplotlib missing: the JSON holds every number the figure would show)."""
    try:
        from matplotlib.figure import Figure  # no pyplot: no global backend switched
    except ImportError as err:
        return f"no PNG: matplotlib is not installed here ({err})"
    epochs = history.column("epoch")
    fig = Figure(figsize=(9, 3.6), layout="constrained")
    loss, top1 = fig.subplots(1, 2)
    for split in ("train", "test"):
        loss.plot(epochs, history.column(f"{split}_loss"), marker="o", label=split)
        top1.plot(epochs, [100 * v for v in history.column(f"{split}_top1")], marker="o", label=split)
    loss.set(xlabel="epoch", ylabel="cross-entropy")
    top1.set(xlabel="epoch", ylabel="top-1 (%)")
    for axes in (loss, top1):
        axes.set_xticks(epochs)
        axes.legend()
        axes.grid(alpha=0.3)
    fig.suptitle(title)
    fig.savefig(path, dpi=110)
    return None


# --- the record ----------------------------------------------------------------------


def header(device: torch.device, sizes: Sizes, peak: float | None, command: str | None,
           compile_note: str | None) -> dict:
    """What every file of the record starts with: where, with what, by which command."""
    import torchvision

    cuda = device.type == "cuda"
    return {
        "measured": datetime.date.today().isoformat(),
        "hardware": torch.cuda.get_device_name(device) if cuda else devices.describe(device),
        "device": devices.describe(device),
        "versions": {"python": platform.python_version(), "torch": torch.__version__,
                     "torchvision": torchvision.__version__, "cuda": torch.version.cuda,
                     "cudnn": torch.backends.cudnn.version() if cuda else None},
        # fp32 convolutions use TF32 tensor cores when this is on (PyTorch's default): the bare loop's
        # "fp32" is that.
        "settings": {"cudnn_allow_tf32": torch.backends.cudnn.allow_tf32,
                     "float32_matmul_precision": torch.get_float32_matmul_precision(),
                     "cudnn_benchmark": torch.backends.cudnn.benchmark},
        "peak_bf16_flops": peak, "compile_note": compile_note,
        "command": command, "tiny": sizes.tiny, "sizes": asdict(sizes),
    }


def _write(out: Path, name: str, record: dict) -> None:
    (out / name).write_text(json.dumps(_tidy(record), indent=1, ensure_ascii=False) + "\n")


def record(out: str | Path, *, sizes: Sizes = FULL, device=None, peak: float | None = None,
           d2l_run=None, command: str | None = None, say=print) -> dict[str, dict]:
    """Measure (a), (b) and (c) on ``device`` (default: the best there is) and write them under
    ``out``; returns {file name: its record}. ``peak``: the device's dense bf16 FLOP/s (the
    command passes ``bench.peak_flops``); ``d2l_run``: see :func:`d2l_part`; ``say`` reports
    progress. Refuses (:class:`GPURequired`) without CUDA unless ``sizes.tiny``. A part that fails
    is recorded with its ``error`` and the next part runs: one missing kernel or package must
    not cost the others on a machine lent for minutes."""
    device = torch.device(device) if device is not None else devices.device()
    check_device(device, sizes)
    budget = TimeBudget(sizes.seconds)
    # The gpu profile's splits: None means every image, whatever ALEXNET_COURSE_PROFILE says.
    train_data = data.fashion_mnist("train", "gpu", samples=sizes.train_images, image_size=sizes.image_size)
    test_data = data.fashion_mnist("test", "gpu", samples=sizes.test_images, image_size=sizes.image_size)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    compile_note = compile_problem(device)
    compiled = compile_note is None
    top = header(device, sizes, peak, command, compile_note)
    say(f"GPU record on {top['device']}, torch {torch.__version__}, budget {sizes.seconds:.0f} s"
        + (", tiny sizes (no record)" if sizes.tiny else ""))
    parts = {
        "train_step": ("(a) training step: the course's loop, a bare fp32 loop, the textbook loop",
                       lambda: train_step_part(sizes, device, peak, budget.cap("train_step"), compiled)),
        "d2l": ("(b) d2l's recipe against the course's",
                lambda: d2l_part(sizes, device, budget, train_data, test_data, d2l_run, compiled)),
        "curve": ("(c) full AlexNet, per-epoch curve",
                  lambda: _curve_and_png(sizes, device, budget.cap("curve"), train_data, test_data,
                                         compiled, out, top["hardware"])),
    }
    records = {}
    for part, (title, measure) in parts.items():
        say(title)
        torch.compiler.reset()  # each part compiles its own networks: none meets dynamo's recompile limit
        try:
            result = measure()
        except Exception as err:  # noqa: BLE001 (recorded, and the next part runs)
            result = {"what": title, "error": f"{type(err).__name__}: {err}",
                      "traceback": traceback.format_exc(limit=-6), "test_top1_final": None}
        name = FILES[part]
        records[name] = {"what": result.pop("what"), **top, **result}
        _write(out, name, records[name])
        say(f"  wrote {out / name} ({outcome(result)})")
    return records


def _curve_and_png(sizes: Sizes, device: torch.device, cap: Cap, train_data, test_data, compiled: bool,
                   out: Path, hardware: str) -> dict:
    """Part (c) and its figure, next to its JSON."""
    curve, history = curve_part(sizes, device, cap, train_data, test_data, compiled)
    png = Path(FILES["curve"]).with_suffix(".png").name
    try:
        missing = plot_curve(history, out / png, f"{MODEL} on Fashion-MNIST at {sizes.image_size} px, "
                                                 f"{hardware}")
    except Exception as err:  # noqa: BLE001 (an old matplotlib, say: the numbers are kept all the same)
        missing = f"no PNG: plotting failed ({type(err).__name__}: {err})"
    return {**curve, "curve_png": None if missing else png, "curve_png_note": missing}


def outcome(result: dict) -> str:
    """'12 s of 60 s', '60 s of 60 s, stopped early' or 'failed: why'."""
    if "error" in result:
        return f"failed: {result['error']}"
    return (f"{result['seconds']:.0f} s of {result['budget_s']:.0f} s"
            + (", stopped early" if result["stopped_early"] else ""))


def format_summary(records: dict[str, dict]) -> str:
    """The record's headline figures, one line each."""
    lines = {part: f"({letter}) failed: {records[FILES[part]]['error']}"
             for part, letter in zip(FILES, "abc") if "error" in records[FILES[part]]}
    a, b, c = (records[FILES[p]] for p in FILES)
    if "train_step" not in lines:
        speed = {name: f"{loop['images_per_s']:,.0f}" for name, loop in a["loops"].items()}
        mfu_text = "MFU unknown (no peak for this device)" if a["mfu"] is None else f"MFU {a['mfu']:.1%}"
        lines["train_step"] = (f"(a) ours {speed['ours']} img/s, bare fp32 {speed['bare']}, textbook "
                               f"{speed['textbook']}: {a['ratio']:.2f}x bare, {a['ratio_vs_textbook']:.2f}x "
                               f"textbook; {mfu_text}")
    if "d2l" not in lines:
        d2l, ours = b["d2l"], b["ours"]
        lines["d2l"] = (f"(b) {b['epochs_done']} epochs: d2l top-1 {d2l['test_top1']:.4f} at "
                        f"{d2l['images_per_s']:,.0f} img/s, ours {ours['test_top1']:.4f} at "
                        f"{ours['images_per_s']:,.0f} img/s ({b['speed_ratio']:.2f}x)")
    if "curve" not in lines:
        lines["curve"] = (f"(c) {c['epochs_done']} epochs: test top-1 {c['test_top1_final']:.4f} "
                          f"(best {c['best_test_top1']:.4f}), {c['train_images_per_s_median']:,.0f} "
                          "training img/s")
    return "\n".join(lines[part] for part in FILES)
