"""Lesson 10: AlexNet next to LeNet-5, ZFNet and VGG, every column computed.

``architecture_table`` counts each network at its native input size (parameters,
multiply-adds, activation memory, depth) with :func:`~alexnet_course.counting.count_layers`;
``throughput`` measures images/s on this machine's device through
:func:`alexnet_course.bench.compare_bench`; ``accuracy_runs`` trains each network on the
same Fashion-MNIST subset with the same recipe and budget. In the ``smoke`` and ``cpu``
profiles the trained networks are the small versions (32x32, see ``SMALL_VERSIONS``) and the
throughput of the smoke profile is measured on them too; the ``gpu`` profile uses the full ones.

>>> rows = architecture_table(["lenet5", "vgg16"])
>>> [(r["model"], r["year"], r["depth"], r["params"]) for r in rows]
[('lenet5', 1998, 5, 61706), ('vgg16', 2014, 16, 138357544)]
>>> SMALL_VERSIONS["alexnet-torchvision"]
'alexnet-small'
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch import nn

from ..arithmetic import receptive_field
from ..bench import RELATIVES, compare_bench
from ..counting import conv_params, count_layers
from ..models import get_model, native_input_size
from ..profiles import Profile, profile as get_profile
from ..train import fit, recipe
from .common import fashion_splits

__all__ = ["RELATIVES", "YEARS", "SMALL_VERSIONS", "RelativesSize", "SIZES", "depth",
           "architecture_table", "throughput", "AccuracyResult", "accuracy_runs",
           "comparison_table", "recorded_results", "RESULTS", "stack_vs_kernel"]

# Year of publication of each network's paper.
YEARS = {"lenet5": 1998, "alexnet-paper": 2012, "alexnet-torchvision": 2014, "zfnet": 2013,
         "vgg11": 2014, "vgg16": 2014}
# What the cpu-sized profiles train in each full network's place (LeNet-5 is small already).
SMALL_VERSIONS = {"lenet5": "lenet5", "alexnet-paper": "alexnet-small",
                  "alexnet-torchvision": "alexnet-small", "zfnet": "zfnet-small",
                  "vgg11": "vgg11-small", "vgg16": "vgg16-small"}
RESULTS = Path(__file__).resolve().parents[2] / "results"


@dataclass(frozen=True)
class RelativesSize:
    """How big lesson 10's measurements are in one profile."""

    full_models: bool  # train and time the full networks (else their small versions)
    train_samples: int | None  # Fashion-MNIST training images, class-balanced (None: all)
    test_samples: int | None
    epochs: int  # the same budget for every network
    batch_size: int
    lr: float  # peak AdamW learning rate of the one-cycle schedule, the same for all
    bench_batch: int  # throughput: images per timed step
    bench_steps: int  # timed steps (after one untimed warm-up step)


SIZES = {
    "smoke": RelativesSize(False, 500, 200, 1, 100, 1e-3, 32, 3),
    "cpu": RelativesSize(False, 12_000, 2_000, 3, 128, 1e-3, 4, 3),
    # Not yet run by the course's authors (no GPU so far): the full networks at native size.
    "gpu": RelativesSize(True, None, None, 10, 128, 1e-3, 64, 10),
}


def depth(model: nn.Module) -> int:
    """Weight layers (convolutions and fully connected), the depth papers quote.

    >>> depth(get_model("alexnet-paper"))
    8
    """
    return sum(isinstance(m, (nn.Conv2d, nn.Linear)) for m in model.modules())


