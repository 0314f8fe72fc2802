"""VGG (Simonyan & Zisserman, "Very Deep Convolutional Networks for Large-Scale
Image Recognition", ICLR 2015), built from configuration lists as torchvision's
``vgg.py`` does, so state dicts match torchvision's ``vgg11`` ... ``vgg19``.

Configurations A, B, D, E are VGG-11, -13, -16, -19: stacks of 3x3 convolutions
(padding 1) and 2x2 max-pools ("M"). C is VGG-16 with a 1x1 convolution ending
blocks 3-5, written ``(channels, 1)``.

>>> from alexnet_course.counting import count_parameters
>>> with torch.device("meta"):  # shapes only: no 138M random numbers to draw
...     count_parameters(vgg("D"))
138357544
"""

from __future__ import annotations

import torch
from torch import nn

from alexnet_course._checks import whole
from alexnet_course.models.base import ConvNet, check_builder_args

__all__ = ["CFGS", "VGG", "make_layers", "vgg"]

CFGS: dict[str, list[int | str | tuple[int, int]]] = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "B": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "C": [64, 64, "M", 128, 128, "M", 256, 256, (256, 1), "M", 512, 512, (512, 1), "M", 512, 512, (512, 1), "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    "E": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"],
}


class VGG(ConvNet):
    """VGG: ``features`` from ``make_layers``, 7x7 adaptive average pool, FC 4096-4096-classes."""


def make_layers(cfg: list[int | str | tuple[int, int]], batch_norm: bool = False, in_channels: int = 3) -> nn.Sequential:
    """Conv (3x3, or ``(channels, kernel)``), [BatchNorm], ReLU for each number; a 2x2 max-pool for each "M"."""
    whole(in_channels, "in_channels")
    layers: list[nn.Module] = []
    for v in cfg:
        if v == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
            continue
        channels, kernel = v if isinstance(v, tuple) else (v, 3)
        layers.append(nn.Conv2d(in_channels, channels, kernel_size=kernel, padding=kernel // 2))
        if batch_norm:
            layers.append(nn.BatchNorm2d(channels))
        layers.append(nn.ReLU())
        in_channels = channels
    return nn.Sequential(*layers)


def vgg(
    cfg: str = "D", num_classes: int = 1000, in_channels: int = 3, batch_norm: bool = False, dropout: float = 0.5
) -> VGG:
    """VGG from configuration ``cfg``: 'A' = VGG-11, 'B' = 13, 'C', 'D' = 16, 'E' = 19.

    Initialised as torchvision does (Kaiming normal convs, N(0, 0.01) linears).
    """
    if cfg not in CFGS:
        raise ValueError(f"unknown VGG configuration {cfg!r}; choose one of {', '.join(CFGS)}")
    check_builder_args(num_classes, in_channels, dropout)
    classifier = nn.Sequential(  # torchvision's order: dropout after fc6 and fc7
        nn.Linear(512 * 7 * 7, 4096),
        nn.ReLU(),
        nn.Dropout(p=dropout),
        nn.Linear(4096, 4096),
        nn.ReLU(),
        nn.Dropout(p=dropout),
        nn.Linear(4096, num_classes),
    )
    model = VGG(make_layers(CFGS[cfg], batch_norm, in_channels), classifier, nn.AdaptiveAvgPool2d((7, 7)))
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, 0, 0.01)
            nn.init.zeros_(m.bias)
    return model
