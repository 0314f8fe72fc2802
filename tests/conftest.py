"""Shared fixtures. The unit tests run in the smoke profile and never touch the network."""

from __future__ import annotations

import socket

import numpy as np
import pytest
from PIL import Image

# Images per class of the generated Imagenette tree (fixture ``imagenette_tree``).
IMAGENETTE_TRAIN_PER_CLASS, IMAGENETTE_VAL_PER_CLASS = 2, 1


def refuse_calls(monkeypatch, message: str, *targets: tuple[object, str]) -> None:
    """Make each ``(owner, name)`` in ``targets`` fail the test with ``message`` when called."""

    def refuse(*args, **kwargs):
        raise AssertionError(message)

    for owner, name in targets:
        monkeypatch.setattr(owner, name, refuse)


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a socket fails the test loudly (the course must never download)."""
    refuse_calls(monkeypatch, "code under test tried to open a network connection",
                 (socket, "socket"), (socket, "create_connection"))


@pytest.fixture(scope="module")
def imagenette_tree(tmp_path_factory):
    """``ROOT/imagenette2-320/{train,val}/<wnid>/*.JPEG`` in torchvision's layout: small random
    colour JPEGs of different sizes, ``IMAGENETTE_*_PER_CLASS`` per class."""
    from alexnet_course.imagenette import WNIDS

    root = tmp_path_factory.mktemp("imagenette")
    rng = np.random.default_rng(0)
    for split, count in (("train", IMAGENETTE_TRAIN_PER_CLASS), ("val", IMAGENETTE_VAL_PER_CLASS)):
        for wnid in WNIDS:
            folder = root / "imagenette2-320" / split / wnid
            folder.mkdir(parents=True)
            for i in range(count):
                pixels = rng.integers(0, 256, (40 + 8 * i, 56, 3), dtype=np.uint8)
                Image.fromarray(pixels).save(folder / f"{wnid}_{i}.JPEG")
    return root
