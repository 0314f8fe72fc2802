"""Watching a forward pass: forward hooks on every leaf module, always cleaned up.

>>> seen = []
>>> net = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
>>> with leaf_hooks(net, lambda name, module, out: seen.append((name, tuple(out.shape)))):
...     _ = net(torch.zeros(1, 2))
>>> seen, net.training, len(net[0]._forward_hooks)
([('0', (1, 3)), ('1', (1, 3))], True, 0)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import torch
from torch import nn


@contextmanager
def leaf_hooks(model: nn.Module, record: Callable[[str, nn.Module, torch.Tensor], None], *,
               types: tuple[type[nn.Module], ...] | None = None) -> Iterator[nn.Module]:
    """Call ``record(name, module, output)`` after every leaf module (of ``types``, if given)
    runs, with the model in eval mode (so dropout and batch-norm statistics stay untouched).

    On exit, however it happens, the hooks are removed and the train/eval mode restored.
    """
    names = {m: name for name, m in model.named_modules()}
    leaves = [m for m in model.modules() if not list(m.children())]
    if types is not None:
        leaves = [m for m in leaves if isinstance(m, types)]

    def hook(module, inputs, output):
        if isinstance(output, (tuple, list)):  # e.g. MaxPool2d(return_indices=True)
            output = output[0]
        record(names[module], module, output)

    handles = [m.register_forward_hook(hook) for m in leaves]
    was_training = model.training
    model.eval()
    try:
        yield model
    finally:
        model.train(was_training)
        for handle in handles:
            handle.remove()
