"""AlexNet (Krizhevsky, Sutskever & Hinton, "ImageNet Classification with Deep
Convolutional Neural Networks", NeurIPS 2012) and the networks that go by its name.

Every variant has the same skeleton: five convolutions (only conv1 strided), ReLU
after each, max-pools after conv1, conv2 and conv5, then fc6, fc7, fc8 with dropout.
They differ in widths, conv1's padding, the two GPU towers, LRN and the input
size; each difference moves the parameter count (see ``AlexNetConfig`` presets):

>>> import torch
>>> from alexnet_course.counting import count_parameters
>>> with torch.device("meta"):  # shapes only: no 60M random numbers to draw
...     [count_parameters(alexnet(v)) for v in ("paper", "single", "torchvision")]
[60965224, 62378344, 61100840]
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, Literal

from torch import nn

from alexnet_course._checks import choice, number, whole
from alexnet_course.arithmetic import trace_arithmetic
from alexnet_course.layers import paper_lrn
from alexnet_course.models.base import ConvNet, alexnet_classifier, check_builder_args

__all__ = ["AlexNetConfig", "VARIANTS", "AlexNet", "alexnet", "build_alexnet", "paper_init_"]

GROUPED = (1, 3, 4)  # conv2, conv4, conv5 see only their own tower; conv3 sees both (paper Fig. 2)
POOLED = (0, 1, 4)  # max-pools follow conv1, conv2 and conv5
NORMALIZED = (0, 1)  # LRN follows the ReLU of conv1 and conv2


@dataclass(frozen=True)
class AlexNetConfig:
    """One network of the AlexNet family; build it with ``build_alexnet(config)``."""

    widths: tuple[int, int, int, int, int]  # output channels of conv1..conv5
    kernels: tuple[int, int, int, int, int]  # kernel sizes; conv2..conv5 are padded kernel // 2 ("same")
    conv1_stride: int  # the only strided convolution
    conv1_padding: int  # 0 (paper, on 227), 2 (torchvision, on 224), 1 (d2l): the 224-vs-227 puzzle
    towers: int  # groups of conv2, conv4, conv5: 2 = the paper's two GPUs, 1 = single tower
    lrn: bool  # LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2) after ReLU of conv1 and conv2
    pool: tuple[int, int]  # max-pool (kernel, stride): (3, 2) overlaps, (2, 2) does not
    avgpool: tuple[int, int] | None  # AdaptiveAvgPool2d output size; None: fc6 is sized for input_size
    hidden: int  # width of fc6 and fc7
    in_channels: int
    num_classes: int
    input_size: tuple[int, int, int]  # the (C, H, W) the variant was designed for
    init: Literal["paper", "pytorch"]  # paper_init_ or PyTorch's default initialisation
    # Not in-place (torchvision uses ReLU(inplace=True)): a hook that keeps a
    # conv's output would otherwise see it rectified afterwards.
    activation: Callable[[], nn.Module] = nn.ReLU


# The 2012 paper: 96-256-384-384-256 split over two GPUs, conv1 11x11/4 unpadded.
# Its text says 224x224 input, but (224 - 11)/4 + 1 = 54.25; its 55x55 needs 227.
PAPER = AlexNetConfig(
    widths=(96, 256, 384, 384, 256), kernels=(11, 5, 3, 3, 3), conv1_stride=4, conv1_padding=0,
    towers=2, lrn=True, pool=(3, 2), avgpool=None, hidden=4096,
    in_channels=3, num_classes=1000, input_size=(3, 227, 227), init="paper",
)
# The same net on one GPU: conv2, conv4, conv5 see all channels, 1,413,120 more weights.
SINGLE = replace(PAPER, towers=1)
# torchvision's alexnet(): the 2014 "one weird trick" net (Krizhevsky, arXiv:1404.5997),
# 64-192-384-256-256, no LRN, conv1 padded by 2 so 224 works, adaptive average pool.
TORCHVISION = replace(
    SINGLE, widths=(64, 192, 384, 256, 256), conv1_padding=2, lrn=False, avgpool=(6, 6),
    input_size=(3, 224, 224), init="pytorch",
)
# Narrow AlexNet for 28-64 px grayscale images (Fashion-MNIST) trained on a CPU:
# conv1 5x5/1 instead of 11x11/4 for tiny images; widths a third to a quarter of
# the paper's, fc 512; the rest of the shape kept. On 32x32 the maps go
# 32 -> 15 -> 15 -> 7 -> 7 -> 3 (on 28: 28 -> 13 -> 6 -> 2, averaged up to 3x3).
SMALL = replace(
    SINGLE, widths=(32, 64, 96, 96, 64), kernels=(5, 5, 3, 3, 3), conv1_stride=1, conv1_padding=2,
    lrn=False, avgpool=(3, 3), hidden=512, in_channels=1, num_classes=10, input_size=(1, 32, 32),
    init="pytorch",
)
# A Keras write-up: single tower, no LRN, 1-channel 224 input, conv1 unpadded -> 54,
# then 26, 12, 5: fc6 gets 256*5*5 = 6400 features; 50,820,776 parameters.
KERAS_1CH = replace(SINGLE, lrn=False, in_channels=1, input_size=(1, 224, 224), init="pytorch")
# A PaddlePaddle write-up reaches 9216 features from 224 with conv1 padding 1 and
# pool1 padding 2 (54 -> 28 -> 13 -> 6). PyTorch refuses a padding of 2 on a 3x3
# pool (at most kernel // 2), so here it is the single-tower net it equals in
# parameters (62,378,344), on 227 input.
PADDLE = SINGLE
# d2l.ai's AlexNet (chapter "Deep CNNs"): conv1 padding 1 on 224 -> 54, 26, 12, 5,
# fc6 on 6400 features, no LRN, 1-channel Fashion-MNIST resized to 224, 10 classes.
D2L = replace(KERAS_1CH, conv1_padding=1, num_classes=10)

VARIANTS: dict[str, AlexNetConfig] = {
    "paper": PAPER,
    "single": SINGLE,
    "torchvision": TORCHVISION,
    "small": SMALL,
    "keras_1ch": KERAS_1CH,
    "paddle": PADDLE,
    "d2l": D2L,
}


class AlexNet(ConvNet):
    """AlexNet-shaped network; make one with ``alexnet(variant)`` or ``build_alexnet(config)``."""


def build_alexnet(config: AlexNetConfig, dropout: float = 0.5, torch_lrn: bool = False) -> AlexNet:
    """The network ``config`` describes.

    ``torch_lrn`` uses PyTorch's ``nn.LocalResponseNorm(5, alpha=5e-4, beta=0.75, k=2.0)``
    (faster, same values) instead of the course's ``LocalResponseNorm`` (alpha=1e-4).
    """
    check_builder_args(config.num_classes, config.in_channels, dropout)
    whole(config.hidden, "hidden")
    choice(config.init, "init", ("paper", "pytorch"))
    layers: list[nn.Module] = []
    channels = config.in_channels
    for i, (width, kernel) in enumerate(zip(config.widths, config.kernels)):
        stride, padding = (config.conv1_stride, config.conv1_padding) if i == 0 else (1, kernel // 2)
        groups = config.towers if i in GROUPED else 1
        layers += [nn.Conv2d(channels, width, kernel, stride, padding, groups=groups), config.activation()]
        if config.lrn and i in NORMALIZED:
            layers.append(paper_lrn(torch_impl=torch_lrn))
        if i in POOLED:
            layers.append(nn.MaxPool2d(*config.pool))
        channels = width
    features = nn.Sequential(*layers)

    if config.avgpool is None:
        avgpool = None
        # fc6's width follows from the input size: the formulas give the last map's shape.
        flat = trace_arithmetic(features, config.input_size)[-1].shape  # e.g. (256, 6, 6)
    else:
        avgpool = nn.AdaptiveAvgPool2d(config.avgpool)
        flat = (channels, *config.avgpool)
    c, h, w = flat
    classifier = alexnet_classifier(c * h * w, config.hidden, config.num_classes, dropout, config.activation)
    model = AlexNet(features, classifier, avgpool)
    if config.init == "paper":
        paper_init_(model)
    return model


def _scaled(channels: int, width: float, towers: int) -> int:
    """``channels * width``, a multiple of ``towers`` so grouped convolutions still split evenly."""
    return max(towers, round(channels * width / towers) * towers)


def alexnet(
    variant: str = "paper",
    num_classes: int | None = None,
    in_channels: int | None = None,
    dropout: float = 0.5,
    *,
    width: float = 1.0,
    torch_lrn: bool = False,
    init: Literal["paper", "pytorch"] | None = None,
) -> AlexNet:
    """An AlexNet variant by name: paper, single, torchvision, small, keras_1ch, paddle, d2l.

    ``num_classes``, ``in_channels`` and ``init`` default to the variant's own
    (e.g. d2l: 1 channel, 10 classes); ``width`` scales every conv and hidden FC
    width (the small variant with ``width=2`` has 64-128-192-192-128 channels, fc 1024).

    >>> model = alexnet("paper", width=1 / 8)  # 12-32-48-48-32, fc 512: the same layout, small
    >>> model.features[0]
    Conv2d(3, 12, kernel_size=(11, 11), stride=(4, 4))
    >>> model.features[4]  # conv2: two towers
    Conv2d(12, 32, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2), groups=2)
    """
    if variant not in VARIANTS:
        raise ValueError(f"unknown AlexNet variant {variant!r}; choose one of {', '.join(VARIANTS)}")
    number(width, "width", 0, low_open=True)
    config = VARIANTS[variant]
    channels = config.in_channels if in_channels is None else in_channels
    config = replace(
        config,
        widths=tuple(_scaled(c, width, config.towers) for c in config.widths),
        hidden=max(1, round(config.hidden * width)),
        num_classes=config.num_classes if num_classes is None else num_classes,
        in_channels=channels,
        input_size=(channels, *config.input_size[1:]),
        init=config.init if init is None else init,
    )
    return build_alexnet(config, dropout=dropout, torch_lrn=torch_lrn)


def paper_init_(model: nn.Module) -> nn.Module:
    """The paper's initialisation (§5), in place: every weight ~ N(0, 0.01);
    biases 1 in conv2, conv4, conv5, fc6 and fc7 ("to accelerate the early stages
    of learning by providing the ReLUs with positive inputs"), 0 in conv1, conv3, fc8.
    """
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    fcs = [m for m in model.modules() if isinstance(m, nn.Linear)]
    if len(convs) != 5 or len(fcs) != 3:
        raise ValueError(f"paper_init_ needs AlexNet's 5 convs and 3 linears, found {len(convs)} and {len(fcs)}")
    ones = [convs[1], convs[3], convs[4], fcs[0], fcs[1]]
    for m in convs + fcs:
        nn.init.normal_(m.weight, mean=0.0, std=0.01)
        nn.init.constant_(m.bias, 1.0 if any(m is one for one in ones) else 0.0)
    return model
