"""Lesson 10: AlexNet next to LeNet-5, ZFNet, VGG and the two networks that followed
(GoogLeNet, ResNet-18), every column computed, in one table of two parts.

Part 1, the full networks (:func:`full_table`): ``architecture_table`` counts each at its
native input size (parameters, multiply-adds, activation memory, depth) with
:func:`~alexnet_course.counting.count_layers`; ``throughput`` measures its images/s on this
machine's device through :func:`alexnet_course.throughput.compare_bench`.

Part 2, the networks actually trained (:func:`stand_in_table`): in the ``smoke`` and ``cpu``
profiles, small stand-ins (``STAND_INS``: the same designs on 32 × 32 grey images), every one
trained by ``accuracy_runs`` on the same Fashion-MNIST images with the same recipe, epochs and
batches for every seed, and reported as test top-1 ± its 95 % interval and paired against
AlexNet's stand-in. The ``gpu`` profile trains the full networks.

The baseline (:func:`d2l_baseline`): d2l.ai's recipe against the course's on the same network,
images, epochs and seeds. d2l's chapter "Deep Convolutional Neural Networks (AlexNet)" trains
its AlexNet on Fashion-MNIST resized to 224 with ``d2l.Trainer``: plain SGD at lr 0.01, batch
128, pixels in [0, 1], a DataLoader whose workers resize every image with PIL. Everything on
d2l's side is d2l 1.0.3's own code (its ``Classifier``, ``FashionMNIST.get_dataloader`` and
``Trainer``) except two things: its ``FashionMNIST`` downloads the data, so the same images come
from the course's offline copy through the same transform; and its network is written out as
the chapter defines it (the ``d2l`` package ships the trainer, not the chapter's class). In the
small profiles both recipes train AlexNet's stand-in at 32 px (a 224-px AlexNet trains at tens
of images/s on a CPU); the ``gpu`` profile trains the chapter's net against ``alexnet("d2l")``
(its layers in its order, 46,764,746 parameters). Both are timed from the first batch to the
end of the last evaluation, in the same run.

>>> rows = architecture_table(["lenet5", "vgg16", "googlenet"])
>>> [(r["model"], r["year"], r["depth"], r["params"]) for r in rows]
[('lenet5', 1998, 5, 61706), ('vgg16', 2014, 16, 138357544), ('googlenet', 2014, 22, 6624904)]
>>> SMALL_VERSIONS["alexnet-torchvision"]
'alexnet-small'
"""

from __future__ import annotations

import copy
import json
import math
import statistics
import time
import warnings
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import torch
from torch import fx, nn

from ..arithmetic import receptive_field
from ..counting import conv_params, count_layers
from ..gpu_record import chapter_layers
from ..models import RELATIVES, get_model, native_input_size
from ..paths import results_dir
from ..profiles import Profile
from ..throughput import compare_bench
from ..train import fit, recipe
from .common import Budget, PairedEffect, budget, fashion_splits, paired_effect, run_seeds, seed_values

__all__ = ["RELATIVES", "YEARS", "SMALL_VERSIONS", "STAND_INS", "SIZES", "depth",
           "architecture_table", "throughput", "trained_names", "AccuracyResult", "accuracy_runs",
           "full_table", "stand_in_table", "recorded_results", "stack_vs_kernel",
           "d2l_available", "D2L_RECIPE", "d2l_chapter_net", "d2l_alexnet", "run_d2l",
           "D2LBaseline", "d2l_baseline"]

# Year of publication of each network's paper.
YEARS = {"lenet5": 1998, "alexnet-paper": 2012, "alexnet-torchvision": 2014, "zfnet": 2013,
         "vgg11": 2014, "vgg16": 2014, "googlenet": 2014, "resnet18": 2015}
# The small stand-in the cpu-sized profiles use for each full network (LeNet-5 is small already).
SMALL_VERSIONS = {"lenet5": "lenet5", "alexnet-paper": "alexnet-small",
                  "alexnet-torchvision": "alexnet-small", "zfnet": "zfnet-small",
                  "vgg11": "vgg11-small", "vgg16": "vgg16-small", "googlenet": "googlenet-small",
                  "resnet18": "resnet18-small"}
