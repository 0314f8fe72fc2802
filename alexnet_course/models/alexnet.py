"""AlexNet (Krizhevsky, Sutskever & Hinton, "ImageNet Classification with Deep
Convolutional Neural Networks", NeurIPS 2012) and the networks that go by its name.

Two of them are written out layer by layer, as torchvision writes its models:
``AlexNetPaper``, the 2012 network split over two GPUs, and ``AlexNetTorchvision``, the
2014 network torchvision ships. The others differ from the paper's in widths, conv1,
LRN, pools or input size, which is what the lessons vary, so they are ``AlexNetConfig``
presets that ``build_alexnet`` turns into a network (and ``test_models`` checks that
``build_alexnet(PAPER)`` and ``build_alexnet(TORCHVISION)`` are the two written-out nets).
``alexnet(variant)`` returns any of them by name; each difference moves the parameter count:

>>> import torch
>>> from alexnet_course.counting import count_parameters
>>> with torch.device("meta"):  # shapes only: no 60M random numbers to draw
...     nets = [alexnet(v) for v in ("paper", "single", "torchvision")]
>>> [count_parameters(net) for net in nets]
[60965224, 62378344, 61100840]
>>> [type(net).__name__ for net in nets]
['AlexNetPaper', 'AlexNet', 'AlexNetTorchvision']
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial
from typing import Literal

from torch import nn

from alexnet_course._checks import choice, number, whole
from alexnet_course.arithmetic import conv_output_size, pool_output_size
from alexnet_course.layers import paper_lrn
from alexnet_course.models.base import ConvNet, alexnet_classifier, check_builder_args, weighted_layers

__all__ = [
    "AlexNetConfig", "PAPER", "SINGLE", "TORCHVISION", "SMALL", "KERAS_1CH", "PADDLE", "D2L", "VARIANTS",
    "AlexNet", "AlexNetPaper", "AlexNetTorchvision", "alexnet", "build_alexnet", "scaled", "paper_init_",
]

Init = Literal["paper", "pytorch"]


@dataclass(frozen=True)
class AlexNetConfig:
    """One network of the AlexNet family; build it with ``build_alexnet(config)``.

    Every one has the same skeleton: five convolutions (only conv1 strided), a ReLU after
    each, max-pools after conv1, conv2 and conv5, then fc6, fc7, fc8 with dropout: on the
    inputs of fc6 and fc7 (torchvision's reading of the paper), or with ``dropout_after`` on
    their outputs, after their ReLUs (d2l's reading).
    """

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
    init: Init  # paper_init_ or PyTorch's default initialisation
    dropout_after: bool = False  # dropout after fc6's and fc7's ReLU (d2l) instead of before fc6 and fc7


# The 2012 paper: 96-256-384-384-256 split over two GPUs, conv1 11x11/4 unpadded.
# Its text says 224x224 input, but (224 - 11)/4 + 1 = 54.25; its 55x55 needs 227.
PAPER = AlexNetConfig(
    widths=(96, 256, 384, 384, 256), kernels=(11, 5, 3, 3, 3), conv1_stride=4, conv1_padding=0,
    towers=2, lrn=True, pool=(3, 2), avgpool=None, hidden=4096,
    in_channels=3, num_classes=1000, input_size=(3, 227, 227), init="paper",
)
# The same net on one GPU: conv2, conv4, conv5 see all channels, 1,413,120 more weights.
SINGLE = AlexNetConfig(
    widths=(96, 256, 384, 384, 256), kernels=(11, 5, 3, 3, 3), conv1_stride=4, conv1_padding=0,
    towers=1, lrn=True, pool=(3, 2), avgpool=None, hidden=4096,
    in_channels=3, num_classes=1000, input_size=(3, 227, 227), init="paper",
)
# torchvision's alexnet(): the 2014 "one weird trick" net (Krizhevsky, arXiv:1404.5997),
# 64-192-384-256-256, no LRN, conv1 padded by 2 so 224 works, adaptive average pool.
TORCHVISION = AlexNetConfig(
    widths=(64, 192, 384, 256, 256), kernels=(11, 5, 3, 3, 3), conv1_stride=4, conv1_padding=2,
    towers=1, lrn=False, pool=(3, 2), avgpool=(6, 6), hidden=4096,
    in_channels=3, num_classes=1000, input_size=(3, 224, 224), init="pytorch",
)
# The course's AlexNet for 28-64 px grayscale images (Fashion-MNIST) trained on a CPU:
# conv1 5x5/1 instead of 11x11/4 for tiny images; widths a third to a quarter of
# the paper's, fc 512; the rest of the shape kept. On 32x32 the maps go
# 32 -> 15 -> 15 -> 7 -> 7 -> 3 (on 28: 28 -> 13 -> 6 -> 2, averaged up to 3x3).
SMALL = AlexNetConfig(
    widths=(32, 64, 96, 96, 64), kernels=(5, 5, 3, 3, 3), conv1_stride=1, conv1_padding=2,
    towers=1, lrn=False, pool=(3, 2), avgpool=(3, 3), hidden=512,
    in_channels=1, num_classes=10, input_size=(1, 32, 32), init="pytorch",
)
# A Keras write-up: single tower, no LRN, 1-channel 224 input, conv1 unpadded -> 54,
# then 26, 12, 5: fc6 gets 256*5*5 = 6400 features; 50,820,776 parameters.
KERAS_1CH = AlexNetConfig(
    widths=(96, 256, 384, 384, 256), kernels=(11, 5, 3, 3, 3), conv1_stride=4, conv1_padding=0,
    towers=1, lrn=False, pool=(3, 2), avgpool=None, hidden=4096,
    in_channels=1, num_classes=1000, input_size=(1, 224, 224), init="pytorch",
)
# A PaddlePaddle write-up reaches 9216 features from 224 with conv1 padding 1 and
# pool1 padding 2 (54 -> 28 -> 13 -> 6). PyTorch refuses a padding of 2 on a 3x3
# pool (at most kernel // 2), so here it is the single-tower net it equals in
# parameters (62,378,344), on 227 input.
PADDLE = SINGLE
# d2l.ai's AlexNet (chapter "Deep CNNs"): conv1 padding 1 on 224 -> 54, 26, 12, 5,
# fc6 on 6400 features, no LRN, 1-channel Fashion-MNIST resized to 224, 10 classes,
# and dropout after the ReLUs of fc6 and fc7: its layers are the chapter's, in its order.
D2L = AlexNetConfig(
    widths=(96, 256, 384, 384, 256), kernels=(11, 5, 3, 3, 3), conv1_stride=4, conv1_padding=1,
    towers=1, lrn=False, pool=(3, 2), avgpool=None, hidden=4096,
    in_channels=1, num_classes=10, input_size=(1, 224, 224), init="pytorch", dropout_after=True,
)

VARIANTS: dict[str, AlexNetConfig] = {
    "paper": PAPER,
    "single": SINGLE,
    "torchvision": TORCHVISION,
    "small": SMALL,
    "keras_1ch": KERAS_1CH,
    "paddle": PADDLE,
    "d2l": D2L,
}


def _check_args(num_classes, in_channels, dropout, init) -> None:
    """Refuse impossible arguments with a ValueError, before any layer is built."""
    check_builder_args(num_classes, in_channels, dropout)
    choice(init, "init", ("paper", "pytorch"))


class AlexNet(ConvNet):
    """Any network of the AlexNet family. ``build_alexnet(config)`` makes one from a config;
    ``AlexNetPaper`` and ``AlexNetTorchvision`` are two written out.

    Its ReLUs are not in-place (torchvision's are): a hook that keeps a conv's output
    would otherwise see it rectified afterwards.
    """

    def _init_weights(self, init: Init) -> None:
        """``"paper"``: the paper's N(0, 0.01) weights and biases of 1 (``paper_init_``).
        ``"pytorch"``: keep what each layer drew when it was built (uniform, ±1/sqrt(fan-in)).
        """
        if init == "paper":
            paper_init_(self)


class AlexNetPaper(AlexNet):
    """The 2012 network of the paper's Figure 2, on 3x227x227 input; 60,965,224 parameters.

    Two GTX 580s each held half the kernels of every layer. conv2, conv4 and conv5 read only
    their own GPU's maps, which on one device is ``groups=2``; conv3 and the FC layers read
    both GPUs. LRN follows the ReLUs of conv1 and conv2 (§3.3); the max-pools overlap (3x3,
    stride 2, §3.4). The text says 224x224 input, but only 227 gives its 55x55 (lesson 01).
    ``torch_lrn`` uses PyTorch's ``nn.LocalResponseNorm`` (alpha 5e-4: the same values, faster).

    >>> import torch
    >>> with torch.device("meta"):
    ...     net = AlexNetPaper()
    >>> net.features[4]  # conv2: each tower's 128 kernels see its own 48 maps
    Conv2d(96, 256, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2), groups=2)
    >>> net(torch.zeros(2, 3, 227, 227, device="meta")).shape
    torch.Size([2, 1000])
    """

    def __init__(self, num_classes: int = 1000, in_channels: int = 3, dropout: float = 0.5, *,
                 torch_lrn: bool = False, init: Init = "paper"):
        _check_args(num_classes, in_channels, dropout, init)
        lrn = partial(paper_lrn, torch_impl=torch_lrn)
        features = nn.Sequential(
            nn.Conv2d(in_channels, 96, kernel_size=11, stride=4),  # conv1: (N, 96, 55, 55)
            nn.ReLU(),
            lrn(),
            nn.MaxPool2d(kernel_size=3, stride=2),  # (N, 96, 27, 27)
            nn.Conv2d(96, 256, kernel_size=5, padding=2, groups=2),  # conv2: (N, 256, 27, 27)
            nn.ReLU(),
            lrn(),
            nn.MaxPool2d(kernel_size=3, stride=2),  # (N, 256, 13, 13)
            nn.Conv2d(256, 384, kernel_size=3, padding=1),  # conv3, across the towers: (N, 384, 13, 13)
            nn.ReLU(),
            nn.Conv2d(384, 384, kernel_size=3, padding=1, groups=2),  # conv4: (N, 384, 13, 13)
            nn.ReLU(),
            nn.Conv2d(384, 256, kernel_size=3, padding=1, groups=2),  # conv5: (N, 256, 13, 13)
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=3, stride=2),  # (N, 256, 6, 6)
        )
        # Dropout *before* fc6 and fc7: the paper drops "in the first two fully-connected
        # layers"; torchvision reads that as dropping their inputs, and so does the course.
        classifier = nn.Sequential(
            nn.Dropout(p=dropout),
            nn.Linear(256 * 6 * 6, 4096),  # fc6: (N, 4096)
            nn.ReLU(),
            nn.Dropout(p=dropout),
            nn.Linear(4096, 4096),  # fc7: (N, 4096)
            nn.ReLU(),
            nn.Linear(4096, num_classes),  # fc8: (N, num_classes)
        )
        super().__init__(features, classifier)  # no avgpool: fc6 is sized for 227x227 input
        self._init_weights(init)


class AlexNetTorchvision(AlexNet):
    """torchvision's ``alexnet()``: the single-tower net of Krizhevsky's 2014 "One weird trick"
    (arXiv:1404.5997), on 3x224x224 input; 61,100,840 parameters, the same ``state_dict``
    keys and shapes as ``torchvision.models.alexnet()``.

    From the paper's net: 64-192-384-256-256 kernels, no LRN, no towers, conv1 padded by 2
    (so that 224 gives 55), and an adaptive average pool that lets other input sizes reach fc6.

    >>> import torch
    >>> with torch.device("meta"):
    ...     net = AlexNetTorchvision()
    >>> net.features[0]
    Conv2d(3, 64, kernel_size=(11, 11), stride=(4, 4), padding=(2, 2))
    >>> net(torch.zeros(2, 3, 256, 256, device="meta")).shape  # the avgpool takes any size
    torch.Size([2, 1000])
    """

    def __init__(self, num_classes: int = 1000, in_channels: int = 3, dropout: float = 0.5, *,
                 init: Init = "pytorch"):
        _check_args(num_classes, in_channels, dropout, init)
        features = nn.Sequential(
            nn.Conv2d(in_channels, 64, kernel_size=11, stride=4, padding=2),  # conv1: (N, 64, 55, 55)
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=3, stride=2),  # (N, 64, 27, 27)
            nn.Conv2d(64, 192, kernel_size=5, padding=2),  # conv2: (N, 192, 27, 27)
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=3, stride=2),  # (N, 192, 13, 13)
            nn.Conv2d(192, 384, kernel_size=3, padding=1),  # conv3: (N, 384, 13, 13)
            nn.ReLU(),
            nn.Conv2d(384, 256, kernel_size=3, padding=1),  # conv4: (N, 256, 13, 13)
            nn.ReLU(),
            nn.Conv2d(256, 256, kernel_size=3, padding=1),  # conv5: (N, 256, 13, 13)
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=3, stride=2),  # (N, 256, 6, 6)
        )
        avgpool = nn.AdaptiveAvgPool2d((6, 6))  # (N, 256, 6, 6) whatever the input size
        # fc6, fc7, fc8 and their dropouts: layer for layer those of the paper's net above.
        classifier = alexnet_classifier(256 * 6 * 6, 4096, num_classes, dropout)
        super().__init__(features, classifier, avgpool)
        self._init_weights(init)


def _pool5_side(n: int, config: AlexNetConfig) -> int:
    """The side of pool5's map for an input side ``n``: the output-size formulas, layer by layer.

    >>> _pool5_side(227, PAPER), _pool5_side(224, PAPER)  # fc6 on 256*6*6 = 9216 or 256*5*5 = 6400
    (6, 5)
    """
    k1, k2, k3, k4, k5 = config.kernels
    n = conv_output_size(n, k1, config.conv1_stride, config.conv1_padding, layer="conv1")  # 227 -> 55
    n = pool_output_size(n, *config.pool, layer="pool1")  # 27
    n = conv_output_size(n, k2, padding=k2 // 2, layer="conv2")  # "same" padding: 27 stays 27
    n = pool_output_size(n, *config.pool, layer="pool2")  # 13
    n = conv_output_size(n, k3, padding=k3 // 2, layer="conv3")
    n = conv_output_size(n, k4, padding=k4 // 2, layer="conv4")
    n = conv_output_size(n, k5, padding=k5 // 2, layer="conv5")  # 13
    return pool_output_size(n, *config.pool, layer="pool5")  # 6


def build_alexnet(config: AlexNetConfig, dropout: float = 0.5, torch_lrn: bool = False) -> AlexNet:
    """The network ``config`` describes, layer for layer in ``AlexNetPaper``'s order (and, without
    LRN, in ``AlexNetTorchvision``'s), so module indices and ``state_dict`` keys are theirs;
    with ``config.dropout_after`` (d2l) the classifier's dropouts follow fc6's and fc7's ReLUs.

    Without ``config.avgpool``, fc6 takes pool5's map whole, sized for ``config.input_size``.
    ``torch_lrn`` uses PyTorch's ``nn.LocalResponseNorm(5, alpha=5e-4, beta=0.75, k=2.0)``
    (faster, same values) instead of the course's ``LocalResponseNorm`` (alpha=1e-4).

    >>> import torch
    >>> with torch.device("meta"):
    ...     net = build_alexnet(replace(PAPER, pool=(2, 2)))  # non-overlapping: 55 -> 27 -> 13 -> 6
    >>> net.features[3]
    MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
    >>> net.classifier[1]  # fc6 on 256*6*6, as with the paper's 3x3 pools
    Linear(in_features=9216, out_features=4096, bias=True)
    """
    c = config
    _check_args(c.num_classes, c.in_channels, dropout, c.init)
    whole(c.hidden, "hidden")
    if c.avgpool is None:  # fc6 takes pool5's map whole: its size follows from the input's
        rows, cols = _pool5_side(c.input_size[1], c), _pool5_side(c.input_size[2], c)
    else:
        rows, cols = c.avgpool
    (w1, w2, w3, w4, w5), (k1, k2, k3, k4, k5), towers = c.widths, c.kernels, c.towers
    pool = partial(nn.MaxPool2d, *c.pool)

    def lrn() -> list[nn.Module]:  # after the ReLUs of conv1 and conv2, in the variants that have it
        return [paper_lrn(torch_impl=torch_lrn)] if c.lrn else []

    features = nn.Sequential(
        nn.Conv2d(c.in_channels, w1, k1, c.conv1_stride, c.conv1_padding), nn.ReLU(), *lrn(), pool(),  # conv1
        nn.Conv2d(w1, w2, k2, padding=k2 // 2, groups=towers), nn.ReLU(), *lrn(), pool(),  # conv2: own tower
        nn.Conv2d(w2, w3, k3, padding=k3 // 2), nn.ReLU(),  # conv3 reads both towers
        nn.Conv2d(w3, w4, k4, padding=k4 // 2, groups=towers), nn.ReLU(),  # conv4
        nn.Conv2d(w4, w5, k5, padding=k5 // 2, groups=towers), nn.ReLU(), pool(),  # conv5
    )
    avgpool = None if c.avgpool is None else nn.AdaptiveAvgPool2d(c.avgpool)
    classifier = alexnet_classifier(w5 * rows * cols, c.hidden, c.num_classes, dropout,
                                    dropout_after=c.dropout_after)
    model = AlexNet(features, classifier, avgpool)
    model._init_weights(c.init)
    return model


def scaled(config: AlexNetConfig, width: float) -> AlexNetConfig:
    """``config`` with every conv width and fc6/fc7 times ``width``, the conv widths rounded to
    multiples of the towers so grouped convolutions still split evenly: the one way the course
    shrinks a variant while keeping its layout.

    >>> scaled(PAPER, 1 / 8).widths, scaled(PAPER, 1 / 8).hidden
    ((12, 32, 48, 48, 32), 512)
    """
    number(width, "width", 0, low_open=True)
    towers = config.towers
    widths = tuple(max(towers, round(c * width / towers) * towers) for c in config.widths)
    return replace(config, widths=widths, hidden=max(1, round(config.hidden * width)))


def alexnet(
    variant: str = "paper",
    num_classes: int | None = None,
    in_channels: int | None = None,
    dropout: float = 0.5,
    *,
    width: float = 1.0,
    torch_lrn: bool = False,
    init: Init | None = None,
) -> AlexNet:
    """An AlexNet variant by name: paper, single, torchvision, small, keras_1ch, paddle, d2l.

    ``num_classes``, ``in_channels`` and ``init`` default to the variant's own (e.g. d2l:
    1 channel, 10 classes). "paper" and "torchvision" are ``AlexNetPaper`` and
    ``AlexNetTorchvision``; the others are built from ``VARIANTS[variant]``.

    ``width`` is the one way to shrink (or widen) a variant while keeping its layout
    (:func:`scaled`; the network is then built from the variant's config). For small images
    on a CPU use the "small" variant, which is designed for them; ``alexnet("small", width=2)``
    has 64-128-192-192-128 channels, fc 1024.

    >>> model = alexnet("paper", width=1 / 8)  # 12-32-48-48-32, fc 512: the same layout, small
    >>> model.features[0]
    Conv2d(3, 12, kernel_size=(11, 11), stride=(4, 4))
    >>> model.features[4]  # conv2: two towers
    Conv2d(12, 32, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2), groups=2)
    >>> import torch
    >>> with torch.device("meta"):
    ...     d2l = alexnet("d2l")  # d2l's chapter net: dropout after fc6's and fc7's ReLU
    >>> [type(m).__name__ for m in d2l.classifier]
    ['Linear', 'ReLU', 'Dropout', 'Linear', 'ReLU', 'Dropout', 'Linear']
    """
    if variant not in VARIANTS:
        raise ValueError(f"unknown AlexNet variant {variant!r}; choose one of {', '.join(VARIANTS)}")
    config = scaled(VARIANTS[variant], width)
    num_classes = config.num_classes if num_classes is None else num_classes
    in_channels = config.in_channels if in_channels is None else in_channels
    init = config.init if init is None else init
    if width == 1 and variant == "paper":
        return AlexNetPaper(num_classes, in_channels, dropout, torch_lrn=torch_lrn, init=init)
    if width == 1 and variant == "torchvision":
        return AlexNetTorchvision(num_classes, in_channels, dropout, init=init)
    config = replace(
        config,
        num_classes=num_classes,
        in_channels=in_channels,
        input_size=(in_channels, *config.input_size[1:]),
        init=init,
    )
    return build_alexnet(config, dropout=dropout, torch_lrn=torch_lrn)


def paper_init_(model: nn.Module) -> nn.Module:
    """The paper's initialisation (§5), in place: every weight ~ N(0, 0.01);
    biases 1 in conv2, conv4, conv5, fc6 and fc7 ("to accelerate the early stages
    of learning by providing the ReLUs with positive inputs"), 0 in conv1, conv3, fc8.
    """
    convs, fcs = weighted_layers(model)
    if len(convs) != 5 or len(fcs) != 3:
        raise ValueError(f"paper_init_ needs AlexNet's 5 convs and 3 linears, "
                         f"found {len(convs)} and {len(fcs)}")
    ones = [convs[1], convs[3], convs[4], fcs[0], fcs[1]]
    for m in convs + fcs:
        nn.init.normal_(m.weight, mean=0.0, std=0.01)
        nn.init.constant_(m.bias, 1.0 if any(m is one for one in ones) else 0.0)
    return model