def stack_vs_kernel(stacked: int, channels: int = 64) -> list[dict]:
    """VGG's argument (§2.3): ``stacked`` 3x3 convolutions against one kernel of the same
    receptive field, C = ``channels`` in and out, biases left out. Sizes come from
    ``receptive_field``, weights from ``conv_params``; each conv is followed by a ReLU.

    >>> [(r["layers"], r["receptive_field"], r["weights"]) for r in stack_vs_kernel(3, 64)]
    [('one 7×7', 7, 200704), ('three 3×3', 7, 110592)]
    """
    if stacked < 2:
        raise ValueError(f"stacked must be at least 2 convolutions, got {stacked}")
    kernel = 2 * stacked + 1
    names = {2: "two", 3: "three", 4: "four"}
    rows = []
    for label, kernels in ((f"one {kernel}×{kernel}", [kernel]),
                           (f"{names.get(stacked, stacked)} 3×3", [3] * stacked)):
        field = receptive_field([(f"conv{i}", k, 1, k // 2) for i, k in enumerate(kernels)])[-1].size
        weights = sum(conv_params(channels, channels, k, bias=False) for k in kernels)
        rows.append({"layers": label, "receptive_field": field, "weights": weights,
                     "weights_per_c2": weights // channels**2, "nonlinearities": len(kernels)})
    return rows


def architecture_table(models=RELATIVES) -> list[dict]:
    """Per network at its native input: year, depth, parameters, multiply-adds (conv + linear,
    no biases) and activation memory (every layer's output for one image, fp32, summed: an
    upper bound on what a forward pass keeps for the backward pass)."""
    rows = []
    for name in models:
        with torch.device("meta"):  # shapes only: VGG-16 is counted instantly
            model = get_model(name)
        size = native_input_size(name)
        table = count_layers(model, size)
        rows.append({"model": name, "year": YEARS.get(name), "input": "x".join(map(str, size)),
                     "depth": depth(model), "params": table.params, "macs": table.macs,
                     "activation_mb": table.activation_bytes / 2**20})
    return rows


def throughput(profile: str | Profile | None = None, device=None, progress: bool = False) -> list[dict]:
    """Inference and training images/s of every network, as ratios to AlexNet too; the full
    networks at native size, or in the smoke profile their small versions at 32x32."""
    prof = get_profile(profile)
    size = SIZES[prof.name]
    names = RELATIVES if prof.name != "smoke" else tuple(dict.fromkeys(SMALL_VERSIONS.values()))
    baseline = "alexnet-paper" if prof.name != "smoke" else "alexnet-small"
    device = torch.device(device) if device is not None else None
    return compare_bench(device, names, baseline=baseline, batch_size=size.bench_batch,
                         steps=size.bench_steps, warmup=1, progress=progress)


@dataclass
class AccuracyResult:
    """One row per trained network, with the budget that produced it."""

    profile: str
    size: RelativesSize
    rows: list[dict] = field(default_factory=list)
    models: dict = field(default_factory=dict, repr=False)  # the trained networks, by name

    def by_model(self) -> dict:
        return {r["trained"]: r for r in self.rows}


def _trained_name(name: str, size: RelativesSize) -> str:
    return name if size.full_models else SMALL_VERSIONS[name]


def accuracy_runs(profile: str | Profile | None = None, device=None, models=RELATIVES,
                  seed: int = 0, progress: bool = False) -> AccuracyResult:
    """Train each network (or its small version) on the same images with the same recipe,
    epochs and batches, and score it on the same test images."""
    prof = get_profile(profile)
    size = SIZES[prof.name]
    train_data, test_data = fashion_splits(prof, size.train_samples, size.test_samples)
    result = AccuracyResult(prof.name, size)
    names = list(dict.fromkeys(_trained_name(n, size) for n in models))
    if progress:
        from alexnet_course.progress import progress_bar

        names = progress_bar(names, desc="accuracy runs", unit="net")
    for name in names:
        torch.manual_seed(seed)
        model = get_model(name, num_classes=10, in_channels=1)
        image_size = native_input_size(name)[-1]
        config = recipe("modern", optimizer="adamw", lr=size.lr, epochs=size.epochs,
                        batch_size=size.batch_size, seed=seed)
        began = time.perf_counter()
        history = fit(model, train_data, test_data, config, image_size=image_size, device=device,
                      progress=False)
        last = history.epochs[-1]
        result.rows.append({"trained": name, "image_size": image_size,
                            "train_top1": last["train_top1"], "test_top1": last["test_top1"],
                            "train_images_per_s": last["train_images_per_s"],
                            "seconds": time.perf_counter() - began})
        result.models[name] = model
    return result


def comparison_table(arch: list[dict], speed: list[dict] | None = None,
                     accuracy: AccuracyResult | None = None) -> list[dict]:
    """The lesson's one table: ``architecture_table`` rows, with the throughput ratios of the
    same network (when it was timed) and the accuracy of the network trained in its place."""
    speeds = {r["model"]: r for r in speed or []}
    trained = accuracy.by_model() if accuracy else {}
    rows = []
    for row in arch:
        out = dict(row)
        if row["model"] in speeds:
            s = speeds[row["model"]]
            out.update(infer_img_s=s["infer_img_s"], train_img_s=s["train_img_s"],
                       infer_vs_alexnet=s["infer_vs_alexnet"], train_vs_alexnet=s["train_vs_alexnet"])
        if accuracy is not None:
            name = _trained_name(row["model"], accuracy.size)
            out.update(trained_as=name, test_top1=trained[name]["test_top1"] if name in trained else None)
        rows.append(out)
    return rows


def recorded_results(kind: str = "gpu", folder: Path | str = RESULTS) -> list[dict]:
    """The measurements recorded in ``results/`` whose file name starts with ``kind`` (``gpu``
    or ``cpu``), each as its file name, what was run, on which hardware, and its final top-1."""
    if kind not in ("gpu", "cpu"):
        raise ValueError(f"kind must be 'gpu' or 'cpu', not {kind!r}")
    rows = []
    for path in sorted(Path(folder).glob(f"{kind}_*.json")):
        record = json.loads(path.read_text())
        rows.append({"file": path.name, "what": record.get("what"), "hardware": record.get("hardware"),
                     "test_top1_final": record.get("test_top1_final")})
    return rows