# The stand-ins those profiles train: one per design. VGG-11's speaks for VGG: VGG-16's thirteen
# stacked convolutions without batch norm need far more steps than a budget of minutes gives.
STAND_INS = ("lenet5", "alexnet-small", "zfnet-small", "vgg11-small", "googlenet-small", "resnet18-small")

SIZES = {
    # Small batches: the most steps for the few images a CPU budget allows (in a trial at the smoke
    # size, VGG-11's stand-in did not leave chance with batches of 50 at lr 2e-3, and did with 25 at 1e-3).
    "smoke": Budget(train_samples=1000, test_samples=200, epochs=2, seeds=2, batch_size=25, lr=1e-3,
                    full_models=False, bench_batch=32, bench_steps=3),
    # Two thousand images per run, so that six stand-ins × five seeds and d2l's recipe fit the
    # lesson's few minutes; the full networks are only timed (single images at 224 px).
    "cpu": Budget(train_samples=1000, test_samples=500, epochs=2, seeds=5, batch_size=25, lr=1e-3,
                  full_models=False, bench_batch=1, bench_steps=2),
    # Not yet run by the course's authors (no GPU so far): the full networks at native size.
    "gpu": Budget(train_samples=20_000, test_samples=10_000, epochs=3, seeds=2, batch_size=128, lr=1e-3,
                  full_models=True, bench_batch=64, bench_steps=10),
}


class _LayerTracer(fx.Tracer):
    """Traces down to modules without children (so the course's LRN, with its Python checks,
    is one node)."""

    def is_leaf_module(self, m: nn.Module, qualname: str) -> bool:
        return next(m.children(), None) is None or super().is_leaf_module(m, qualname)


def depth(model: nn.Module) -> int:
    """Weight layers (convolutions and fully connected) on the longest path from the input to
    the output: the depth papers quote. For a chain it is the number of weight layers; for
    GoogLeNet, whose inception modules run four branches side by side, it is 22 of its 58.

    >>> depth(get_model("alexnet-paper")), depth(get_model("googlenet")), depth(get_model("resnet18"))
    (8, 22, 18)
    """
    graph = _LayerTracer().trace(model)
    modules = dict(model.named_modules())
    longest: dict[fx.Node, int] = {}
    for node in graph.nodes:  # in execution order: every input is seen before its users
        weighted = node.op == "call_module" and isinstance(modules[node.target], (nn.Conv2d, nn.Linear))
        longest[node] = max((longest[i] for i in node.all_input_nodes), default=0) + weighted
    return max(longest.values())


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


def trained_names(size: Budget, models=RELATIVES) -> list[str]:
    """The networks a budget trains for ``models``: the full ones, or their stand-ins (those in
    ``STAND_INS``; a stand-in named itself is kept), each once, in the line-up's order.

    >>> trained_names(SIZES["cpu"], ["alexnet-paper", "alexnet-torchvision", "vgg16", "resnet18"])
    ['alexnet-small', 'resnet18-small']
    >>> trained_names(SIZES["cpu"], ["alexnet-small"])
    ['alexnet-small']
    """
    if size.full_models:
        return list(dict.fromkeys(models))
    return [n for n in dict.fromkeys(SMALL_VERSIONS.get(m, m) for m in models) if n in STAND_INS]


