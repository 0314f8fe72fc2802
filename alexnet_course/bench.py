"""Benchmarks: figures printed as ratios against a baseline measured in the same run.

``alexnet-course bench train-step`` times the training step of full AlexNet at 224 px and of
the small variant, three ways, on the same images and device:

* **ours**: the course's engine: ``train.train_step`` with the modern recipe and the options
  :func:`~alexnet_course.train.device_options` picks for the device (``channels_last``; bf16
  autocast and ``torch.compile`` on CUDA), batches prepared on the device, no per-step host sync;
* **bare**: the loop the write-ups write (fp32, eager, NCHW, SGD with momentum, the loss read
  after every step) on the same batches as ours;
* **textbook**: that bare loop fed by a DataLoader whose two workers apply the per-image
  transform (resize included) on the CPU.

``alexnet-course bench options`` says where the engine's speed comes from: the course's step
with every option off (fp32, NCHW, eager, PyTorch's default foreach SGD), then with one option
at a time (the fused SGD kernel, ``channels_last``, bf16 autocast, and with ``--compile``
``torch.compile``), each as a ratio to the all-off step. The figures that chose
:func:`~alexnet_course.train.device_options` are in ``results/``.

Each figure is the median of ``repeats`` timed windows, the loops taking turns window by
window, printed with its spread (slowest and fastest window). On CUDA MFU is added: achieved
training FLOPs (3 × forward, forward = 2 × multiply-adds) over the device's dense bf16 peak.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import torch
from torch.utils.data import DataLoader, RandomSampler

from . import data, devices, loaders, train
from .counting import count_layers
from .models import get_model
from .throughput import bare_step, course_step, interleaved_runs, median_and_spread

# Dense bf16 tensor-core peaks from the vendors' data sheets, FLOP/s; the T4's is fp16 (it has
# no bf16 units, and the course autocasts to fp16 there).
PEAK_BF16 = {"H200": 989e12, "H100 SXM": 989e12, "H100 80GB HBM3": 989e12, "H100 PCIe": 756e12,
             "H100": 756e12, "A100": 312e12, "L40S": 362e12, "L4": 121e12, "A10": 125e12,
             "T4": 65e12}


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


def images_needed(steps: int, warmup: int, cases: list[Case], repeats: int = 1) -> int:
    """Training images one loop draws, refused (ValueError) beyond what the training split
    holds, before anything is loaded or timed."""
    batch = max(c.batch_size for c in cases)
    needed = (steps * repeats + warmup) * batch
    if needed > TRAIN_IMAGES:
        raise ValueError(f"{repeats} × {steps} timed + {warmup} warm-up steps of batch {batch} need "
                         f"{needed:,} training images, but Fashion-MNIST has {TRAIN_IMAGES:,}; "
                         f"repeats × steps + warm-up may be at most {TRAIN_IMAGES // batch}")
    return needed


def _fresh(case: Case, device: torch.device) -> torch.nn.Module:
    torch.manual_seed(0)
    return get_model(case.model, num_classes=10, in_channels=1).to(device)


def _forever(dataset, case: Case, device: torch.device):
    """The course's on-device batches of ``dataset``, epoch after epoch."""
    return loaders.forever(loaders.batches(dataset, case.batch_size, device=device,
                                           image_size=case.image_size, shuffle=True))


def _row(case: Case, runs: dict[str, list[float]], base: str) -> dict:
    """A case's figures: each loop's median and spread, and its ratio to ``base`` (of the
    medians, with the spread of the windows' own ratios)."""
    row = {"model": case.model, "input": f"1x{case.image_size}x{case.image_size}",
           "batch": case.batch_size, "repeats": len(runs[base]), "baseline": base, "loops": {}}
    base_median = median_and_spread(runs[base])["median"]
    for name, rates in runs.items():
        ratios = [r / b for r, b in zip(rates, runs[base])]
        summary = median_and_spread(rates)
        row["loops"][name] = {"images_per_s": summary["median"], "spread": summary["spread"],
                              "runs": summary["runs"], "ratio": summary["median"] / base_median,
                              "ratio_spread": median_and_spread(ratios)["spread"]}
    return row


