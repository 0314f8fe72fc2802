"""LeNet-5 (LeCun, Bottou, Bengio & Haffner, "Gradient-Based Learning Applied to
Document Recognition", Proc. IEEE 1998), in its modern dense form.

The published net has about 60,000 trainable parameters: its C3 layer connects
each of its 16 maps to only some of S2's 6 maps, its subsampling layers have a
trainable coefficient and bias per map, and its outputs are RBF units. Here C3
sees all 6 maps and the subsampling is a plain average pool, giving 61,706:

>>> from alexnet_course.counting import count_parameters
>>> count_parameters(lenet5())  # 156 + 2,416 + 48,120 + 10,164 + 850
61706
"""

from __future__ import annotations

from typing import Callable

from torch import nn

from alexnet_course._checks import whole
from alexnet_course.models.base import ConvNet, check_builder_args

__all__ = ["LeNet5", "lenet5"]


class LeNet5(ConvNet):
    """LeNet-5: two 5x5 convolutions with 2x2 average pools, then FC 120-84-classes."""


def lenet5(
    num_classes: int = 10, in_channels: int = 1, *, padding: int = 0,
    activation: Callable[[], nn.Module] = nn.Tanh,
) -> LeNet5:
    """LeNet-5 for 32x32 input; ``padding=2`` takes 28x28 (MNIST, Fashion-MNIST) to the same shapes.

    ``activation`` is tanh as in 1998 (LeCun used a scaled tanh); ``nn.ReLU`` is the modern choice.
    Shapes on 32x32: 6x28x28 -> 6x14x14 -> 16x10x10 -> 16x5x5 -> 400 -> 120 -> 84 -> classes.
    """
    check_builder_args(num_classes, in_channels)
    whole(padding, "padding", 0)
    features = nn.Sequential(
        nn.Conv2d(in_channels, 6, kernel_size=5, padding=padding),  # C1: (N, 6, 28, 28)
        activation(),
        nn.AvgPool2d(kernel_size=2, stride=2),  # S2: (N, 6, 14, 14)
        nn.Conv2d(6, 16, kernel_size=5),  # C3: (N, 16, 10, 10)
        activation(),
        nn.AvgPool2d(kernel_size=2, stride=2),  # S4: (N, 16, 5, 5)
    )
    classifier = nn.Sequential(
        nn.Linear(16 * 5 * 5, 120),  # C5: a 5x5 conv on a 5x5 map is a fully connected layer
        activation(),
        nn.Linear(120, 84),  # F6
        activation(),
        nn.Linear(84, num_classes),
    )
    return LeNet5(features, classifier)