@dataclass
class AccuracyResult:
    """One row per (network, seed), every network trained on the same images, epochs, batches
    and recipe; ``models`` keeps seed 0's trained networks for the lesson's pictures."""

    profile: str
    size: Budget
    rows: list[dict] = field(default_factory=list)
    models: dict = field(default_factory=dict, repr=False)

    def trained(self) -> list[str]:
        return list(dict.fromkeys(r["trained"] for r in self.rows))

    def accuracies(self, name: str) -> list[float]:
        """Test top-1 (in %) of ``name``, one per seed, seed order."""
        return [100 * a for a in seed_values(self.rows, "test_top1", trained=name)]

    def summary(self) -> list[dict]:
        """Per network: mean test top-1 (%) with the half-width of its 95 % t-interval over the
        seeds, and its paired difference from AlexNet's stand-in (same seeds, same batches)."""
        reference = self.reference()
        out = []
        for name in self.trained():
            values = self.accuracies(name)
            spread = PairedEffect(tuple(values))  # one sample: its mean and t-interval
            row = {"trained": name, "seeds": len(values), "test_top1": spread.mean,
                   "interval_95": spread.half_width,
                   "images_per_s": statistics.fmean(seed_values(self.rows, "train_images_per_s",
                                                                trained=name))}
            if reference and name != reference:
                row["vs_alexnet"] = paired_effect(values, self.accuracies(reference))
            out.append(row)
        return out

    def reference(self) -> str | None:
        """The AlexNet every other network is compared with (its stand-in in small profiles)."""
        for name in ("alexnet-small", "alexnet-paper", "alexnet-torchvision"):
            if name in self.trained():
                return name
        return None

    def verdicts(self) -> list[str]:
        """Each network against AlexNet, paired by seed, worded by the 95 % interval."""
        reference, lines = self.reference(), []
        for row in self.summary():
            if "vs_alexnet" in row:
                lines.append(f"{row['trained']}: " + row["vs_alexnet"].reading(
                    f"its test top-1 minus {reference}'s", f"more accurate than {reference}",
                    f"less accurate than {reference}"))
        return lines


def accuracy_runs(profile: str | Profile | None = None, device=None, models=RELATIVES,
                  progress: bool = False) -> AccuracyResult:
    """Train each network (or its stand-in) for every seed on the same images with the same
    recipe, epochs and batches, and score it on the same test images."""
    prof, size = budget(profile, SIZES)
    train_data, test_data = fashion_splits(prof, size.train_samples, size.test_samples)
    result = AccuracyResult(prof.name, size)

    def train_one(seed: int, name: str) -> dict:
        model = get_model(name, num_classes=10, in_channels=1)
        image_size = native_input_size(name)[-1]
        config = recipe("modern", optimizer="adamw", lr=size.lr, epochs=size.epochs,
                        batch_size=size.batch_size, seed=seed)
        began = time.perf_counter()
        history = fit(model, train_data, test_data, config, image_size=image_size, device=device,
                      progress=False)
        seconds = time.perf_counter() - began
        if seed == 0:
            result.models[name] = model
        last = history.epochs[-1]
        return {"trained": name, "seed": seed, "image_size": image_size,
                "train_top1": last["train_top1"], "test_top1": last["test_top1"],
                "train_images_per_s": size.epochs * len(train_data) / seconds, "seconds": seconds}

    result.rows = [row for _, _, row in run_seeds(size.seeds, trained_names(size, models), train_one,
                                                  progress)]
    return result


def full_table(arch: list[dict], speed: list[dict] | None = None) -> list[dict]:
    """Part 1 of the lesson's table: the full networks, counted at their native input size
    (``architecture_table``), with their measured throughput when it was timed."""
    speeds = {r["model"]: r for r in speed or []}
    rows = []
    for row in arch:
        out = dict(row)
        if row["model"] in speeds:
            s = speeds[row["model"]]
            out.update(infer_img_s=s["infer_img_s"], train_img_s=s["train_img_s"],
                       infer_vs_alexnet=s["infer_vs_alexnet"], train_vs_alexnet=s["train_vs_alexnet"])
        rows.append(out)
    return rows


def stand_in_table(accuracy: AccuracyResult) -> list[dict]:
    """Part 2: the networks actually trained (named as what they are, with the full networks
    they stand in for), their counts at the size they were trained at, and test top-1 ± the
    half-width of its 95 % interval over the seeds."""
    counted = {r["model"]: r for r in architecture_table(accuracy.trained())}
    rows = []
    for row in accuracy.summary():
        name = row["trained"]
        stands_for = [m for m, small in SMALL_VERSIONS.items() if small == name]
        if accuracy.size.full_models:
            stands_for = [name]
        vs = row.get("vs_alexnet")
        rows.append({"trained": name, "stands_for": ", ".join(stands_for),
                     "input": counted[name]["input"], "params": counted[name]["params"],
                     "macs": counted[name]["macs"], "seeds": row["seeds"],
                     "test_top1": row["test_top1"], "interval_95": row["interval_95"],
                     "vs_alexnet": vs.interval() if vs else "reference",
                     "train_img_s": row["images_per_s"]})
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


