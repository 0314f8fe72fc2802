"""ZFNet (Zeiler & Fergus, "Visualizing and Understanding Convolutional Networks",
ECCV 2014, arXiv:1311.2901), with shapes derived from its Figure 3.

What changed from AlexNet: conv1 is 7x7 with stride 2 (AlexNet: 11x11, stride 4),
and conv2 has stride 2 (AlexNet: stride 1); conv3-5 are single-tower 384-384-256.
The figure's sizes pin down what the text leaves out:

- conv1 on 224: (224 - 7)/2 + 1 = 109.5; its 110 needs padding 1: (224 + 2 - 7) // 2 + 1 = 110.
- pool1 3/2 on 110: floor gives 54, the figure's 55 needs ceil mode; likewise 26 -> 13 after conv2.
- each stage is conv -> ReLU -> max-pool -> contrast normalisation (pool *before* norm,
  unlike AlexNet); the paper gives no normalisation constants, AlexNet's LRN is used.

>>> import torch
>>> from alexnet_course.counting import count_parameters
>>> with torch.device("meta"):
...     count_parameters(zfnet())  # AlexNet single tower minus conv1's 34,944 plus 96*3*7*7 + 96
62357608
"""

from __future__ import annotations

from functools import partial

from torch import nn

from alexnet_course.layers import paper_lrn
from alexnet_course.models.base import ConvNet, alexnet_classifier, check_builder_args

__all__ = ["ZFNet", "zfnet"]


class ZFNet(ConvNet):
    """ZFNet for 224x224 input; ``zfnet()`` builds it."""


def zfnet(num_classes: int = 1000, in_channels: int = 3, dropout: float = 0.5, *, torch_lrn: bool = False) -> ZFNet:
    """ZFNet with Figure 3's shapes: 110, 55, 26, 13, 13, 13, 13, 6 (see the module docstring).

    ``torch_lrn`` uses PyTorch's LocalResponseNorm (alpha 5e-4, same values, faster).
    """
    check_builder_args(num_classes, in_channels, dropout)
    lrn = partial(paper_lrn, torch_impl=torch_lrn)
    features = nn.Sequential(
        nn.Conv2d(in_channels, 96, kernel_size=7, stride=2, padding=1),  # (N, 96, 110, 110)
        nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True),  # (N, 96, 55, 55)
        lrn(),
        nn.Conv2d(96, 256, kernel_size=5, stride=2),  # (N, 256, 26, 26)
        nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True),  # (N, 256, 13, 13)
        lrn(),
        nn.Conv2d(256, 384, kernel_size=3, padding=1),  # (N, 384, 13, 13)
        nn.ReLU(),
        nn.Conv2d(384, 384, kernel_size=3, padding=1),  # (N, 384, 13, 13)
        nn.ReLU(),
        nn.Conv2d(384, 256, kernel_size=3, padding=1),  # (N, 256, 13, 13)
        nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True),  # (N, 256, 6, 6): ceil or floor alike
    )
    return ZFNet(features, alexnet_classifier(256 * 6 * 6, 4096, num_classes, dropout))
