"""Profiles: one switch that scales every notebook to the machine it runs on.

``ALEXNET_COURSE_PROFILE`` picks one of three sizes:

- ``smoke``: what CI runs; every notebook in well under a minute on 2 CPU cores.
- ``cpu``: meaningful curves on a laptop CPU in minutes.
- ``gpu``: the full experience (full-size AlexNet at 224 px) on a CUDA device.

Without the variable the course picks ``gpu`` when CUDA is available, else ``cpu``.

>>> profile("smoke").train_samples
2000
>>> profile("cpu").train_samples is None  # None means the whole split
True
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch

ENV_VAR = "ALEXNET_COURSE_PROFILE"


@dataclass(frozen=True)
class Profile:
    """The sizes a notebook scales by. ``None`` sample counts mean the full split."""

    name: str
    train_samples: int | None  # Fashion-MNIST training images (of 60,000)
    test_samples: int | None  # Fashion-MNIST test images (of 10,000)
    model: str  # the AlexNet of the registry that the training lessons train
    image_size: int  # side length images are resized to for that model
    full_image_size: int  # side length for full-size AlexNet experiments
    epochs: int  # training epochs for the lesson experiments
    batch_size: int  # mini-batch size for training and evaluation


PROFILES: dict[str, Profile] = {
    "smoke": Profile("smoke", 2000, 1000, "alexnet-small", 32, 224, epochs=1, batch_size=128),
    # Lesson 09's run within ten minutes on 2 slow cores (results/lesson09_levers_cpu_avx2.json):
    # the images at their own 28 px (32 adds pixels, not information), batches of 64, 6 epochs.
    "cpu": Profile("cpu", None, None, "alexnet-small", 28, 224, epochs=6, batch_size=64),
    "gpu": Profile("gpu", None, None, "alexnet-torchvision", 224, 224, epochs=10, batch_size=128),
}


def default_profile_name() -> str:
    """``gpu`` when CUDA is usable, else ``cpu`` (used when the variable is unset)."""
    return "gpu" if torch.cuda.is_available() else "cpu"


def profile(name: str | Profile | None = None) -> Profile:
    """Return the profile called ``name``, else the one ``ALEXNET_COURSE_PROFILE`` names.

    >>> profile("gpu").image_size
    224
    """
    if isinstance(name, Profile):
        return name
    chosen = name or os.environ.get(ENV_VAR, "").strip() or default_profile_name()
    key = chosen.lower()
    if key not in PROFILES:
        source = "argument" if name else f"environment variable {ENV_VAR}"
        raise ValueError(
            f"unknown profile {chosen!r} (from the {source}); "
            f"choose one of: {', '.join(PROFILES)}"
        )
    return PROFILES[key]
