"""Measured experiments behind the lessons: each is a function that takes a profile and
returns tidy results (plain dataclasses / lists of dicts) that a notebook plots and a test
checks, so every number a lesson quotes can be re-run from Python or the CLI.

One module per lesson topic, named as its figures (``plots/``) and exercises (``exercises/``)
are: ``relu_vs_tanh``, ``lrn``, ``pooling``, ``dropout``, ``augmentation``, ``relatives``
(AlexNet next to LeNet-5, ZFNet and VGG, and d2l's recipe against ours); ``common`` holds
what they share. ``EXPERIMENTS`` is what ``alexnet-course experiment NAME`` can run:

>>> sorted(EXPERIMENTS)
['augmentation', 'dropout', 'lrn', 'pooling', 'relatives', 'relu-vs-tanh']
"""

from __future__ import annotations

import importlib

__all__ = ["EXPERIMENTS", "verdicts"]

# command-line name -> (module, the function that runs it at a profile's size)
EXPERIMENTS = {
    "relu-vs-tanh": ("relu_vs_tanh", "relu_vs_tanh"),
    "lrn": ("lrn", "lrn_ablation"),
    "pooling": ("pooling", "overlapping_pooling"),
    "dropout": ("dropout", "overfitting"),
    "augmentation": ("augmentation", "crop_and_flip"),
    "relatives": ("relatives", "accuracy_runs"),
}


def verdicts(name: str, profile=None, device=None, progress: bool = True) -> list[str]:
    """Run the experiment ``name`` at the profile's size; its conclusions, as sentences."""
    if name not in EXPERIMENTS:
        raise ValueError(f"no experiment {name!r}; choose one of {', '.join(EXPERIMENTS)}")
    module, entry = EXPERIMENTS[name]
    run = getattr(importlib.import_module(f"{__name__}.{module}"), entry)
    return run(profile, device=device, progress=progress).verdicts()
