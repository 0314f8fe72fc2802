"""Imagenette: ten ImageNet classes in colour, through the paper's own input pipeline.

Imagenette (Jeremy Howard, fast.ai) is a ten-class subset of ImageNet. torchvision's
``datasets.Imagenette`` reads it, with its checksummed archives, in its own layout:
``ROOT/imagenette2-320/{train,val}/<wnid>/*.JPEG``. The course keeps that class and that
layout, and adds three things:

- where ``ROOT`` is: the folder you name (``root=``), else ``$ALEXNET_COURSE_DATA``, else the
  course's ``data/``; a folder you name is used or refused, never replaced by another;
- a refusal within milliseconds, saying how to get the data, when the files are absent.
  Nothing is downloaded unless you ask (``download=True``), so an offline machine never
  waits on the network;
- the paper's pipeline (§4.1): shorter side to 256 → random 224 crops + mirrors + PCA
  colour shifts whose eigenvectors are fitted on the training images (:func:`fit_training_pca`),
  and ten-crop testing (:func:`eval_transform`, :func:`ten_crop_accuracy`).

>>> len(WNIDS), CLASSES[:3]
(10, ('tench', 'English springer', 'cassette player'))
>>> imagenette("train", root="/no/such/folder")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
FileNotFoundError: Imagenette (320px) not found: /no/such/folder/imagenette2-320/train does not exist...
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import torch
from torch import nn
from torchvision import datasets

from . import augment, data
from ._checks import choice, whole

__all__ = ["WNIDS", "CLASSES", "URLS", "ImagenetteSplit", "imagenette_folder", "locate", "imagenette",
           "sample_pixels", "fit_training_pca", "channel_stats", "Standardise", "stored_size",
           "train_transform", "eval_transform", "ten_crop_accuracy", "splits"]

# The ten WordNet ids in torchvision's (sorted) label order, and the first of torchvision's
# names for each; tests/test_imagenette.py checks both against torchvision's table.
WNIDS = ("n01440764", "n02102040", "n02979186", "n03000684", "n03028079",
         "n03394916", "n03417042", "n03425413", "n03445777", "n03888257")
CLASSES = ("tench", "English springer", "cassette player", "chain saw", "church",
           "French horn", "garbage truck", "gas pump", "golf ball", "parachute")
# What download=True fetches (torchvision checks each archive's MD5); the folder each unpacks to
# is the file's name without .tgz.
URLS = {"full": "https://s3.amazonaws.com/fast-ai-imageclas/imagenette2.tgz",
        "320px": "https://s3.amazonaws.com/fast-ai-imageclas/imagenette2-320.tgz",
        "160px": "https://s3.amazonaws.com/fast-ai-imageclas/imagenette2-160.tgz"}
SPLITS = {"train": "train", "val": "val", "test": "val"}  # Imagenette's val split is its test set
PAPER_STORED, PAPER_CROP = 256, 224
DOWNLOAD_TIMEOUT_S = 60  # per socket operation: a silent network fails instead of hanging


def _stem(size: str) -> str:
    choice(size, "size", tuple(URLS))
    return Path(URLS[size]).name.removesuffix(".tgz")


def imagenette_folder(root: str | os.PathLike | None = None) -> tuple[Path, str]:
    """The folder that holds (or will hold) ``imagenette2-320/``, and what named it:
    ``root``, else ``$ALEXNET_COURSE_DATA``, else the course's ``data/``.

    >>> folder, named_by = imagenette_folder("/tmp/images")
    >>> str(folder), named_by
    ('/tmp/images', 'root= / --data-root')
    """
    if root is not None:
        if not os.fspath(root):  # Path("") would quietly mean the current folder
            raise ValueError("root must name a folder, got ''")
        return Path(root).expanduser(), "root= / --data-root"
    if os.environ.get(data.ENV_VAR):
        return Path(os.environ[data.ENV_VAR]).expanduser(), f"${data.ENV_VAR}"
    course = data.course_data()
    if course is None:
        raise FileNotFoundError(
            "Imagenette: no folder to look in. The package runs outside the course's checkout, so "
            f"name one with root= (--data-root) or ${data.ENV_VAR}.")
    return course, "the course's data/ folder"


def _how_to_get(folder: Path, size: str) -> str:
    stem = _stem(size)
    return (f"To get it: online, pass download=True (`alexnet-course train --dataset imagenette "
            f"--download`), which fetches {URLS[size]}, checks its MD5 and unpacks it into {folder}. "
            f"Offline, copy that archive here from a machine that has it and unpack it with "
            f"`tar -xzf {stem}.tgz -C {folder}`, so that {folder / stem / 'train' / WNIDS[0]}/ holds "
            "JPEGs. Nothing is downloaded unless you ask.")


def locate(root: str | os.PathLike | None = None, split: str = "train", size: str = "320px") -> Path:
    """The folder ``imagenette2-320/`` (for ``size="320px"``) whose ``split`` holds the ten
    class folders; ``root`` may also name that folder itself. Only looks at the disk: an
    absent split raises :class:`FileNotFoundError` saying how to get it, a split with other
    class folders than the ten :class:`~alexnet_course.data.DataError`."""
    choice(split, "split", tuple(SPLITS))
    folder, named_by = imagenette_folder(root)
    stem = _stem(size)
    candidates = [folder / stem] + ([folder] if folder.name == stem else [])
    found = next((c for c in candidates if (c / SPLITS[split]).is_dir()), None)
    if found is None:
        raise FileNotFoundError(
            f"Imagenette ({size}) not found: {folder / stem / SPLITS[split]} does not exist (the folder "
            f"searched, {folder}, was named by {named_by}). {_how_to_get(folder, size)}")
    classes = sorted(p.name for p in (found / SPLITS[split]).iterdir() if p.is_dir())
    if classes != sorted(WNIDS):
        missing, extra = sorted(set(WNIDS) - set(classes)), sorted(set(classes) - set(WNIDS))
        raise data.DataError(
            f"Imagenette's {found / SPLITS[split]} should hold the ten class folders {', '.join(WNIDS)}; "
            f"missing: {', '.join(missing) or 'none'}; unexpected: {', '.join(extra) or 'none'}. "
            f"An interrupted unpacking leaves this: delete {found} and unpack the archive again.")
    return found


def _download(folder: Path, size: str) -> None:
    """torchvision's download: fetch the archive, check its MD5, unpack it into ``folder``
    (it skips all of that when ``folder/imagenette2-320`` exists already)."""
    folder.mkdir(parents=True, exist_ok=True)
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(DOWNLOAD_TIMEOUT_S)  # urllib's default is to wait for ever
    try:
        datasets.Imagenette(folder, split="train", size=size, download=True)
    except (OSError, RuntimeError) as err:  # no network, timeout; RuntimeError: bad checksum
        raise ConnectionError(
            f"Imagenette ({size}) could not be downloaded from {URLS[size]} into {folder} ({err}). "
            f"Offline, copy the archive from a machine that has it and unpack it with "
            f"`tar -xzf {_stem(size)}.tgz -C {folder}`.") from err
    finally:
        socket.setdefaulttimeout(previous)


class ImagenetteSplit(datasets.Imagenette):
    """torchvision's ``Imagenette`` with the course's conventions: ``classes`` holds one
    name per class as a string (torchvision's tuples of synonyms remain in ``class_to_idx``),
    ``targets`` the labels, ``originals`` the untransformed images; ``samples`` keeps a
    class-balanced subset (:func:`alexnet_course.data.balanced_subset`).

    The default ``transform`` gives each image as a uint8 ``(3, H, W)`` tensor at its
    stored size; :func:`train_transform` and :func:`eval_transform` give the paper's input.
    """

    def __init__(self, folder: Path, split: str, size: str, transform=None, samples: int | None = None):
        from torchvision.transforms import v2

        super().__init__(folder.parent, split=SPLITS[split], size=size,
                         transform=transform if transform is not None else v2.PILToTensor())
        self.classes = [CLASSES[WNIDS.index(wnid)] for wnid in self.wnids]
        self.split, self.folder = SPLITS[split], folder
        self.total = len(self._samples)  # torchvision's (path, label) list, before any subset
        if samples is not None and whole(samples, "samples") < len(self._samples):
            keep = data.balanced_subset(self.targets, samples, len(WNIDS))
            self._samples = [self._samples[i] for i in keep.tolist()]

    @property
    def targets(self) -> torch.Tensor:
        """The label of every image, in order."""
        return torch.tensor([label for _, label in self._samples], dtype=torch.long)

    @property
    def originals(self) -> _Originals:
        """The images as they are stored, uint8 ``(3, H, W)``, ignoring ``transform``."""
        return _Originals(self._samples)

    def __repr__(self) -> str:
        return (f"ImagenetteSplit(split={self.split!r}, images={len(self)} of {self.total}, "
                f"classes={len(self.classes)}, source={data.display_path(self.folder)})")


class _Originals:
    """A sequence view of image files as uint8 ``(3, H, W)`` tensors (read with the course's
    :func:`~alexnet_course.data.load_image`: CMYK and greyscale JPEGs come back as RGB)."""

    def __init__(self, samples: list[tuple[str, int]]):
        self.samples = samples

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index: int) -> torch.Tensor:
        from torchvision.transforms.v2 import functional as TF

        return TF.pil_to_tensor(data.load_image(self.samples[index][0]))


def imagenette(split: str = "train", *, root: str | os.PathLike | None = None, size: str = "320px",
               download: bool = False, transform=None, samples: int | None = None) -> ImagenetteSplit:
    """One split of Imagenette, ``"train"`` or ``"val"`` (``"test"`` means ``"val"``: it is
    Imagenette's test set), from ``ROOT/imagenette2-320/`` (see :func:`imagenette_folder`).

    ``download=True`` fetches and unpacks the archive first if it is absent (about 330 MB for
    ``320px``); otherwise a missing split raises :class:`FileNotFoundError` at once, saying
    how to get it. ``samples`` keeps a class-balanced subset; ``transform`` replaces the
    default (a uint8 ``(3, H, W)`` tensor per image).
    """
    if download:
        _download(imagenette_folder(root)[0], size)
    return ImagenetteSplit(locate(root, split, size), split, size, transform, samples)


def sample_pixels(image: torch.Tensor, count: int, generator: torch.Generator) -> torch.Tensor:
    """``count`` pixels of a ``(3, H, W)`` image drawn uniformly (with replacement), as a
    ``(3, 1, count)`` image that :func:`~alexnet_course.augment.fit_colour_pca` accepts.

    >>> image = torch.arange(12).reshape(3, 2, 2)
    >>> sample_pixels(image, 3, torch.Generator().manual_seed(0))[:, 0].T.tolist()  # (R, G, B) rows
    [[0, 4, 8], [3, 7, 11], [1, 5, 9]]
    """
    flat = image.flatten(1)
    picks = torch.randint(0, flat.shape[1], (whole(count, "count"),), generator=generator)
    return flat[:, picks].unsqueeze(1)


def fit_training_pca(images, *, count: int = 256, pixels: int = 1024, seed: int = 0) -> augment.ColourPCA:
    """The paper's colour PCA, fitted on the training set: the RGB covariance of ``pixels``
    random pixels of each of ``count`` random images of ``images`` (a sequence of ``(3, H, W)``
    images, e.g. an :class:`ImagenetteSplit`'s ``originals``). The same ``seed`` picks the
    same pixels, so the same eigenvectors.

    The paper used every pixel of ImageNet's 1.2 million training images; a covariance of
    3 × 3 numbers needs far fewer: 256 × 1024 pixels pin each entry to about 1 %.

    >>> stripes = [torch.tensor([[[0.2, 0.8]]]).expand(3, 4, 2)]  # grey stripes: brightness only
    >>> fit_training_pca(stripes, count=1, pixels=64).eigenvectors[:, 0]
    tensor([0.5774, 0.5774, 0.5774], dtype=torch.float64)
    """
    generator = torch.Generator().manual_seed(seed)
    picks = torch.randperm(len(images), generator=generator)[:whole(count, "count")]
    return augment.fit_colour_pca([sample_pixels(images[i], pixels, generator) for i in picks.tolist()])


def channel_stats(pca: augment.ColourPCA) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean and standard deviation of each of R, G, B (pixels in [0, 1]), from the fitted
    PCA: the covariance is ``P diag(λ) Pᵀ``, and its diagonal holds the three variances.

    >>> pca = augment.ColourPCA(torch.tensor([0.04, 0.01, 0.0]), torch.eye(3), torch.full((3,), 0.5), 9)
    >>> channel_stats(pca)
    (tensor([0.5000, 0.5000, 0.5000]), tensor([0.2000, 0.1000, 0.0000]))
    """
    vectors = pca.eigenvectors.double()
    variances = (vectors**2 * pca.eigenvalues.double()).sum(1)
    return pca.mean.float(), variances.sqrt().float()


class Standardise(nn.Module):
    """uint8 image(s) ``(…, 3, H, W)`` → float32, each channel shifted by its ``mean`` and
    divided by its ``std`` (both in [0, 1] units), so that the network sees zero-mean inputs
    (the paper subtracted the mean; dividing by the spread is today's habit).

    >>> white = torch.full((3, 1, 1), 255, dtype=torch.uint8)
    >>> Standardise(torch.full((3,), 0.5), torch.full((3,), 0.25))(white).flatten()  # (1 - 0.5) / 0.25
    tensor([2., 2., 2.])
    """

    def __init__(self, mean: torch.Tensor, std: torch.Tensor):
        super().__init__()
        if not bool((std > 0).all()):
            raise ValueError(f"every channel's std must be > 0, got {std.tolist()} (a blank image set?)")
        self.register_buffer("mean", mean.reshape(3, 1, 1).float())
        self.register_buffer("std", std.reshape(3, 1, 1).float())

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        return (image.float() / 255 - self.mean) / self.std


def stored_size(crop: int) -> int:
    """The side of the square that crops are cut from: the paper's 256 for its 224 (and the
    227 its network really takes), else the same ratio 256 : 224.

    >>> stored_size(224), stored_size(227), stored_size(64)
    (256, 256, 73)
    """
    whole(crop, "crop")
    return PAPER_STORED if crop in (PAPER_CROP, 227) else round(crop * PAPER_STORED / PAPER_CROP)


def train_transform(pca: augment.ColourPCA, *, crop: int = PAPER_CROP, colour_std: float = 0.1,
                    generator: torch.Generator | None = None):
    """The paper's training input: shorter side to :func:`stored_size` (256), the central
    square, a random ``crop`` (224) window, a coin-flip mirror, a PCA colour shift with
    α ~ N(0, ``colour_std``²) (all :func:`alexnet_course.augment.paper_train_transform`),
    then :class:`Standardise` by the PCA's channel statistics.

    Leave ``generator`` None under a DataLoader: each worker then draws from its own seeded
    stream, where copies of one generator would repeat the same crops in every worker.

    >>> pca = augment.ColourPCA(torch.tensor([0.02, 0.01, 0.005]), torch.eye(3), torch.full((3,), 0.5), 9)
    >>> photo = torch.randint(0, 256, (3, 320, 480), dtype=torch.uint8)
    >>> x = train_transform(pca, generator=torch.Generator().manual_seed(0))(photo)
    >>> tuple(x.shape), x.dtype
    ((3, 224, 224), torch.float32)
    """
    from torchvision.transforms import v2

    return v2.Compose([augment.paper_train_transform(pca, generator, stored_size(crop), crop, colour_std),
                       Standardise(*channel_stats(pca))])


def eval_transform(pca: augment.ColourPCA, *, crop: int = PAPER_CROP, ten_crop: bool = True):
    """The paper's test input: shorter side to :func:`stored_size`, the central square, then
    its ten ``crop`` windows (corners, centre, and their mirrors: ``(10, 3, crop, crop)``),
    or with ``ten_crop=False`` the centre window alone, standardised as in training.

    >>> pca = augment.ColourPCA(torch.tensor([0.02, 0.01, 0.005]), torch.eye(3), torch.full((3,), 0.5), 9)
    >>> photo = torch.randint(0, 256, (3, 320, 480), dtype=torch.uint8)
    >>> eval_transform(pca)(photo).shape, eval_transform(pca, ten_crop=False)(photo).shape
    (torch.Size([10, 3, 224, 224]), torch.Size([3, 224, 224]))
    """
    from torchvision.transforms import v2

    stored = stored_size(crop)
    if ten_crop:
        crops = augment.paper_test_transform(stored, crop)
    else:
        crops = v2.Compose([v2.PILToTensor(), augment.ResizeShorter(stored), augment.CentreCrop(stored),
                            augment.CentreCrop(crop)])
    return v2.Compose([crops, Standardise(*channel_stats(pca))])


@torch.inference_mode()
def ten_crop_accuracy(model: nn.Module, dataset, *, batch_size: int = 50) -> float:
    """Top-1 accuracy of ``model`` (put in eval mode, run on its own device) when each
    image's class probabilities are the softmax averaged over its ten crops, as the paper
    tested; ``dataset`` yields ``(10, 3, S, S)`` items (:func:`eval_transform`)."""
    from torch.utils.data import DataLoader

    model.eval()
    device = next(model.parameters()).device
    right = seen = 0
    for crops, labels in DataLoader(dataset, whole(batch_size, "batch_size")):
        probs = model(crops.flatten(0, 1).to(device)).float().softmax(-1)
        guesses = probs.reshape(len(crops), 10, -1).mean(1).argmax(-1).cpu()
        right, seen = right + int((guesses == labels).sum()), seen + len(labels)
    return right / seen


def splits(*, root: str | os.PathLike | None = None, size: str = "320px", download: bool = False,
           crop: int = PAPER_CROP, train_samples: int | None = None, test_samples: int | None = None,
           seed: int = 0) -> tuple[ImagenetteSplit, ImagenetteSplit, augment.ColourPCA]:
    """What a training run needs: the training split with :func:`train_transform`, the test
    (val) split with the centre crop of :func:`eval_transform` (what a per-epoch evaluation
    takes; pass the test split to :func:`ten_crop_accuracy` with ``ten_crop=True`` for the
    paper's figure), and the colour PCA both are built on, fitted on the training images."""
    train = imagenette("train", root=root, size=size, download=download, samples=train_samples)
    pca = fit_training_pca(train.originals, seed=seed)
    train.transform = train_transform(pca, crop=crop)
    test = imagenette("val", root=root, size=size, samples=test_samples,
                      transform=eval_transform(pca, crop=crop, ten_crop=False))
    return train, test, pca
