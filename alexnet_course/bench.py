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

from dataclasses import dataclass, replace

import torch
from torch.utils.data import DataLoader

from . import data, devices, loaders, train
from .counting import count_layers
from .models import get_model
from .throughput import bare_step, images_per_second

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


def bare_loop(model, dataset, case: Case, device, steps: int, warmup: int) -> float:
    """Images/s of the textbook loop (per-image CPU transform, fp32, a sync every step).

    ``dataset`` must already carry the per-image transform to ``case.image_size``.
    """
    loader = DataLoader(dataset, case.batch_size, shuffle=True, num_workers=2,
                        generator=torch.Generator().manual_seed(0))
    return images_per_second(bare_step(model, device), loader, case.batch_size, device, steps, warmup)


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
