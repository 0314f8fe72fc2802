"""Local response normalization exactly as the AlexNet paper writes it (§3.3).

    b[c] = a[c] / (k + alpha * sum(a[j]**2 for j in the n channels around c)) ** beta

with k=2, n=5, alpha=1e-4, beta=0.75. The window is clipped at the first and
last channel (zero padding does exactly that: a missing channel adds 0 to the sum).

The trap: PyTorch's ``nn.LocalResponseNorm`` (and Caffe's LRN) *averages* the
squares instead of summing them, so its ``alpha`` is the paper's alpha times n.
The paper's layer is ``nn.LocalResponseNorm(5, alpha=5e-4, beta=0.75, k=2.0)``,
and ``nn.LocalResponseNorm(5)`` with its defaults (alpha=1e-4, k=1) is a different layer.

>>> import torch
>>> a = torch.tensor([[1.0, 2.0, 3.0]]).reshape(1, 3, 1, 1)  # 3 channels, 1 pixel
>>> b = LocalResponseNorm(size=3, alpha=0.1, beta=1.0, k=1.0)(a)
>>> b.flatten()  # channel 0: 1 / (1 + 0.1 * (1 + 4)) = 1 / 1.5  (the window is clipped)
tensor([0.6667, 0.8333, 1.3043])
>>> torch.allclose(b, torch.nn.LocalResponseNorm(3, alpha=0.1 * 3, beta=1.0, k=1.0)(a))
True
"""

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["LocalResponseNorm", "paper_lrn"]


class LocalResponseNorm(nn.Module):
    """The paper's LRN across channels; ``alpha`` multiplies the *sum* of squares.

    Arguments have PyTorch's names: ``size`` is n, the number of neighbouring
    channels (5, not the 96 channels of conv1), centred on the channel itself
    (``size // 2`` before it, ``(size - 1) // 2`` after it, as PyTorch does for even n).
    Input: (N, C, ...) with any number of trailing (spatial) dimensions.
    """

    def __init__(self, size: int = 5, alpha: float = 1e-4, beta: float = 0.75, k: float = 2.0):
        super().__init__()
        if size < 1:
            raise ValueError(f"LRN size must be at least 1 channel, got {size}")
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, a: torch.Tensor) -> torch.Tensor:
        squares = a.pow(2).flatten(2).unsqueeze(1)  # (N, 1, C, H*W): channels become a "height"
        # Zero channels before and after, so each window of `size` rows is clipped at the edges.
        squares = F.pad(squares, (0, 0, self.size // 2, (self.size - 1) // 2))
        # Average over `size` channels, times `size`: the sum over the window.
        sums = F.avg_pool2d(squares, kernel_size=(self.size, 1), stride=1) * self.size
        sums = sums.squeeze(1).reshape(a.shape)  # back to (N, C, ...)
        return a / (self.k + self.alpha * sums).pow(self.beta)

    def extra_repr(self) -> str:
        return f"size={self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"


def paper_lrn(torch_impl: bool = False) -> nn.Module:
    """The paper's LRN (n=5, alpha=1e-4, beta=0.75, k=2): this module's, or PyTorch's
    faster one with alpha scaled to 5 * 1e-4 because it averages over the 5 channels.
    """
    if torch_impl:
        return nn.LocalResponseNorm(5, alpha=5e-4, beta=0.75, k=2.0)
    return LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0)
