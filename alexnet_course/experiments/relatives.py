"""Lesson 10: AlexNet next to LeNet-5, ZFNet and VGG, every column computed.

``architecture_table`` counts each network at its native input size (parameters,
multiply-adds, activation memory, depth) with :func:`~alexnet_course.counting.count_layers`;
``throughput`` measures images/s on this machine's device through
:func:`alexnet_course.throughput.compare_bench`; ``accuracy_runs`` trains each network on the
same Fashion-MNIST subset with the same recipe and budget. In the ``smoke`` and ``cpu``
profiles the trained networks are the small versions (32x32, see ``SMALL_VERSIONS``) and the
throughput of the smoke profile is measured on them too; the ``gpu`` profile uses the full ones.

The baseline: d2l.ai's own AlexNet recipe against the course's, same data, same budget.

d2l's chapter "Deep Convolutional Neural Networks (AlexNet)" trains its AlexNet (conv1
padding 1, flatten 6,400, lazy layers) on Fashion-MNIST resized to 224 with
``d2l.Trainer``: plain SGD at lr 0.01, batch 128, pixels in [0, 1], a DataLoader whose
workers resize every image with PIL. Everything here is d2l 1.0.3's own code (its
``Classifier``, ``FashionMNIST.get_dataloader`` and ``Trainer``) except two things: its
``FashionMNIST`` downloads the data, so the same images come from the course's offline copy
through the same transform; and its network is written out as the chapter defines it (the
``d2l`` package ships the trainer, not the chapter's AlexNet class).

The course's side: the same architecture (``alexnet("d2l")``: the chapter's layers in the
chapter's order, dropout after the ReLUs of fc6 and fc7, the same 46,764,746 parameters) trained
by :func:`~alexnet_course.train.fit` with the ``modern`` recipe on the same images, epochs and
batch size. Both are timed from the
first batch to the end of the last evaluation, in the same run.

>>> rows = architecture_table(["lenet5", "vgg16"])
>>> [(r["model"], r["year"], r["depth"], r["params"]) for r in rows]
[('lenet5', 1998, 5, 61706), ('vgg16', 2014, 16, 138357544)]
>>> SMALL_VERSIONS["alexnet-torchvision"]
'alexnet-small'
>>> D2L_SIZES["smoke"].train_samples, D2L_SIZES["smoke"].image_size
(32, 224)
"""

from __future__ import annotations

import copy
import json
import time
import warnings
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import torch
from torch import nn

from ..arithmetic import receptive_field
from ..counting import conv_params, count_layers, count_parameters
from ..models import RELATIVES, alexnet, get_model, native_input_size
from ..paths import results_dir
from ..profiles import Profile
from ..throughput import compare_bench
from ..train import fit, recipe
from .common import budget, fashion_splits

__all__ = ["RELATIVES", "YEARS", "SMALL_VERSIONS", "RelativesSize", "SIZES", "depth",
           "architecture_table", "throughput", "AccuracyResult", "accuracy_runs",
           "comparison_table", "recorded_results", "stack_vs_kernel",
           "d2l_available", "D2LSize", "D2L_SIZES", "d2l_alexnet", "offline_data", "run_d2l",
           "run_ours", "D2LBaseline", "d2l_baseline"]

# Year of publication of each network's paper.
YEARS = {"lenet5": 1998, "alexnet-paper": 2012, "alexnet-torchvision": 2014, "zfnet": 2013,
         "vgg11": 2014, "vgg16": 2014}
# What the cpu-sized profiles train in each full network's place (LeNet-5 is small already).
SMALL_VERSIONS = {"lenet5": "lenet5", "alexnet-paper": "alexnet-small",
                  "alexnet-torchvision": "alexnet-small", "zfnet": "zfnet-small",
                  "vgg11": "vgg11-small", "vgg16": "vgg16-small"}


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
    prof, size = budget(profile, SIZES)
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
    prof, size = budget(profile, SIZES)
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


def recorded_results(kind: str = "gpu", folder: Path | str | None = None) -> list[dict]:
    """The measurements recorded in ``results/`` whose file name starts with ``kind`` (``gpu``
    or ``cpu``), each as its file name, what was run, on which hardware, and its final top-1.
    ``folder`` defaults to the course's ``results/``."""
    if kind not in ("gpu", "cpu"):
        raise ValueError(f"kind must be 'gpu' or 'cpu', not {kind!r}")
    rows = []
    for path in sorted(Path(folder or results_dir()).glob(f"{kind}_*.json")):
        record = json.loads(path.read_text())
        rows.append({"file": path.name, "what": record.get("what"), "hardware": record.get("hardware"),
                     "test_top1_final": record.get("test_top1_final")})
    return rows


