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
from torch import nn

from alexnet_course._checks import number, whole

__all__ = ["LocalResponseNorm", "lrn_divisor", "paper_lrn", "Dropout"]


def lrn_divisor(a: torch.Tensor, size: int = 5, alpha: float = 1e-4, beta: float = 0.75,
                k: float = 2.0) -> torch.Tensor:
    """What LRN divides each activation of ``a`` ``(N, C, ...)`` by: ``(k + alpha * S) ** beta``,
    where ``S`` sums ``a[:, j] ** 2`` over the ``size`` channels j around channel i, from
    ``max(0, i - size // 2)`` to ``min(C - 1, i + (size - 1) // 2)``; ``a / divisor`` is LRN.

    >>> a = torch.tensor([1.0, 2.0, 3.0]).reshape(1, 3, 1, 1)  # 3 channels, 1 pixel
    >>> lrn_divisor(a, size=3, alpha=0.1, beta=1.0, k=1.0).flatten()  # 1 + 0.1 * (1 + 4), ...
    tensor([1.5000, 2.4000, 2.3000])
    """
    if a.dim() < 3:  # the window runs over dim 1, which a 2-D (N, features) input lacks
        raise ValueError("LocalResponseNorm needs input (N, C, ...) with at least 3 dimensions,"
                         f" got shape {tuple(a.shape)}")
    channels, squares = a.shape[1], a.pow(2)
    # Channels outside the layer count as 0, which clips the window at the first and last channel.
    before = squares.new_zeros(a.shape[0], size // 2, *a.shape[2:])
    after = squares.new_zeros(a.shape[0], (size - 1) // 2, *a.shape[2:])
    padded = torch.cat([before, squares, after], dim=1)
    # padded[:, i + j] is a[:, i - size // 2 + j] ** 2, the j-th channel of channel i's window.
    window_sums = sum(padded[:, j:j + channels] for j in range(size))
    return (k + alpha * window_sums).pow(beta)


class LocalResponseNorm(nn.Module):
    """The paper's LRN across channels; ``alpha`` multiplies the *sum* of squares.

    Arguments have PyTorch's names: ``size`` is n, the number of neighbouring
    channels (5, not the 96 channels of conv1), centred on the channel itself
    (``size // 2`` before it, ``(size - 1) // 2`` after it, as PyTorch does for even n).
    Input: (N, C, ...) with any number of trailing (spatial) dimensions.

    ``alpha``, ``beta`` and ``k`` must be finite and ≥ 0: a negative ``k`` or ``alpha``
    makes the divisor negative and its power NaN. ``k = 0`` is allowed because lessons use
    it to look at the bare normalisation; it divides 0 by 0 only where a whole window is 0.
    """

    def __init__(self, size: int = 5, alpha: float = 1e-4, beta: float = 0.75, k: float = 2.0):
        super().__init__()
        self.size = whole(size, "LRN size (channels in the window)")
        self.alpha = number(alpha, "LRN alpha", 0)
        self.beta = number(beta, "LRN beta", 0)
        self.k = number(k, "LRN k", 0)

    def forward(self, a: torch.Tensor) -> torch.Tensor:
        """b = a / (k + alpha * sum of a² over the window) ** beta, for every channel at once."""
        return a / lrn_divisor(a, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"size={self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"


def paper_lrn(torch_impl: bool = False) -> nn.Module:
    """The paper's LRN (n=5, alpha=1e-4, beta=0.75, k=2): this module's, or PyTorch's
    faster one with alpha scaled to 5 * 1e-4 because it averages over the 5 channels.
    """
    if torch_impl:
        return nn.LocalResponseNorm(5, alpha=5e-4, beta=0.75, k=2.0)
    return LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0)


class Dropout(nn.Module):
    """Inverted dropout (Hinton et al. 2012; AlexNet §4.2 uses p = 0.5 in fc6 and fc7).

    In training every element is kept with probability ``1 - p`` and the kept ones are
    divided by ``1 - p``, so the expectation of each output equals its input and the
    network needs no rescaling at test time: in eval mode the layer is the identity.
    (The paper multiplied the outputs by 0.5 at test time instead; same expectations.)

    The mask is drawn from torch's global generator, so ``torch.manual_seed`` makes it
    reproducible, and with the same seed it equals ``nn.Dropout``'s on the CPU.

    >>> import torch
    >>> drop = Dropout(p=0.5)
    >>> _ = torch.manual_seed(0)
    >>> drop(torch.ones(8))  # kept elements are doubled, dropped ones are 0
    tensor([0., 0., 2., 0., 0., 0., 2., 2.])
    >>> drop.eval()(torch.ones(3))  # eval mode: the identity
    tensor([1., 1., 1.])
    """

    def __init__(self, p: float = 0.5):
        super().__init__()
        # Not the shared check: lesson 06's committed output shows this exact message.
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 <= p < 1.0:
            raise ValueError(f"dropout probability p must be a number in [0, 1), got {p!r} "
                             "(p = 1 would drop everything and divide by zero)")
        self.p = float(p)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0.0:
            return x
        keep = 1.0 - self.p
        # One Bernoulli(1 - p) draw per element: 1 keeps it, 0 drops it.
        mask = torch.empty_like(x).bernoulli_(keep)
        return x * mask.div_(keep)  # scale the survivors so that E[output] = x

    def extra_repr(self) -> str:
        return f"p={self.p}"
