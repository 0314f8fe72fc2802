"""ZFNet (Zeiler & Fergus, "Visualizing and Understanding Convolutional Networks",
ECCV 2014, arXiv:1311.2901), with shapes derived from its Figure 3.

What changed from AlexNet: conv1 is 7x7 with stride 2 (AlexNet: 11x11, stride 4),
and conv2 has stride 2 (AlexNet: stride 1); conv3-5 are single-tower 384-384-256.
The figure's sizes pin down what the text leaves out:

- conv1 on 224: (224 - 7)/2 + 1 = 109.5; its 110 needs padding 1: (224 + 2 - 7) // 2 + 1 = 110.
- pool1 3/2 on 110: floor gives 54, the figure's 55 needs ceil mode; likewise 26 -> 13 after conv2.
- each stage is conv -> ReLU -> max-pool -> contrast normalisation (pool *before* norm,
  unlike AlexNet); the paper gives no normalisation constants, AlexNet's LRN is used.

The ``ZFNet`` class builds both the paper's network (``zfnet()``) and lesson 10's small
ZFNet for 32x32 images (``zfnet_small()``).

>>> import torch
>>> from alexnet_course.counting import count_parameters
>>> with torch.device("meta"):
...     count_parameters(zfnet())  # AlexNet single tower minus conv1's 34,944 plus 96*3*7*7 + 96
62357608
"""

from __future__ import annotations

from torch import nn

from alexnet_course.arithmetic import conv_output_size, pool_output_size
from alexnet_course.layers import paper_lrn
from alexnet_course.models.alexnet import SMALL
from alexnet_course.models.base import ConvNet, alexnet_classifier, check_builder_args

__all__ = ["ZFNet", "zfnet", "zfnet_small"]

Conv = tuple[int, int, int]  # (kernel, stride, padding)


def _pool() -> nn.MaxPool2d:
    """ZFNet's max-pool: AlexNet's 3x3/2, in ceil mode (the figure's 110 -> 55 and 26 -> 13)."""
    return nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True)


def _pool5_side(n: int, conv1: Conv, conv2: Conv) -> int:
    """The side of pool5's map for an input side ``n``: the output-size formulas, layer by layer.

    >>> _pool5_side(224, (7, 2, 1), (5, 2, 0))  # 224 -> 110 -> 55 -> 26 -> 13 -> 13 -> 6
    6
    """
    n = conv_output_size(n, *conv1, layer="conv1")
    n = pool_output_size(n, 3, 2, ceil_mode=True, layer="pool1")
    n = conv_output_size(n, *conv2, layer="conv2")
    n = pool_output_size(n, 3, 2, ceil_mode=True, layer="pool2")  # conv3-5 (3x3, padding 1) keep it
    return pool_output_size(n, 3, 2, ceil_mode=True, layer="pool5")


