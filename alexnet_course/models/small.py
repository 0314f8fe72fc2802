"""Small versions of AlexNet's relatives for 32x32 grayscale images, trained on a CPU.

Each keeps the design idea of its full network and the small AlexNet's budget
(fc6 and fc7 of 512 units), so lesson 10 can train all of them on the same data
in minutes:

- ``zfnet_small``: ZFNet's change at this scale, a smaller first kernel (3x3 for the
  small AlexNet's 5x5; ZFNet: 7x7 for 11x11). The small AlexNet's conv1 already has
  stride 1, so ZFNet's halved stride has nothing to halve here; the rest is the small
  AlexNet unchanged, so the comparison isolates the first layer.
- ``vgg_small``: a VGG configuration (stacks of 3x3 convs, 2x2 pools) with every width
  divided by 4; five pools take 32 to 1, so the classifier sees the 128 channels.

>>> from alexnet_course.counting import count_parameters
>>> from alexnet_course.models.alexnet import alexnet
>>> count_parameters(zfnet_small()) - count_parameters(alexnet("small"))  # conv1: 32*(9 - 25) weights
-512
>>> vgg_small("D").features[0]
Conv2d(1, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
"""

from __future__ import annotations

from dataclasses import replace

from torch import nn

from alexnet_course.models.alexnet import SMALL, build_alexnet
from alexnet_course.models.base import check_builder_args
from alexnet_course.models.vgg import CFGS, VGG, make_layers
from alexnet_course.models.zfnet import ZFNet

__all__ = ["zfnet_small", "vgg_small", "SMALL_VGG_DIVISOR"]

SMALL_VGG_DIVISOR = 4  # VGG's 64..512 channels become 16..128


def zfnet_small(num_classes: int = 10, in_channels: int = 1, dropout: float = 0.5) -> ZFNet:
    """The small AlexNet with ZFNet's smaller first kernel: conv1 3x3, padding 1 (32 stays 32)."""
    config = replace(SMALL, kernels=(3, *SMALL.kernels[1:]), conv1_padding=1,
                     num_classes=num_classes, in_channels=in_channels,
                     input_size=(in_channels, *SMALL.input_size[1:]))
    net = build_alexnet(config, dropout=dropout)
    return ZFNet(net.features, net.classifier, net.avgpool)


def _scaled_cfg(cfg: str) -> list:
    return [v if v == "M" else v // SMALL_VGG_DIVISOR for v in CFGS[cfg]]


def vgg_small(cfg: str = "D", num_classes: int = 10, in_channels: int = 1, dropout: float = 0.5) -> VGG:
    """VGG configuration ``cfg`` ('A' = 11, 'D' = 16) a quarter as wide, for 32x32 input.

    No batch norm, as in the paper; initialised as torchvision's VGG (Kaiming normal
    convolutions, N(0, 0.01) linears) so that 13 stacked convolutions still train.
    """
    if cfg not in ("A", "B", "D", "E"):
        raise ValueError(f"cfg must be one of A, B, D, E (VGG-11, 13, 16, 19), not {cfg!r}")
    check_builder_args(num_classes, in_channels, dropout)
    features = make_layers(_scaled_cfg(cfg), in_channels=in_channels)
    channels = 512 // SMALL_VGG_DIVISOR
    hidden = SMALL.hidden
    classifier = nn.Sequential(  # VGG's order: dropout after fc6 and fc7
        nn.Linear(channels, hidden), nn.ReLU(), nn.Dropout(dropout),
        nn.Linear(hidden, hidden), nn.ReLU(), nn.Dropout(dropout),
        nn.Linear(hidden, num_classes),
    )
    model = VGG(features, classifier, nn.AdaptiveAvgPool2d((1, 1)))
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, 0, 0.01)
            nn.init.zeros_(m.bias)
    return model
