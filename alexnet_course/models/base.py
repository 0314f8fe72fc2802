"""The layout every model of the course shares: ``features`` -> ``avgpool`` -> flatten -> ``classifier``.

It is torchvision's layout (``torchvision/models/alexnet.py``, ``vgg.py``), so
``model.features[0]`` is always the first convolution and state dicts line up.
"""

from __future__ import annotations

import torch
from torch import nn

from alexnet_course._checks import number, whole

__all__ = ["ConvNet", "alexnet_classifier", "check_builder_args", "weighted_layers"]


def check_builder_args(num_classes, in_channels, dropout=0.0) -> None:
    """Refuse impossible builder arguments with a ValueError, before any layer is built."""
    whole(num_classes, "num_classes")
    whole(in_channels, "in_channels")
    number(dropout, "dropout", 0, 1)  # nn.Dropout's own range


class ConvNet(nn.Module):
    """Convolutional ``features``, an optional ``avgpool``, then a ``classifier`` on the flattened map.

    ``avgpool`` is None for networks that had none (LeNet-5, the 2012 AlexNet,
    ZFNet): they accept only the input size their first Linear layer was sized for.
    """

    def __init__(self, features: nn.Sequential, classifier: nn.Sequential, avgpool: nn.Module | None = None):
        super().__init__()
        self.features = features
        self.avgpool = avgpool
        self.classifier = classifier

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.features(x)
        if self.avgpool is not None:
            x = self.avgpool(x)
        x = torch.flatten(x, 1)  # (N, C, H, W) -> (N, C*H*W)
        return self.classifier(x)


def weighted_layers(model: nn.Module) -> tuple[list[nn.Conv2d], list[nn.Linear]]:
    """The model's convolutions and its fully connected layers, each in order: AlexNet's
    conv1..conv5 and fc6..fc8.

    >>> convs, fcs = weighted_layers(nn.Sequential(nn.Conv2d(1, 2, 3), nn.Flatten(), nn.Linear(2, 2)))
    >>> len(convs), len(fcs)
    (1, 1)
    """
    return ([m for m in model.modules() if isinstance(m, nn.Conv2d)],
            [m for m in model.modules() if isinstance(m, nn.Linear)])


def alexnet_classifier(in_features: int, hidden: int, num_classes: int, dropout: float, *,
                       dropout_after: bool = False) -> nn.Sequential:
    """fc6, fc7, fc8, with dropout *before* fc6 and fc7 (torchvision's order, indices 1, 4, 6)
    or, with ``dropout_after``, after the ReLUs of fc6 and fc7 (d2l's order, indices 0, 3, 6).

    The paper "uses dropout in the first two fully-connected layers"; dropping
    their inputs or their outputs are the two readings. Never after fc8.

    >>> [type(m).__name__ for m in alexnet_classifier(9216, 4096, 1000, 0.5)]
    ['Dropout', 'Linear', 'ReLU', 'Dropout', 'Linear', 'ReLU', 'Linear']
    >>> [type(m).__name__ for m in alexnet_classifier(6400, 4096, 10, 0.5, dropout_after=True)]
    ['Linear', 'ReLU', 'Dropout', 'Linear', 'ReLU', 'Dropout', 'Linear']
    """
    if dropout_after:
        return nn.Sequential(
            nn.Linear(in_features, hidden),  # fc6
            nn.ReLU(),
            nn.Dropout(p=dropout),
            nn.Linear(hidden, hidden),  # fc7
            nn.ReLU(),
            nn.Dropout(p=dropout),
            nn.Linear(hidden, num_classes),  # fc8
        )
    return nn.Sequential(
        nn.Dropout(p=dropout),
        nn.Linear(in_features, hidden),  # fc6
        nn.ReLU(),
        nn.Dropout(p=dropout),
        nn.Linear(hidden, hidden),  # fc7
        nn.ReLU(),
        nn.Linear(hidden, num_classes),  # fc8
    )