class ZFNet(ConvNet):
    """ZFNet's eight layers; the defaults are the paper's network for 224x224 input.

    conv1 and conv2 (``(kernel, stride, padding)`` each) -> ReLU -> max-pool -> LRN, then
    three 3x3 convolutions and a max-pool; every pool 3x3/2 in ceil mode. fc6, fc7, fc8 as in
    AlexNet. ``lrn=False`` leaves the normalisation out. With ``avgpool`` (rows, cols) pool5's
    map is averaged to that size so any input size reaches fc6; without it fc6 takes pool5's
    map whole, sized by the formulas for ``input_size`` x ``input_size`` input.
    ``torch_lrn`` uses PyTorch's LocalResponseNorm (alpha 5e-4, same values, faster).

    >>> import torch
    >>> with torch.device("meta"):
    ...     net = ZFNet()
    >>> net.features[4]  # conv2, strided: 55 -> 26
    Conv2d(96, 256, kernel_size=(5, 5), stride=(2, 2))
    >>> net.classifier[1].in_features  # 256 * 6 * 6, as in AlexNet
    9216
    """

    def __init__(
        self, num_classes: int = 1000, in_channels: int = 3, dropout: float = 0.5, *,
        widths: tuple[int, int, int, int, int] = (96, 256, 384, 384, 256), hidden: int = 4096,
        conv1: Conv = (7, 2, 1), conv2: Conv = (5, 2, 0), lrn: bool = True,
        avgpool: tuple[int, int] | None = None, input_size: int = 224, torch_lrn: bool = False,
    ):
        check_builder_args(num_classes, in_channels, dropout)
        if avgpool is None:  # fc6 takes pool5's map whole: its size follows from the input's
            rows = cols = _pool5_side(input_size, conv1, conv2)
        else:
            rows, cols = avgpool
        w1, w2, w3, w4, w5 = widths

        def norm() -> list[nn.Module]:  # after pool1 and pool2 (AlexNet: before them)
            return [paper_lrn(torch_impl=torch_lrn)] if lrn else []

        # Shapes for the paper's net on 224, then for zfnet_small on 32.
        features = nn.Sequential(
            nn.Conv2d(in_channels, w1, *conv1),  # conv1: (N, 96, 110, 110); (N, 32, 32, 32)
            nn.ReLU(),
            _pool(),  # (N, 96, 55, 55); (N, 32, 16, 16)
            *norm(),
            nn.Conv2d(w1, w2, *conv2),  # conv2: (N, 256, 26, 26); (N, 64, 16, 16)
            nn.ReLU(),
            _pool(),  # (N, 256, 13, 13); (N, 64, 8, 8)
            *norm(),
            nn.Conv2d(w2, w3, kernel_size=3, padding=1),  # conv3: (N, 384, 13, 13); (N, 96, 8, 8)
            nn.ReLU(),
            nn.Conv2d(w3, w4, kernel_size=3, padding=1),  # conv4: (N, 384, 13, 13); (N, 96, 8, 8)
            nn.ReLU(),
            nn.Conv2d(w4, w5, kernel_size=3, padding=1),  # conv5: (N, 256, 13, 13); (N, 64, 8, 8)
            nn.ReLU(),
            _pool(),  # (N, 256, 6, 6): ceil or floor alike; (N, 64, 4, 4)
        )
        pool = None if avgpool is None else nn.AdaptiveAvgPool2d(avgpool)  # zfnet_small: (N, 64, 3, 3)
        super().__init__(features, alexnet_classifier(w5 * rows * cols, hidden, num_classes, dropout), pool)


def zfnet(num_classes: int = 1000, in_channels: int = 3, dropout: float = 0.5, *,
          torch_lrn: bool = False) -> ZFNet:
    """ZFNet with Figure 3's shapes: 110, 55, 26, 13, 13, 13, 13, 6 (see the module docstring)."""
    return ZFNet(num_classes, in_channels, dropout, torch_lrn=torch_lrn)


def zfnet_small(num_classes: int = 10, in_channels: int = 1, dropout: float = 0.5) -> ZFNet:
    """ZFNet for 32x32 grayscale images on the small AlexNet's budget (lesson 10).

    ZFNet gave conv1 a smaller kernel and half the stride (11x11/4 -> 7x7/2) and handed the
    other factor 2 to conv2 (stride 1 -> 2), so conv3 still sees 13x13. The small AlexNet's
    conv1 is 5x5 with stride 1: its kernel shrinks the same way (5x5 -> 3x3, padded so 32 stays
    32), but there is no stride left to halve, so conv2 keeps stride 1 (with stride 2, conv3
    would see 4x4 and pool5 give 2x2). The pools are ZFNet's (ceil mode): 32 -> 16 -> 8 -> 4.
    The widths 32-64-96-96-64, fc 512, no LRN and the 3x3 average pool before fc6 are the small
    AlexNet's (``SMALL``), so only conv1 and the pools differ from it, and 28-64 px inputs work.

    >>> from alexnet_course.counting import count_parameters
    >>> count_parameters(zfnet_small())  # the small AlexNet's 809,098 less conv1's 32 * (25 - 9) weights
    808586

    By hand: conv1 32*1*3*3 + 32 = 320; conv2 64*32*5*5 + 64 = 51,264; conv3 96*64*9 + 96 = 55,392;
    conv4 96*96*9 + 96 = 83,040; conv5 64*96*9 + 64 = 55,360; fc6 (64*3*3)*512 + 512 = 295,424;
    fc7 512*512 + 512 = 262,656; fc8 512*10 + 10 = 5,130; in all 808,586.
    """
    return ZFNet(num_classes, in_channels, dropout, widths=SMALL.widths, hidden=SMALL.hidden,
                 conv1=(3, 1, 1), conv2=(5, 1, 2), lrn=SMALL.lrn, avgpool=SMALL.avgpool)
