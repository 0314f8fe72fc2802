"""Lesson 10's baseline: d2l.ai's own AlexNet recipe against the course's, same data, same budget.

d2l's chapter "Deep Convolutional Neural Networks (AlexNet)" trains its AlexNet (conv1
padding 1, flatten 6,400, lazy layers) on Fashion-MNIST resized to 224 with
``d2l.Trainer``: plain SGD at lr 0.01, batch 128, pixels in [0, 1], a DataLoader whose
workers resize every image with PIL. Everything here is d2l 1.0.3's own code (its
``Classifier``, ``FashionMNIST.get_dataloader`` and ``Trainer``) except two things: its
``FashionMNIST`` downloads the data, so the same images come from the course's offline copy
through the same transform; and its network is written out as the chapter defines it (the
``d2l`` package ships the trainer, not the chapter's AlexNet class).

The course's side: the same architecture (``alexnet("d2l")``; dropout before fc6 and fc7
instead of after them, same parameters) trained by :func:`~alexnet_course.train.fit` with
the ``modern`` recipe on the same images, epochs and batch size. Both are timed from the
first batch to the end of the last evaluation, in the same run.

>>> SIZES["smoke"].train_samples, SIZES["smoke"].image_size
(32, 224)
"""

from __future__ import annotations

import copy
import time
import warnings
from dataclasses import dataclass, field
from functools import cache

import torch
from torch import nn

from ..counting import count_parameters
from ..models import alexnet
from ..profiles import Profile, profile as get_profile
from ..train import fit, recipe
from .common import fashion_splits

__all__ = ["d2l_available", "D2LSize", "SIZES", "d2l_alexnet", "offline_data", "run_d2l", "run_ours",
           "D2LBaseline", "d2l_baseline"]


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


SIZES = {
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
                f"({steps} step{'s' if steps > 1 else ''}): the course's loop ran {speed:.2f}× d2l's images/s; test top-1 "
                f"{100 * ours['test_top1']:.1f}% vs {100 * d2l_row['test_top1']:.1f}% ({change:+.1f} points)")
        if steps < 100:
            text += f"\n{steps} step{'s are' if steps > 1 else ' is'} far too few for the accuracies to mean anything: compare the speed only"
        return text


def d2l_baseline(profile: str | Profile | None = None, device=None, seed: int = 0) -> D2LBaseline:
    """Run d2l's recipe and the course's on the profile's shared budget."""
    reason = d2l_available()
    if reason:
        raise RuntimeError(reason)
    prof = get_profile(profile)
    size = SIZES[prof.name]
    result = D2LBaseline(prof.name, size)
    result.rows.append(run_d2l(size, device, seed))
    result.rows.append(run_ours(size, device, seed))
    return result
