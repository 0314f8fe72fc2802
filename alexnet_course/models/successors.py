"""The two networks that followed VGG, as torchvision builds them: GoogLeNet (Szegedy et al.,
"Going Deeper with Convolutions", CVPR 2015) and ResNet-18 (He et al., "Deep Residual Learning
for Image Recognition", CVPR 2016). Both end in a global average pool and one small fully
connected layer, which is where AlexNet's and VGG's parameters went (lesson 10).

They are torchvision's own classes, not copies: ``googlenet`` without the two auxiliary
classifiers (used only in training, and not part of the network that is counted or deployed),
``resnet18`` as it is. ``in_channels`` swaps the first convolution for one that reads that many
channels (Fashion-MNIST's one), same kernel, stride and padding.

The small stand-ins (lesson 10 trains them on a CPU) are the same designs a quarter as wide, as
``vgg_small`` is VGG's, built from torchvision's own blocks, and fed 32 × 32 grey images: their
stems (7 × 7/2 and a 3 × 3/2 max-pool) take 32 to 8.

>>> import torch
>>> from alexnet_course.counting import count_parameters
>>> with torch.device("meta"):
...     count_parameters(googlenet()), count_parameters(resnet18())
(6624904, 11689512)
>>> count_parameters(googlenet_small()), count_parameters(resnet18_small())
(355490, 701818)
"""

from __future__ import annotations

from torch import nn
from torchvision import models as tv
from torchvision.models.googlenet import BasicConv2d, Inception
from torchvision.models.resnet import BasicBlock

from alexnet_course._checks import whole
from alexnet_course.models.base import check_builder_args

__all__ = ["googlenet", "resnet18", "googlenet_small", "resnet18_small", "SMALL_DIVISOR"]

SMALL_DIVISOR = 4  # the stand-ins: every width divided by 4, as vgg_small does VGG's


def _read_channels(conv: nn.Conv2d, in_channels: int) -> nn.Conv2d:
    """``conv`` with ``in_channels`` inputs (unchanged, and its weights kept, when they agree)."""
    if conv.in_channels == in_channels:
        return conv
    return nn.Conv2d(in_channels, conv.out_channels, conv.kernel_size, conv.stride, conv.padding,
                     bias=conv.bias is not None)


def googlenet(num_classes: int = 1000, in_channels: int = 3) -> nn.Module:
    """torchvision's GoogLeNet (Inception v1 with batch norm), no auxiliary classifiers.

    >>> net = googlenet(num_classes=10, in_channels=1)
    >>> net.conv1.conv, net.fc
    (Conv2d(1, 64, kernel_size=(7, 7), stride=(2, 2), padding=(3, 3), bias=False), \
Linear(in_features=1024, out_features=10, bias=True))
    """
    check_builder_args(num_classes, in_channels, 0.2)
    # init_weights=True: torchvision's truncated-normal initialisation, set explicitly (its default
    # changes to warn otherwise); transform_input only matters for ImageNet-pretrained weights.
    net = tv.googlenet(weights=None, num_classes=num_classes, aux_logits=False, init_weights=True,
                       transform_input=False)
    net.conv1.conv = _read_channels(net.conv1.conv, in_channels)
    return net


def resnet18(num_classes: int = 1000, in_channels: int = 3) -> nn.Module:
    """torchvision's ResNet-18: a 7 × 7/2 stem, four stages of two residual blocks, global pool.

    >>> resnet18(num_classes=10, in_channels=1).conv1
    Conv2d(1, 64, kernel_size=(7, 7), stride=(2, 2), padding=(3, 3), bias=False)
    """
    check_builder_args(num_classes, in_channels, 0.0)
    net = tv.resnet18(weights=None, num_classes=num_classes)
    net.conv1 = _read_channels(net.conv1, in_channels)
    return net


def googlenet_small(num_classes: int = 10, in_channels: int = 1, divisor: int = SMALL_DIVISOR) -> nn.Module:
    """torchvision's GoogLeNet with every width divided by ``divisor``: its own class, handed
    narrowing versions of its own convolution and inception blocks (its ``blocks`` argument),
    so the layout, pools and initialisation are torchvision's.

    >>> net = googlenet_small()
    >>> net.conv1.conv
    Conv2d(1, 16, kernel_size=(7, 7), stride=(2, 2), padding=(3, 3), bias=False)
    >>> net.inception3a.branch1.conv.out_channels, net.fc
    (16, Linear(in_features=256, out_features=10, bias=True))
    """
    check_builder_args(num_classes, in_channels, 0.2)
    whole(divisor, "divisor")

    def conv_block(c_in: int, c_out: int, **kwargs) -> BasicConv2d:
        # the only block reading the image is conv1, built with 3 input channels
        return BasicConv2d(in_channels if c_in == 3 else c_in // divisor, c_out // divisor, **kwargs)

    def inception_block(*widths: int, **kwargs) -> Inception:
        return Inception(*(w // divisor for w in widths), **kwargs)

    net = tv.GoogLeNet(num_classes=num_classes, aux_logits=False, init_weights=True, transform_input=False,
                       blocks=[conv_block, inception_block, None])
    # the classifier reads inception5b's channels (1,024 in the full net)
    net.fc = nn.Linear(net.fc.in_features // divisor, num_classes)
    nn.init.trunc_normal_(net.fc.weight, mean=0.0, std=0.01, a=-2, b=2)  # torchvision's rule
    return net


def resnet18_small(num_classes: int = 10, in_channels: int = 1, divisor: int = SMALL_DIVISOR) -> nn.Module:
    """torchvision's ResNet-18 with every width divided by ``divisor`` (64-128-256-512 → 16-32-64-128
    at 4): its own class and residual blocks (``BasicBlock``), its stages rebuilt narrower by its
    own ``_make_layer``, and its initialisation applied again.

    >>> net = resnet18_small()
    >>> net.conv1, [stage[0].conv1.out_channels for stage in (net.layer1, net.layer2, net.layer3, net.layer4)]
    (Conv2d(1, 16, kernel_size=(7, 7), stride=(2, 2), padding=(3, 3), bias=False), [16, 32, 64, 128])
    """
    check_builder_args(num_classes, in_channels, 0.0)
    whole(divisor, "divisor")
    net = tv.resnet18(weights=None, num_classes=num_classes)
    widths = [64 // divisor * 2**i for i in range(4)]
    net.conv1 = nn.Conv2d(in_channels, widths[0], kernel_size=7, stride=2, padding=3, bias=False)
    net.bn1 = nn.BatchNorm2d(widths[0])
    net.inplanes = widths[0]  # _make_layer reads and advances it
    net.layer1 = net._make_layer(BasicBlock, widths[0], 2)
    net.layer2 = net._make_layer(BasicBlock, widths[1], 2, stride=2)
    net.layer3 = net._make_layer(BasicBlock, widths[2], 2, stride=2)
    net.layer4 = net._make_layer(BasicBlock, widths[3], 2, stride=2)
    net.fc = nn.Linear(widths[3], num_classes)
    for m in net.modules():  # torchvision's ResNet initialisation, for the rebuilt layers
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.constant_(m.weight, 1)
            nn.init.constant_(m.bias, 0)
    return net