# --- the d2l baseline ------------------------------------------------------------


def d2l_available() -> str | None:
    """None when ``from d2l import torch`` works, else why not (the text of the ImportError)."""
    try:
        from d2l import torch as _  # noqa: F401
    except ImportError as err:
        return f"d2l is not installed ({err}); install it with `pip install --no-deps d2l==1.0.3`"
    return None


@dataclass(frozen=True)
class D2LSize:
    """The shared budget of both runs in one profile."""

    train_samples: int | None  # Fashion-MNIST training images, class-balanced (None: all)
    test_samples: int | None
    epochs: int  # d2l's chapter: 10
    batch_size: int  # d2l's chapter: 128
    image_size: int  # d2l's chapter: 224
    num_workers: int  # d2l's DataModule default is 4; 0 keeps CI from starting processes


D2L_SIZES = {
    # At 224 px a CPU trains some 10-40 images/s: the smoke and cpu runs are throughput
    # measurements with an accuracy that a few steps cannot make meaningful.
    "smoke": D2LSize(32, 32, 1, 32, 224, 0),
    "cpu": D2LSize(1024, 512, 1, 128, 224, 4),
    "gpu": D2LSize(None, None, 10, 128, 224, 4),
}


@cache
def _classes():
    """d2l's classes, subclassed here (importing d2l only when the baseline runs)."""
    from d2l import torch as d2l
    from torchvision import transforms

    class ChapterAlexNet(d2l.Classifier):
        """The chapter's network, layer for layer; its ``apply(init_cnn)`` runs on lazy
        layers, whose type is not yet Conv2d/Linear, so PyTorch's default initialisation stays."""

        def __init__(self, lr=0.1, num_classes=10):
            super().__init__()
            self.save_hyperparameters()
            self.net = nn.Sequential(
                nn.LazyConv2d(96, kernel_size=11, stride=4, padding=1), nn.ReLU(),
                nn.MaxPool2d(kernel_size=3, stride=2),
                nn.LazyConv2d(256, kernel_size=5, padding=2), nn.ReLU(),
                nn.MaxPool2d(kernel_size=3, stride=2),
                nn.LazyConv2d(384, kernel_size=3, padding=1), nn.ReLU(),
                nn.LazyConv2d(384, kernel_size=3, padding=1), nn.ReLU(),
                nn.LazyConv2d(256, kernel_size=3, padding=1), nn.ReLU(),
                nn.MaxPool2d(kernel_size=3, stride=2), nn.Flatten(),
                nn.LazyLinear(4096), nn.ReLU(), nn.Dropout(p=0.5),
                nn.LazyLinear(4096), nn.ReLU(), nn.Dropout(p=0.5),
                nn.LazyLinear(num_classes))
            self.net.apply(d2l.init_cnn)

    class OfflineFashionMNIST(d2l.FashionMNIST):
        """d2l's data module with the download replaced by the course's offline images,
        decoded as torchvision does (a PIL "L" image) and through d2l's own transform."""

        def __init__(self, train, val, batch_size=64, resize=(28, 28), num_workers=4):
            d2l.DataModule.__init__(self, num_workers=num_workers)
            self.batch_size, self.resize = batch_size, resize
            trans = transforms.Compose([transforms.ToPILImage(), transforms.Resize(resize),
                                        transforms.ToTensor()])
            self.train, self.val = copy.copy(train), copy.copy(val)  # same images, d2l's transform
            self.train.transform = self.val.transform = trans

    return d2l, ChapterAlexNet, OfflineFashionMNIST


def d2l_alexnet(lr: float = 0.01, num_classes: int = 10, image_size: int = 224) -> nn.Module:
    """The chapter's ``AlexNet(lr=0.01)``, its lazy layers materialised by one blank image
    (as the chapter's ``layer_summary`` does), its progress board switched off."""
    reason = d2l_available()
    if reason:
        raise RuntimeError(reason)
    _, chapter_alexnet, _ = _classes()
    model = chapter_alexnet(lr=lr, num_classes=num_classes)
    model.board.display = False  # the board would redraw a figure every few steps
    with torch.no_grad():
        model(torch.zeros(1, 1, image_size, image_size))
    return model


