"""Mini-batches for training: the whole split lives as uint8 on the device and each batch is
resized and normalised there, so neither a CPU worker nor the PCIe bus is the bottleneck.

Any other Dataset (your ImageFolder, say) goes through an ordinary DataLoader with workers
and pinned memory instead. Both reshuffle per epoch from ``seed + epoch`` alone, so epoch
``e`` sees the same order whether or not the run was interrupted before it.
"""

from __future__ import annotations

import os

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

from .data import FASHION_MNIST_MEAN, FASHION_MNIST_STD


def epoch_generator(seed: int, epoch: int) -> torch.Generator:
    """The random stream that orders epoch ``epoch`` (depends on nothing else)."""
    return torch.Generator().manual_seed(seed * 1_000_003 + epoch)


def prepare_batch(images: torch.Tensor, image_size: int, channels: int = 1,
                  mean: float = FASHION_MNIST_MEAN, std: float = FASHION_MNIST_STD) -> torch.Tensor:
    """uint8 ``(N, H, W)`` or ``(N, C, H, W)`` → normalised float ``(N, channels, S, S)``.

    The batched twin of :func:`alexnet_course.data.image_transform` (scale to [0, 1],
    bilinear antialiased resize, normalise), computed wherever ``images`` lives.
    """
    x = images.unsqueeze(1) if images.ndim == 3 else images
    x = x.float().div_(255)
    if x.shape[-1] != image_size or x.shape[-2] != image_size:
        x = F.interpolate(x, size=(image_size, image_size), mode="bilinear",
                          antialias=True, align_corners=False)
    if x.shape[1] != channels:
        x = x.expand(-1, channels, -1, -1)
    return (x - mean) / std


class _Batches:
    """What both batch sources share: an epoch, and optionally a ``sampler`` that decides
    which images, in which order (e.g. one rank's ``DistributedSampler``)."""

    sampler = None

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch
        if hasattr(self.sampler, "set_epoch"):
            self.sampler.set_epoch(epoch)

    def __len__(self) -> int:
        n = len(self.sampler) if self.sampler is not None else self._size()
        return -(-n // self.batch_size)


class TensorBatches(_Batches):
    """Shuffled mini-batches from in-memory uint8 images, prepared on ``device``.

    >>> images, targets = torch.zeros(10, 28, 28, dtype=torch.uint8), torch.arange(10)
    >>> rank1 = TensorBatches(images, targets, 2, device=torch.device("cpu"), image_size=32,
    ...                       sampler=range(1, 10, 2))
    >>> [y.tolist() for _, y in rank1]  # rank 1 of 2, not shuffled: every other image
    [[1, 3], [5, 7], [9]]
    """

    def __init__(self, images: torch.Tensor, targets: torch.Tensor, batch_size: int, *,
                 device: torch.device, image_size: int, channels: int = 1,
                 shuffle: bool = False, seed: int = 0, sampler=None, normalize: bool = True):
        self.images = images.to(device)
        # normalize=False: pixels scaled to [0, 1] only, as the dataset's own transform gives them
        self.mean, self.std = (FASHION_MNIST_MEAN, FASHION_MNIST_STD) if normalize else (0.0, 1.0)
        self.targets = targets.to(device)
        self.batch_size, self.image_size, self.channels = batch_size, image_size, channels
        self.shuffle, self.seed, self.epoch, self.sampler = shuffle, seed, 0, sampler

    def _size(self) -> int:
        return len(self.targets)

    def _order(self) -> torch.Tensor:
        if self.sampler is not None:
            return torch.tensor(list(self.sampler), dtype=torch.long)
        n = len(self.targets)
        return (torch.randperm(n, generator=epoch_generator(self.seed, self.epoch))
                if self.shuffle else torch.arange(n))

    def __iter__(self):
        order = self._order().to(self.images.device)
        for start in range(0, len(order), self.batch_size):
            idx = order[start:start + self.batch_size]
            yield (prepare_batch(self.images[idx], self.image_size, self.channels, self.mean, self.std),
                   self.targets[idx])


class LoaderBatches(_Batches):
    """The same interface over a DataLoader, for datasets that are not tensors in memory."""

    def __init__(self, dataset: Dataset, batch_size: int, *, device: torch.device,
                 shuffle: bool = False, seed: int = 0, num_workers: int | None = None,
                 sampler=None):
        self.dataset, self.batch_size, self.device = dataset, batch_size, device
        self.shuffle, self.seed, self.epoch, self.sampler = shuffle, seed, 0, sampler
        self.num_workers = min(4, os.cpu_count() or 1) if num_workers is None else num_workers

    def _size(self) -> int:
        return len(self.dataset)

    def __iter__(self):
        loader = DataLoader(self.dataset, self.batch_size,
                            shuffle=self.shuffle and self.sampler is None, sampler=self.sampler,
                            generator=epoch_generator(self.seed, self.epoch),
                            num_workers=self.num_workers, pin_memory=self.device.type == "cuda",
                            persistent_workers=False)
        for x, y in loader:
            yield (x.to(self.device, non_blocking=True), y.to(self.device, non_blocking=True))


def forever(source: _Batches):
    """The batches of ``source`` epoch after epoch, each epoch reshuffled as its number says:
    an iterator that never runs dry, for timing loops."""
    epoch = 0
    while True:
        source.set_epoch(epoch)
        yield from source
        epoch += 1


def batches(dataset: Dataset, batch_size: int, *, device: torch.device, image_size: int,
            channels: int = 1, shuffle: bool = False, seed: int = 0, sampler=None):
    """Batches for ``dataset``: on-device preparation when it holds uint8 ``images`` and
    ``targets`` tensors (Fashion-MNIST), a worker DataLoader otherwise. A ``sampler``, when
    given, replaces the shuffle: it yields the indices to take, in order."""
    if isinstance(getattr(dataset, "images", None), torch.Tensor):
        return TensorBatches(dataset.images, dataset.targets, batch_size, device=device,
                             image_size=image_size, channels=channels, shuffle=shuffle, seed=seed,
                             sampler=sampler, normalize=getattr(dataset, "normalize", True))
    return LoaderBatches(dataset, batch_size, device=device, shuffle=shuffle, seed=seed,
                         sampler=sampler)
