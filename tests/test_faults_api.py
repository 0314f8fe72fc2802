"""Bad arguments to the public API stop with a ValueError naming the argument and its allowed
range, before any computation (no NaN output, no ZeroDivisionError, no negative counts)."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from alexnet_course import augment, counting, data, models
from alexnet_course.layers import Dropout, LocalResponseNorm
from alexnet_course.models.vgg import make_layers

NAN, INF = float("nan"), float("inf")


@pytest.fixture(scope="module")
def pca():
    return augment.fit_colour_pca([torch.rand(3, 8, 8, generator=torch.Generator().manual_seed(0))])


LAYERS = [
    (lambda: LocalResponseNorm(size=0), r"size .*≥ 1, got 0"),
    (lambda: LocalResponseNorm(size=2.5), r"size .*whole number"),
    (lambda: LocalResponseNorm(alpha=-1e-4), r"alpha must be a finite number ≥ 0"),
    (lambda: LocalResponseNorm(alpha=NAN), r"alpha .*got nan"),
    (lambda: LocalResponseNorm(beta=-0.75), r"beta must be a finite number ≥ 0"),
    (lambda: LocalResponseNorm(k=-2.0), r"k must be a finite number ≥ 0"),
    (lambda: LocalResponseNorm(k=INF), r"k .*got inf"),
    (lambda: LocalResponseNorm()(torch.ones(4, 96)), r"at least 3 dimensions, got shape \(4, 96\)"),
    (lambda: Dropout(p=1.0), r"p must be a number in \[0, 1\)"),
    (lambda: Dropout(p=NAN), r"p must be"),
]

TRANSFORMS = [
    (lambda: data.image_transform(32, channels=2), r"channels must be one of 1, 3, got 2"),
    (lambda: data.image_transform(0), r"image_size must be a whole number ≥ 1"),
]

AUGMENT = [
    (lambda pca: augment.RandomPCAColourShift(pca, std=NAN), r"std must be a finite number ≥ 0, got nan"),
    (lambda pca: augment.RandomPCAColourShift(pca, std=-0.1), r"std must be"),
    (lambda pca: augment.RandomPCAColourShift(None), r"pca must be a ColourPCA"),
    (lambda pca: augment.RandomPCAColourShift(pca)(torch.rand(3, 8, 8) * 255), r"divide 0\.\.255 .* by 255"),
    (lambda pca: augment.pca_colour_shift(torch.rand(3, 8, 8) - 0.5, pca, torch.zeros(3)), r"\[0, 1\]"),
    (lambda pca: augment.pca_colour_shift(torch.rand(3, 8, 8), pca, torch.full((3,), NAN)), r"alpha"),
    (lambda pca: augment.fit_colour_pca([torch.rand(3, 8, 8) * 255]), r"divide 0\.\.255"),
    (lambda pca: augment.PerImageRandomCrop(0), r"crop size must be a whole number ≥ 1"),
    (lambda pca: augment.CentreCrop(2.5), r"crop size"),
    (lambda pca: augment.StackedTenCrop(-1), r"crop size"),
    (lambda pca: augment.ResizeShorter(0), r"size .*≥ 1"),
    (lambda pca: augment.PerImageRandomHorizontalFlip(NAN), r"p must be a finite number in \[0, 1\]"),
]

COUNTING = [
    (lambda: counting.conv_params(-3, 96, 11), r"in_channels must be a whole number ≥ 1, got -3"),
    (lambda: counting.conv_params(3, 0, 11), r"out_channels"),
    (lambda: counting.conv_params(3, 96, 11, groups=0), r"groups must be a whole number ≥ 1"),
    (lambda: counting.conv_params(3, 96, 11, groups=2), r"groups=2 must divide in_channels=3"),
    (lambda: counting.conv_params(3, 96, 0), r"kernel must be"),
    (lambda: counting.conv_params(3, 96, (11, 11, 11)), r"kernel must be .*\(h, w\) pair"),
    (lambda: counting.conv_macs(3, 96, 11, 0), r"output_size must be"),
    (lambda: counting.conv_macs(96, 256, 5, 27, groups=3), r"groups=3 must divide"),
    (lambda: counting.linear_params(0, 10), r"in_features must be"),
    (lambda: counting.linear_macs(10, -1), r"out_features must be"),
    (lambda: counting.count_layers(nn.Linear(2, 2), (2,), batch_size=0), r"batch_size must be"),
]

MODELS = [
    (lambda: models.alexnet(num_classes=0), r"num_classes must be a whole number ≥ 1, got 0"),
    (lambda: models.alexnet("small", num_classes=2.5), r"num_classes .*got 2\.5"),
    (lambda: models.alexnet(in_channels=0), r"in_channels must be a whole number ≥ 1"),
    (lambda: models.alexnet(width=0), r"width must be a finite number > 0, got 0"),
    (lambda: models.alexnet(width=-1), r"width must be"),
    (lambda: models.alexnet(width=NAN), r"width must be"),
    (lambda: models.alexnet(init="bogus"), r"init must be one of 'paper', 'pytorch', got 'bogus'"),
    (lambda: models.alexnet(dropout=1.5), r"dropout must be a finite number in \[0, 1\]"),
    (lambda: models.lenet5(num_classes=0), r"num_classes"),
    (lambda: models.lenet5(padding=-1), r"padding must be a whole number ≥ 0"),
    (lambda: models.zfnet(in_channels=0), r"in_channels"),
    (lambda: models.zfnet_small(num_classes=-1), r"num_classes"),
    (lambda: models.vgg("A", num_classes=0), r"num_classes"),
    (lambda: models.vgg_small("A", dropout=-0.1), r"dropout"),
    (lambda: make_layers([8, "M"], in_channels=0), r"in_channels"),
    (lambda: models.get_model("alexnet-small", in_channels=0), r"in_channels"),
]


@pytest.mark.parametrize("call, message", LAYERS + TRANSFORMS + COUNTING + MODELS,
                         ids=lambda v: v if isinstance(v, str) else "")
def test_bad_argument_is_refused_by_name(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize("call, message", AUGMENT, ids=lambda v: v if isinstance(v, str) else "")
def test_bad_augmentation_argument_is_refused_by_name(pca, call, message):
    with pytest.raises(ValueError, match=message):
        call(pca)


def test_valid_edge_values_are_still_accepted(pca):
    # k = 0 is the bare normalisation lesson 4 uses; p = 0 and std = 0 are identities.
    assert LocalResponseNorm(3, alpha=1.0, beta=1.0, k=0.0)(torch.ones(1, 3, 1, 1)).isfinite().all()
    assert Dropout(0.0).p == 0.0 and augment.RandomPCAColourShift(pca, std=0.0).std == 0.0
    assert counting.conv_params(96, 256, (5, 5), groups=2) == 307456
    assert models.alexnet("small", width=0.25).classifier[-1].out_features == 10