def train_step_bench(device: torch.device | None = None, steps: int = 5, warmup: int = 2,
                     cases: list[Case] | None = None, repeats: int = 5) -> list[dict]:
    """Ours, bare and textbook for each case (see the module's docstring); one dict per case,
    each loop's figures relative to bare's."""
    device = device or devices.device()
    cases = cases or default_cases(device)
    needed = images_needed(steps, warmup, cases, repeats)
    peak = peak_flops(device)
    chosen = train.device_options(device)
    config = replace(train.recipe("modern"), **chosen)
    rows = []
    for case in cases:
        dataset = data.fashion_mnist("train", samples=max(needed, 1000), image_size=case.image_size)
        textbook = DataLoader(dataset, case.batch_size, num_workers=2,
                              sampler=RandomSampler(dataset, replacement=True, num_samples=needed),
                              generator=torch.Generator().manual_seed(0))
        loops = {"bare": (bare_step(_fresh(case, device), device), _forever(dataset, case, device)),
                 "ours": (course_step(_fresh(case, device), replace(config, batch_size=case.batch_size)),
                          _forever(dataset, case, device)),
                 "textbook": (bare_step(_fresh(case, device), device), iter(textbook))}
        row = _row(case, interleaved_runs(loops, case.batch_size, device, steps, repeats, warmup), "bare")
        row["options"] = {"ours": {**chosen, "optimizer": "fused SGD, Nesterov"},
                          "bare": "fp32, eager, NCHW, foreach SGD, loss read every step",
                          "textbook": "bare, per-image resize in 2 DataLoader workers"}
        macs = count_layers(_fresh(case, torch.device("cpu")), (1, case.image_size, case.image_size)).macs
        row["train_gflop_per_img"] = 6 * macs / 1e9
        if peak:
            for loop in row["loops"].values():
                loop["mfu"] = loop["images_per_s"] * 6 * macs / peak
        rows.append(row)
    return rows


OPTIONS = ("fused SGD", "channels_last", "bf16 autocast", "torch.compile")


def options_bench(device: torch.device | None = None, steps: int = 5, warmup: int = 2,
                  cases: list[Case] | None = None, repeats: int = 5,
                  options: tuple[str, ...] = OPTIONS[:3]) -> list[dict]:
    """The course's step with every option off, then with each of ``options`` alone, on the
    same batches; one dict per case, each variant's figures relative to the all-off step."""
    device = device or devices.device()
    cases = cases or default_cases(device)
    needed = images_needed(steps, warmup, cases, repeats)
    plain = replace(train.recipe("modern"), amp=None, channels_last=False, compile=False)
    changes = {"fused SGD": {}, "channels_last": {"channels_last": True},
               "bf16 autocast": {"amp": "bf16"}, "torch.compile": {"compile": True}}
    rows = []
    for case in cases:
        dataset = data.fashion_mnist("train", samples=max(needed, 1000), image_size=case.image_size)
        config = replace(plain, batch_size=case.batch_size)

        def variant(option: str | None):
            model = _fresh(case, device)
            default_sgd = None if option == "fused SGD" else torch.optim.SGD(
                model.parameters(), lr=config.lr, momentum=config.momentum, nesterov=config.nesterov,
                weight_decay=config.weight_decay, foreach=True)
            step = course_step(model, replace(config, **changes.get(option, {})), default_sgd)
            return step, _forever(dataset, case, device)

        loops = {"all off": variant(None), **{option: variant(option) for option in options}}
        rows.append(_row(case, interleaved_runs(loops, case.batch_size, device, steps, repeats, warmup),
                         "all off"))
    return rows


def format_rows(rows: list[dict], device: torch.device) -> str:
    """One line per case and loop: median images/s, its spread, the ratio to the baseline."""
    lines = [f"training step on {devices.describe(device)}, torch {torch.__version__}: median of "
             f"{rows[0]['repeats'] if rows else 0} windows [slowest, fastest], ratio to "
             f"{rows[0]['baseline'] if rows else '-'} (same run)",
             f"{'model':20s} {'input':10s} {'batch':>5s}  {'loop':14s} {'img/s':>8s} {'spread':>17s} "
             f"{'ratio':>7s} {'ratio spread':>14s}"
             + ("  MFU" if any("mfu" in loop for r in rows for loop in r["loops"].values()) else "")]
    for r in rows:
        for name, loop in r["loops"].items():
            low, high = loop["spread"]
            rlow, rhigh = loop["ratio_spread"]
            line = (f"{r['model']:20s} {r['input']:10s} {r['batch']:5d}  {name:14s} "
                    f"{loop['images_per_s']:8.1f} [{low:7.1f}, {high:7.1f}] {loop['ratio']:6.2f}x "
                    f"[{rlow:5.2f}, {rhigh:5.2f}]")
            if "mfu" in loop:
                line += f"  {loop['mfu']:.1%}"
            lines.append(line)
    return "\n".join(lines)
