"""VGG (Simonyan & Zisserman, "Very Deep Convolutional Networks for Large-Scale
Image Recognition", ICLR 2015), built from configuration lists as torchvision's
``vgg.py`` does, so state dicts match torchvision's ``vgg11`` ... ``vgg19``.

Configurations A, B, D, E are VGG-11, -13, -16, -19: stacks of 3x3 convolutions
(padding 1) and 2x2 max-pools ("M"). C is VGG-16 with a 1x1 convolution ending
blocks 3-5, written ``(channels, 1)``. ``vgg_small`` is lesson 10's VGG for 32x32 images.

>>> import torch
>>> from alexnet_course.counting import count_parameters
>>> with torch.device("meta"):  # shapes only: no 138M random numbers to draw
...     count_parameters(vgg("D"))
138357544
"""

from __future__ import annotations

from torch import nn

from alexnet_course._checks import whole
from alexnet_course.models.alexnet import SMALL
from alexnet_course.models.base import ConvNet, alexnet_classifier, check_builder_args

__all__ = ["CFGS", "VGG", "make_layers", "vgg", "vgg_small", "SMALL_DIVISOR"]

CFGS: dict[str, list[int | str | tuple[int, int]]] = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "B": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "C": [64, 64, "M", 128, 128, "M", 256, 256, (256, 1), "M",
          512, 512, (512, 1), "M", 512, 512, (512, 1), "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    "E": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M",
          512, 512, 512, 512, "M", 512, 512, 512, 512, "M"],
}
SMALL_DIVISOR = 4  # vgg_small: VGG's 64..512 channels become 16..128


class VGG(ConvNet):
    """VGG: ``features`` from ``make_layers``, an adaptive average pool to ``pooled`` x ``pooled``,
    then fc6, fc7 of ``hidden`` units and fc8, dropout after fc6 and fc7 (torchvision's order).

    ``__init__`` initialises the weights as torchvision's VGG does (``_init_weights``).

    >>> import torch
    >>> with torch.device("meta"):
    ...     net = VGG(make_layers(CFGS["A"]))
    >>> net.classifier[0]  # fc6 on the 512 x 7 x 7 map
    Linear(in_features=25088, out_features=4096, bias=True)
    """

    def __init__(self, features: nn.Sequential, num_classes: int = 1000, dropout: float = 0.5, *,
                 pooled: int = 7, hidden: int = 4096):
        channels = [m for m in features if isinstance(m, nn.Conv2d)][-1].out_channels  # 512 in VGG
        # AlexNet's three fully connected layers, with dropout after fc6 and fc7 (VGG's order).
        classifier = alexnet_classifier(channels * pooled * pooled, hidden, num_classes, dropout,
                                        dropout_after=True)
        super().__init__(features, classifier, nn.AdaptiveAvgPool2d((pooled, pooled)))
        self._init_weights()

    def _init_weights(self) -> None:
        """torchvision's: Kaiming normal convolutions (fan-out), zero biases, N(0, 0.01) linears.

        Without batch norm, 8 to 16 stacked convolutions only train if each keeps the scale of
        its input; Kaiming's std sqrt(2 / fan) does that through ReLUs. PyTorch's default, std
        1 / sqrt(3 * fan-in), is 0.41 of it: the signal would shrink by about that per layer.
        """
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0, 0.01)
                nn.init.zeros_(m.bias)


def make_layers(
    cfg: list[int | str | tuple[int, int]], batch_norm: bool = False, in_channels: int = 3
) -> nn.Sequential:
    """Conv (3x3, or ``(channels, kernel)``), [BatchNorm], ReLU for each number; a 2x2 max-pool for each "M".

    >>> make_layers([8, "M"], in_channels=1)
    Sequential(
      (0): Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
      (1): ReLU()
      (2): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
    )
    """
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
    cfg: str = "D", num_classes: int = 1000, in_channels: int = 3, batch_norm: bool = False,
    dropout: float = 0.5,
) -> VGG:
    """VGG from configuration ``cfg``: 'A' = VGG-11, 'B' = 13, 'C', 'D' = 16, 'E' = 19."""
    if cfg not in CFGS:
        raise ValueError(f"unknown VGG configuration {cfg!r}; choose one of {', '.join(CFGS)}")
    check_builder_args(num_classes, in_channels, dropout)
    return VGG(make_layers(CFGS[cfg], batch_norm, in_channels), num_classes, dropout)


def vgg_small(cfg: str = "D", num_classes: int = 10, in_channels: int = 1, dropout: float = 0.5) -> VGG:
    """VGG configuration ``cfg`` ('A' = 11, 'B' = 13, 'D' = 16, 'E' = 19) for 32x32 input (lesson 10).

    Every width divided by ``SMALL_DIVISOR`` (4) and fc6, fc7 of 512 units: the small AlexNet's
    budget. Five 2x2 pools take 32 to 1, so the classifier sees the 128 channels. No batch norm,
    as in the paper; the same initialisation as ``vgg``, so 13 stacked convolutions still train.

    >>> vgg_small("D").features[0]
    Conv2d(1, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
    """
    if cfg not in ("A", "B", "D", "E"):
        raise ValueError(f"cfg must be one of A, B, D, E (VGG-11, 13, 16, 19), not {cfg!r}")
    check_builder_args(num_classes, in_channels, dropout)
    narrow = [v if v == "M" else v // SMALL_DIVISOR for v in CFGS[cfg]]
    features = make_layers(narrow, in_channels=in_channels)
    return VGG(features, num_classes, dropout, pooled=1, hidden=SMALL.hidden)
