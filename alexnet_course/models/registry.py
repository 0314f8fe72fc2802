"""Every model of the course by name, with the input size it was designed for.

>>> native_input_size("alexnet-paper")
(3, 227, 227)
>>> model = get_model("alexnet-small", num_classes=5)
>>> model.features[0].in_channels, model.classifier[-1].out_features
(1, 5)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Callable

from torch import nn

from alexnet_course.models.alexnet import VARIANTS, alexnet
from alexnet_course.models.lenet import lenet5
from alexnet_course.models.successors import googlenet, googlenet_small, resnet18, resnet18_small
from alexnet_course.models.vgg import vgg, vgg_small
from alexnet_course.models.zfnet import zfnet, zfnet_small

__all__ = ["ModelEntry", "MODELS", "RELATIVES", "get_model", "list_models", "native_input_size"]


@dataclass(frozen=True)
class ModelEntry:
    build: Callable[..., nn.Module]  # keyword arguments go to the builder, e.g. num_classes=10
    input_size: tuple[int, int, int]  # (C, H, W) of one image
    description: str


def _alexnet(variant: str, description: str) -> ModelEntry:
    return ModelEntry(partial(alexnet, variant), VARIANTS[variant].input_size, description)


MODELS: dict[str, ModelEntry] = {
    "alexnet-paper": _alexnet("paper", "AlexNet 2012, two towers (groups=2 on conv2, conv4, conv5), LRN"),
    "alexnet-single": _alexnet("single", "AlexNet 2012 on one tower, 96-256-384-384-256, LRN"),
    "alexnet-torchvision": _alexnet("torchvision",
                                    "torchvision's AlexNet (2014 'one weird trick'), 64-192-384-256-256"),
    "alexnet-small": _alexnet("small", "narrow AlexNet for 28-64 px grayscale images on a CPU"),
    "alexnet-keras-1ch": _alexnet("keras_1ch",
                                  "single tower on 1-channel 224 input, conv1 unpadded: flatten 6400"),
    "alexnet-paddle": _alexnet("paddle", "a PaddlePaddle write-up's net = the single-tower net"),
    "alexnet-d2l": _alexnet("d2l", "d2l.ai's AlexNet: conv1 padding 1, 1 channel, 10 classes, flatten 6400, "
                                   "dropout after fc6's and fc7's ReLU"),
    "lenet5": ModelEntry(lenet5, (1, 32, 32), "LeNet-5 (1998), dense C3"),
    "zfnet": ModelEntry(zfnet, (3, 224, 224), "ZFNet (2013): conv1 7x7/2, conv2 stride 2"),
    "vgg11": ModelEntry(partial(vgg, "A"), (3, 224, 224), "VGG-11 (configuration A)"),
    "vgg13": ModelEntry(partial(vgg, "B"), (3, 224, 224), "VGG-13 (configuration B)"),
    "vgg16": ModelEntry(partial(vgg, "D"), (3, 224, 224), "VGG-16 (configuration D)"),
    "vgg19": ModelEntry(partial(vgg, "E"), (3, 224, 224), "VGG-19 (configuration E)"),
    "zfnet-small": ModelEntry(zfnet_small, (1, 32, 32),
                              "ZFNet for 32x32 on the small AlexNet's widths: conv1 3x3, ceil-mode pools"),
    "vgg11-small": ModelEntry(partial(vgg_small, "A"), (1, 32, 32), "VGG-11 a quarter as wide, for 32x32"),
    "vgg16-small": ModelEntry(partial(vgg_small, "D"), (1, 32, 32), "VGG-16 a quarter as wide, for 32x32"),
    "googlenet": ModelEntry(googlenet, (3, 224, 224), "torchvision's GoogLeNet (2014), no auxiliary heads"),
    "resnet18": ModelEntry(resnet18, (3, 224, 224), "torchvision's ResNet-18 (2015)"),
    "googlenet-small": ModelEntry(googlenet_small, (1, 32, 32), "torchvision's GoogLeNet a quarter as wide, "
                                                                "for 32x32 (its stem takes 32 to 8)"),
    "resnet18-small": ModelEntry(resnet18_small, (1, 32, 32), "torchvision's ResNet-18 a quarter as wide, "
                                                              "for 32x32 (its stem takes 32 to 8)"),
}

# Lesson 10's line-up: AlexNet beside the networks before and after it.
RELATIVES = ("lenet5", "alexnet-paper", "alexnet-torchvision", "zfnet", "vgg11", "vgg16", "googlenet",
             "resnet18")


def _entry(name: str) -> ModelEntry:
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; choose one of {', '.join(MODELS)}")
    return MODELS[name]


def get_model(name: str, **kwargs) -> nn.Module:
    """Build the model registered as ``name``; ``kwargs`` go to its builder (``num_classes=10``, ...)."""
    return _entry(name).build(**kwargs)


def list_models() -> list[str]:
    """Registered names, in the order the course meets them."""
    return list(MODELS)


def native_input_size(name: str) -> tuple[int, int, int]:
    """The (C, H, W) the model ``name`` was designed for (before any ``in_channels=`` override)."""
    return _entry(name).input_size
