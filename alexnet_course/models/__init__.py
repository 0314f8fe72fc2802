"""The networks of the course, torchvision style (``features`` / ``avgpool`` / ``classifier``).

``alexnet(variant)`` builds the AlexNet family; ``lenet5``, ``zfnet`` and ``vgg`` its
relatives; ``get_model(name)`` any of them by registry name.
"""

from alexnet_course.models.alexnet import (
    VARIANTS,
    AlexNet,
    AlexNetConfig,
    AlexNetPaper,
    AlexNetTorchvision,
    alexnet,
    build_alexnet,
    paper_init_,
)
from alexnet_course.models.base import ConvNet
from alexnet_course.models.lenet import LeNet5, lenet5
from alexnet_course.models.registry import MODELS, RELATIVES, get_model, list_models, native_input_size
from alexnet_course.models.vgg import VGG, vgg, vgg_small
from alexnet_course.models.zfnet import ZFNet, zfnet, zfnet_small

__all__ = [
    "AlexNet", "AlexNetPaper", "AlexNetTorchvision", "AlexNetConfig", "VARIANTS", "alexnet", "build_alexnet",
    "paper_init_", "ConvNet", "LeNet5", "lenet5", "ZFNet", "zfnet", "zfnet_small", "VGG", "vgg", "vgg_small",
    "MODELS", "RELATIVES", "get_model", "list_models", "native_input_size",
]
