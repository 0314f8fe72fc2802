"""Classification metrics: top-k accuracy (the paper reports top-1 and top-5) and confusion.

>>> logits = torch.tensor([[0.1, 0.7, 0.2], [0.5, 0.1, 0.4]])
>>> topk_correct(logits, torch.tensor([2, 2]), ks=(1, 2)).tolist()
[0, 2]
"""

from __future__ import annotations

from collections.abc import Sequence

import torch


def topk_correct(logits: torch.Tensor, targets: torch.Tensor,
                 ks: Sequence[int] = (1, 5)) -> torch.Tensor:
    """How many rows have their target among the ``k`` largest logits, for each ``k``.

    Returns a tensor of counts on the logits' device (no host sync, so a GPU stays busy).
    ``k`` larger than the number of classes counts every row as correct.
    """
    top = logits.topk(min(max(ks), logits.shape[1]), dim=1).indices  # (N, kmax)
    hits = top == targets.unsqueeze(1)  # (N, kmax), at most one True per row
    return torch.stack([hits[:, :k].any(dim=1).sum() for k in ks])


def topk_accuracy(logits: torch.Tensor, targets: torch.Tensor,
                  ks: Sequence[int] = (1, 5)) -> list[float]:
    """Fractions in [0, 1] of rows whose target is in the top ``k``, for each ``k``."""
    return (topk_correct(logits, targets, ks).double() / len(targets)).tolist()


def confusion_matrix(predictions: torch.Tensor, targets: torch.Tensor,
                     num_classes: int) -> torch.Tensor:
    """``(num_classes, num_classes)`` counts; row = true class, column = predicted class.

    >>> confusion_matrix(torch.tensor([0, 1, 1]), torch.tensor([0, 0, 1]), 2).tolist()
    [[1, 1], [0, 1]]
    """
    flat = targets.long() * num_classes + predictions.long()
    return torch.bincount(flat, minlength=num_classes ** 2).reshape(num_classes, num_classes)