def offline_data(size: D2LSize):
    """The course's train and test subsets of the profile (class-balanced, fixed)."""
    return fashion_splits(None, size.train_samples, size.test_samples, image_size=size.image_size)


def run_d2l(size: D2LSize, device=None, seed: int = 0) -> dict:
    """d2l's recipe with d2l's trainer; its test accuracy by its own ``accuracy``."""
    d2l, _, offline = _classes()
    torch.manual_seed(seed)  # the DataLoader's shuffling and the lazy initialisation
    model = d2l_alexnet(num_classes=10, image_size=size.image_size)
    train_data, test_data = offline_data(size)
    data = offline(train_data, test_data, batch_size=size.batch_size,
                   resize=(size.image_size, size.image_size), num_workers=size.num_workers)
    gpus = 1 if (device is None or torch.device(device).type == "cuda") and torch.cuda.is_available() else 0
    trainer = d2l.Trainer(max_epochs=size.epochs, num_gpus=gpus)
    with warnings.catch_warnings():
        # d2l's loader asks for 4 workers on any machine; PyTorch warns when it has fewer cores.
        warnings.filterwarnings("ignore", message="This DataLoader will create", category=UserWarning)
        began = time.perf_counter()
        trainer.fit(model, data)
        seconds = time.perf_counter() - began
        model.eval()
        correct = 0.0
        with torch.no_grad():
            for batch in data.val_dataloader():
                x, y = trainer.prepare_batch(batch)
                correct += model.accuracy(model(x), y, averaged=False).sum().item()
    return {"recipe": "d2l (its net, data module, SGD 0.01, Trainer)", "params": count_parameters(model),
            "test_top1": correct / len(test_data), "seconds": seconds,
            "images_per_s": size.epochs * len(train_data) / seconds,
            "device": "cuda" if gpus else "cpu"}


def run_ours(size: D2LSize, device=None, seed: int = 0) -> dict:
    """The same architecture, images, epochs and batch size through the course's ``fit``."""
    torch.manual_seed(seed)
    model = alexnet("d2l")
    train_data, test_data = offline_data(size)
    config = recipe("modern", epochs=size.epochs, batch_size=size.batch_size, seed=seed)
    began = time.perf_counter()
    history = fit(model, train_data, test_data, config, image_size=size.image_size, device=device,
                  progress=False)
    seconds = time.perf_counter() - began
    return {"recipe": "course (alexnet('d2l'), modern recipe, fit)", "params": count_parameters(model),
            "test_top1": history.last("test_top1"), "seconds": seconds,
            "images_per_s": size.epochs * len(train_data) / seconds,
            "device": str(next(model.parameters()).device.type)}


@dataclass
class D2LBaseline:
    """Both runs of one profile, d2l's first."""

    profile: str
    size: D2LSize
    rows: list[dict] = field(default_factory=list)

    def verdict(self) -> str:
        d2l_row, ours = self.rows
        n = self.size.train_samples or 60_000
        speed = ours["images_per_s"] / d2l_row["images_per_s"]
        change = 100 * (ours["test_top1"] - d2l_row["test_top1"])
        steps = self.size.epochs * -(-n // self.size.batch_size)
        text = (f"same {n:,} images × {self.size.epochs} epoch(s) at {self.size.image_size} px "
                f"({steps} step{'s' if steps > 1 else ''}): the course's loop ran {speed:.2f}× d2l's "
                f"images/s; test top-1 {100 * ours['test_top1']:.1f}% vs {100 * d2l_row['test_top1']:.1f}% "
                f"({change:+.1f} points)")
        if steps < 100:
            text += (f"\n{steps} step{'s are' if steps > 1 else ' is'} far too few for the accuracies "
                     "to mean anything: compare the speed only")
        return text


def d2l_baseline(profile: str | Profile | None = None, device=None, seed: int = 0) -> D2LBaseline:
    """Run d2l's recipe and the course's on the profile's shared budget."""
    reason = d2l_available()
    if reason:
        raise RuntimeError(reason)
    prof, size = budget(profile, D2L_SIZES)
    result = D2LBaseline(prof.name, size)
    result.rows.append(run_d2l(size, device, seed))
    result.rows.append(run_ours(size, device, seed))
    return result