# d2l's chapter: plain SGD (no momentum) at this rate, batches of 128, pixels in [0, 1].
D2L_RECIPE = {"lr": 0.01, "batch_size": 128}
# d2l's DataModule starts this many loader workers; none in the smoke profile (CI).
D2L_WORKERS = {"smoke": 0, "cpu": 4, "gpu": 4}


@cache
def _classes():
    """d2l's classes, subclassed here (importing d2l only when the baseline runs)."""
    from d2l import torch as d2l
    from torchvision import transforms

    class Recipe(d2l.Classifier):
        """d2l's ``Classifier`` (its loss, its accuracy, its ``configure_optimizers``: plain SGD
        at ``lr``) around ``net``, with its progress board switched off (it redraws a figure
        every few steps)."""

        def __init__(self, net: nn.Module, lr: float = D2L_RECIPE["lr"]):
            super().__init__()
            self.net, self.lr = net, lr
            self.board.display = False

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

    return d2l, Recipe, OfflineFashionMNIST


def d2l_chapter_net(num_classes: int = 10) -> nn.Sequential:
    """The chapter's AlexNet (:func:`~alexnet_course.gpu_record.chapter_layers`) with the chapter's
    ``apply(init_cnn)``, which runs on lazy layers, whose type is not yet Conv2d/Linear, so
    PyTorch's default initialisation stays."""
    d2l, _, _ = _classes()
    net = chapter_layers(num_classes=num_classes)
    net.apply(d2l.init_cnn)
    return net


def d2l_alexnet(lr: float = D2L_RECIPE["lr"], num_classes: int = 10, image_size: int = 224) -> nn.Module:
    """The chapter's ``AlexNet(lr=0.01)``, its lazy layers materialised by one blank image
    (as the chapter's ``layer_summary`` does)."""
    reason = d2l_available()
    if reason:
        raise RuntimeError(reason)
    _, d2l_recipe, _ = _classes()
    model = d2l_recipe(d2l_chapter_net(num_classes), lr=lr)
    with torch.no_grad():
        model(torch.zeros(1, 1, image_size, image_size))
    return model


def run_d2l(net: nn.Module, train_data, test_data, *, epochs: int, image_size: int,
            num_workers: int, device=None) -> dict:
    """d2l's recipe (its ``Classifier``, data module, SGD at 0.01 and ``Trainer``) training
    ``net`` on the given images; its test accuracy by its own ``accuracy``, its test loss by its
    own ``loss`` (ln 10 ≈ 2.303 is the loss of a uniform guess over 10 classes)."""
    d2l, d2l_recipe, offline = _classes()
    model = net if isinstance(net, d2l_recipe) else d2l_recipe(net)
    data = offline(train_data, test_data, batch_size=D2L_RECIPE["batch_size"],
                   resize=(image_size, image_size), num_workers=num_workers)
    gpus = 1 if (device is None or torch.device(device).type == "cuda") and torch.cuda.is_available() else 0
    trainer = d2l.Trainer(max_epochs=epochs, num_gpus=gpus)
    with warnings.catch_warnings():
        # d2l's loader asks for 4 workers on any machine; PyTorch warns when it has fewer cores.
        warnings.filterwarnings("ignore", message="This DataLoader will create", category=UserWarning)
        began = time.perf_counter()
        trainer.fit(model, data)
        seconds = time.perf_counter() - began
        model.eval()
        correct = loss = 0.0
        with torch.no_grad():
            for batch in data.val_dataloader():
                x, y = trainer.prepare_batch(batch)
                logits = model(x)
                correct += model.accuracy(logits, y, averaged=False).sum().item()
                loss += model.loss(logits, y, averaged=False).sum().item()
    return {"test_top1": correct / len(test_data), "test_loss": loss / len(test_data),
            "seconds": seconds, "images_per_s": epochs * len(train_data) / seconds}


