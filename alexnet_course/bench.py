"""Benchmarks: figures printed as ratios against a baseline measured in the same run.

``alexnet-course bench train-step`` times the training step of full AlexNet at 224 px and
of the small variant, two ways, on the same data and device:

* **bare**: the loop the write-ups write: a DataLoader applying the per-image transform
  (resize included) on the CPU, fp32, NCHW, ``loss.item()`` after every step;
* **ours**: the course's engine: whole split on the device as uint8, batched
  resize/normalise there, ``train_step`` with ``channels_last`` (and bf16 autocast plus
  ``torch.compile`` on CUDA), no per-step host sync.

On CUDA it also reports model FLOP utilisation (MFU): achieved training FLOPs (3 × forward,
forward = 2 × multiply-adds) over the device's dense bf16 peak.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader

from . import data, devices, loaders, train
from .counting import count_layers
from .models import get_model

# Dense bf16 tensor-core peaks from the vendors' data sheets, FLOP/s.
PEAK_BF16 = {"H200": 989e12, "H100 SXM": 989e12, "H100 80GB HBM3": 989e12, "H100 PCIe": 756e12,
             "H100": 756e12, "A100": 312e12, "L40S": 362e12, "L4": 121e12, "A10": 125e12}


def peak_flops(device: torch.device) -> float | None:
    """The device's dense bf16 peak, or None when unknown (CPUs, unlisted GPUs)."""
    if device.type != "cuda":
        return None
    name = torch.cuda.get_device_name(device)
    return next((peak for key, peak in PEAK_BF16.items() if key in name), None)


@dataclass(frozen=True)
class Case:
    model: str
    image_size: int
    batch_size: int


TRAIN_IMAGES = data.FASHION_MNIST_FILES[("train", "images")].shape[0]


def default_cases(device: torch.device) -> list[Case]:
    """Full AlexNet at 224 px (a smaller batch on a CPU) and the small variant at 32 px."""
    return [Case("alexnet-torchvision", 224, 128 if device.type == "cuda" else 16),
            Case("alexnet-small", 32, 128)]


def images_needed(steps: int, warmup: int, cases: list[Case]) -> int:
    """Training images the timed loops draw, refused (ValueError) beyond what the training
    split holds, before anything is loaded or timed."""
    batch = max(c.batch_size for c in cases)
    needed = (steps + warmup) * batch
    if needed > TRAIN_IMAGES:
        raise ValueError(f"{steps} timed + {warmup} warm-up steps of batch {batch} need "
                         f"{needed:,} training images, but Fashion-MNIST has {TRAIN_IMAGES:,}; "
                         f"steps + warm-up may be at most {TRAIN_IMAGES // batch}")
    return needed


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def images_per_second(step, batches, batch_size: int, device, steps: int, warmup: int) -> float:
    """Time ``steps`` calls of ``step(x, y)`` on batches after ``warmup`` untimed ones."""
    batches = iter(batches)
    for i in range(warmup + steps):
        if i == warmup:
            _sync(device)
            began = time.perf_counter()
        step(*next(batches))
    _sync(device)
    return steps * batch_size / (time.perf_counter() - began)


def bare_loop(model, dataset, case: Case, device, steps: int, warmup: int) -> float:
    """Images/s of the textbook loop (per-image CPU transform, fp32, a sync every step).

    ``dataset`` must already carry the per-image transform to ``case.image_size``.
    """
    loader = DataLoader(dataset, case.batch_size, shuffle=True, num_workers=2,
                        generator=torch.Generator().manual_seed(0))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def step(x, y):
        x, y = x.to(device), y.to(device)
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        loss.item()

    return images_per_second(step, loader, case.batch_size, device, steps, warmup)


def our_loop(model, dataset, case: Case, device, steps: int, warmup: int) -> float:
    """Images/s of the course's engine on the same data."""
    fast = device.type == "cuda"
    config = replace(train.recipe("modern"), amp="bf16" if fast else None, channels_last=True,
                     compile=fast, batch_size=case.batch_size)
    model.to(memory_format=torch.channels_last)
    step_model = torch.compile(model) if config.compile else model
    optimizer = train.make_optimizer(model, config)
    scaler = torch.amp.GradScaler(device.type, enabled=False)
    source = loaders.batches(dataset, case.batch_size, device=device, image_size=case.image_size,
                             shuffle=True)

    def step(x, y):
        train.train_step(step_model, x, y, optimizer, scaler, config)

    return images_per_second(step, source, case.batch_size, device, steps, warmup)


def train_step_bench(device: torch.device | None = None, steps: int = 5, warmup: int = 2,
                     cases: list[Case] | None = None) -> list[dict]:
    """Measure both loops for each case; one dict per case with the ratio ours / bare."""
    device = device or devices.device()
    cases = cases or default_cases(device)
    needed = images_needed(steps, warmup, cases)
    peak = peak_flops(device)
    rows = []
    for case in cases:
        def fresh():
            torch.manual_seed(0)
            return get_model(case.model, num_classes=10, in_channels=1)

        dataset = data.fashion_mnist("train", samples=max(needed, 1000), image_size=case.image_size)
        bare = bare_loop(fresh().to(device), dataset, case, device, steps, warmup)
        ours = our_loop(fresh().to(device), dataset, case, device, steps, warmup)
        macs = count_layers(fresh(), (1, case.image_size, case.image_size)).macs
        row = {"model": case.model, "input": f"1x{case.image_size}x{case.image_size}",
               "batch": case.batch_size, "bare_img_s": bare, "ours_img_s": ours,
               "ratio": ours / bare, "train_gflop_per_img": 6 * macs / 1e9}
        if peak:
            row["mfu_bare"] = bare * 6 * macs / peak
            row["mfu_ours"] = ours * 6 * macs / peak
        rows.append(row)
    return rows


def format_rows(rows: list[dict], device: torch.device) -> str:
    lines = [f"train-step benchmark on {devices.describe(device)}, torch {torch.__version__}",
             f"{'model':22s} {'input':10s} {'batch':>5s} {'bare img/s':>11s} {'ours img/s':>11s} "
             f"{'ours/bare':>9s}" + ("  MFU bare / ours" if rows and 'mfu_ours' in rows[0] else "")]
    for r in rows:
        line = (f"{r['model']:22s} {r['input']:10s} {r['batch']:5d} {r['bare_img_s']:11.1f} "
                f"{r['ours_img_s']:11.1f} {r['ratio']:8.2f}x")
        if "mfu_ours" in r:
            line += f"  {r['mfu_bare']:.1%} / {r['mfu_ours']:.1%}"
        lines.append(line)
    return "\n".join(lines)


# ``alexnet-course bench compare``: lesson 10's throughput columns, as ratios to AlexNet.
RELATIVES = ("lenet5", "alexnet-paper", "alexnet-torchvision", "zfnet", "vgg11", "vgg16")


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
    from .models import native_input_size

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
