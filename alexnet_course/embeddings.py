"""What the network has learned to see: penultimate-layer features and their neighbours.

The paper's Figure 4 shows, for a few test images, the training images whose last hidden
layer (fc7, 4096 numbers after ReLU) lies nearest in Euclidean distance: images the
network considers alike although their pixels may differ a lot.

>>> bank = torch.tensor([[0.0, 0.0], [1.0, 0.0], [5.0, 5.0]])
>>> nearest_neighbours(torch.tensor([[0.9, 0.1]]), bank, k=2).tolist()
[[1, 0]]
"""

from __future__ import annotations

import torch
from torch import nn


def penultimate_layer(model: nn.Module) -> nn.Linear:
    """The last ``nn.Linear`` of ``model`` (fc8 in AlexNet): its input is the fc7 feature."""
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    if not linears:
        raise ValueError(f"{type(model).__name__} has no Linear layer to take features before")
    return linears[-1]


@torch.inference_mode()
def penultimate_features(model: nn.Module, batch_iter) -> tuple[torch.Tensor, torch.Tensor]:
    """Features entering the classifier's last layer (fc7 after ReLU) and the targets,
    for every batch of ``batch_iter``, gathered on the CPU (model in eval mode)."""
    captured: list[torch.Tensor] = []
    hook = penultimate_layer(model).register_forward_pre_hook(
        lambda module, inputs: captured.append(inputs[0].detach().float().cpu()))
    model.eval()
    targets = []
    try:
        for x, y in batch_iter:
            model(x)
            targets.append(y.cpu())
    finally:
        hook.remove()
    return torch.cat(captured), torch.cat(targets)


def nearest_neighbours(queries: torch.Tensor, bank: torch.Tensor, k: int = 5) -> torch.Tensor:
    """Indices ``(Q, k)`` of the ``k`` rows of ``bank`` nearest to each query (Euclidean)."""
    if k > len(bank):
        raise ValueError(f"asked for {k} neighbours but the bank holds only {len(bank)} vectors")
    return torch.cdist(queries, bank).topk(k, largest=False).indices