@dataclass
class D2LBaseline:
    """d2l's recipe against the course's on the same network, images, epochs and seeds: one row
    per (recipe, seed)."""

    profile: str
    size: Budget
    network: str  # what both recipes trained
    image_size: int
    rows: list[dict] = field(default_factory=list)

    def values(self, recipe_name: str, key: str) -> list[float]:
        return seed_values(self.rows, key, recipe=recipe_name)

    def verdicts(self) -> list[str]:
        """Accuracy and speed of the course's recipe against d2l's, paired by seed."""
        n, epochs = len(self.values("d2l", "seed")), self.size.epochs
        images = (self.size.train_samples or 60_000) * epochs
        steps = epochs * -(-(self.size.train_samples or 60_000) // D2L_RECIPE["batch_size"])
        ours = epochs * -(-(self.size.train_samples or 60_000) // self.size.batch_size)
        accuracy = paired_effect([100 * a for a in self.values("course", "test_top1")],
                                 [100 * a for a in self.values("d2l", "test_top1")])
        # speed ratios are averaged as logarithms, so that 2× and 0.5× cancel and the interval
        # stays positive
        speed = paired_effect([math.log(v) for v in self.values("course", "images_per_s")],
                              [math.log(v) for v in self.values("d2l", "images_per_s")])
        d2l_loss = statistics.fmean(self.values("d2l", "test_loss"))
        return [
            f"{self.network} at {self.image_size} px, the same {images:,} images ({epochs} epochs; "
            f"d2l's {steps} steps of {D2L_RECIPE['batch_size']}, the course's {ours} of "
            f"{self.size.batch_size}) and the same {n} seeds for both recipes",
            "test top-1: " + accuracy.reading("course minus d2l", "the course's recipe was more accurate",
                                              "d2l's recipe was more accurate"),
            f"d2l's mean test loss {d2l_loss:.3f} (a uniform guess over 10 classes scores "
            f"ln 10 = {math.log(10):.3f})",
            f"speed: the course's recipe ran {math.exp(speed.mean):.2f}× d2l's images/s (geometric mean, "
            f"95 % interval {math.exp(speed.low):.2f}× to {math.exp(speed.high):.2f}× over {n} paired seeds)",
        ]


def d2l_baseline(profile: str | Profile | None = None, device=None,
                 accuracy: AccuracyResult | None = None, progress: bool = False) -> D2LBaseline:
    """d2l's recipe on the network the profile trains in AlexNet's place (the small profiles:
    AlexNet's stand-in at 32 px; ``gpu``: the chapter's own net at 224 against ``alexnet("d2l")``),
    for every seed, on the same images and epochs as the course's runs in ``accuracy`` (run
    here when not given)."""
    reason = d2l_available()
    if reason:
        raise RuntimeError(reason)
    prof, size = budget(profile, SIZES)
    network = "alexnet-d2l" if size.full_models else "alexnet-small"
    image_size = native_input_size(network)[-1]
    train_data, test_data = fashion_splits(prof, size.train_samples, size.test_samples,
                                           image_size=image_size)
    if accuracy is None or network not in accuracy.trained():
        accuracy = accuracy_runs(prof, device, models=[network], progress=progress)
    result = D2LBaseline(prof.name, size, network, image_size)

    def train_d2l(seed: int, _) -> dict:
        net = d2l_chapter_net() if size.full_models else get_model(network, num_classes=10, in_channels=1)
        return {"recipe": "d2l", "seed": seed, **run_d2l(
            net, train_data, test_data, epochs=size.epochs, image_size=image_size,
            num_workers=D2L_WORKERS[prof.name], device=device)}

    result.rows = [row for _, _, row in run_seeds(size.seeds, ["d2l"], train_d2l, progress)]
    result.rows += [{"recipe": "course", "seed": r["seed"], "test_top1": r["test_top1"],
                     "seconds": r["seconds"], "images_per_s": r["train_images_per_s"]}
                    for r in accuracy.rows if r["trained"] == network]
    return result
