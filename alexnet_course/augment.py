"""AlexNet's data augmentation (Krizhevsky et al. 2012, §4.1 and §6): rescale the shorter
side to 256, take random 224×224 crops and their mirror images, shift every image's colours
along the principal components of the data set's RGB values ("fancy PCA"), and at test time
average the softmax over ten crops (four corners, the centre, and their reflections).

Every transform is an ``nn.Module`` that composes in ``torchvision.transforms.v2.Compose``,
takes a PIL image, a ``(C, H, W)`` tensor or a batch ``(N, C, H, W)`` (each image of a
batch gets its own random draw, hence the ``PerImage`` names: torchvision's transforms draw
once per call), and draws from the ``torch.Generator`` it was given, so a seed fixes every
crop, flip and colour shift.

The colour augmentation in three names: :func:`fit_colour_pca` makes a :class:`ColourPCA`
(the eigenvectors and eigenvalues of the RGB covariance), :func:`pca_colour_shift` moves an
image's colours along them by given ``alpha``, and :class:`RandomPCAColourShift` draws the
``alpha`` of each image, as the paper did.

>>> crop_count(256, 224), paper_crop_factor(256, 224)  # exact count, and the paper's 32²·2
(2178, 2048)
>>> x = torch.arange(2 * 3 * 8 * 8, dtype=torch.float32).reshape(2, 3, 8, 8)
>>> PerImageRandomCrop(5, generator=torch.Generator().manual_seed(0))(x).shape
torch.Size([2, 3, 5, 5])
>>> StackedTenCrop(6)(x).shape  # (N, 10 crops, C, size, size)
torch.Size([2, 10, 3, 6, 6])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from ._checks import number, whole

__all__ = ["crop_count", "paper_crop_factor", "ResizeShorter", "CentreCrop", "PerImageRandomCrop",
           "PerImageRandomHorizontalFlip", "ColourPCA", "fit_colour_pca", "pca_colour_shift",
           "RandomPCAColourShift", "ten_crop_boxes", "StackedTenCrop", "ten_crop_predict",
           "CropAndFlip", "paper_train_transform", "paper_test_transform"]


def crop_count(full: int, crop: int, flips: bool = True) -> int:
    """Distinct ``crop``×``crop`` windows of a ``full``×``full`` image, times 2 with mirrors.

    A window can start at ``full − crop + 1`` positions along each axis (0 to
    ``full − crop`` inclusive).
    """
    _check_crop(crop, full, full)
    return (full - crop + 1) ** 2 * (2 if flips else 1)


def paper_crop_factor(full: int, crop: int) -> int:
    """The paper's "factor of 2048": ``(full − crop)² · 2``, one position short per axis."""
    _check_crop(crop, full, full)
    return (full - crop) ** 2 * 2


def _check_crop(size: int, height: int, width: int) -> None:
    whole(size, "crop size")
    if size > height or size > width:
        raise ValueError(f"crop size {size} is larger than the {height}×{width} image")


def _as_batch(image) -> tuple[torch.Tensor, str]:
    """Any accepted image as an ``(N, C, H, W)`` tensor, and how to give it back."""
    from PIL import Image
    from torchvision.transforms.v2 import functional as TF

    if isinstance(image, Image.Image):
        from .data import to_8bit  # 16-bit greys scaled, not clipped at 255

        plain = to_8bit(image)
        plain = plain if plain.mode in ("L", "RGB") else plain.convert("RGB")
        return TF.pil_to_tensor(plain)[None], "pil"
    if not isinstance(image, torch.Tensor):
        raise ValueError(f"image must be a PIL image or a tensor, not {type(image).__name__}")
    if image.ndim == 3:
        return image[None], "single"
    if image.ndim == 4:
        return image, "batch"
    raise ValueError(f"image tensor must be (C, H, W) or (N, C, H, W), not shape {tuple(image.shape)}")


def _restore(batch: torch.Tensor, kind: str):
    from torchvision.transforms.v2 import functional as TF

    if kind == "pil":
        return TF.to_pil_image(batch[0])
    return batch[0] if kind == "single" else batch


def _crop_each(x: torch.Tensor, tops: torch.Tensor, lefts: torch.Tensor, size: int) -> torch.Tensor:
    """Crop image ``i`` of the batch at ``(tops[i], lefts[i])``, all in one indexing op."""
    steps = torch.arange(size, device=x.device)
    rows = (tops.to(x.device)[:, None] + steps)[:, :, None]  # (N, S, 1)
    cols = (lefts.to(x.device)[:, None] + steps)[:, None, :]  # (N, 1, S)
    batch = torch.arange(len(x), device=x.device)[:, None, None]
    return x.permute(0, 2, 3, 1)[batch, rows, cols].permute(0, 3, 1, 2).contiguous()


class ResizeShorter(nn.Module):
    """Rescale so that the shorter side is ``size`` pixels, keeping the aspect ratio
    (bilinear, antialiased), as the paper did before cropping its central 256×256 patch."""

    def __init__(self, size: int = 256):
        super().__init__()
        self.size = whole(size, "size (of the shorter side)")

    def forward(self, image):
        from torchvision.transforms.v2 import functional as TF

        x, kind = _as_batch(image)
        return _restore(TF.resize(x, [self.size], antialias=True), kind)


class CentreCrop(nn.Module):
    """The central ``size``×``size`` window; an odd margin puts the extra pixel where
    torchvision's ``center_crop`` does (``round((H − size) / 2)`` rows above).

    The same output as ``torchvision.transforms.v2.CenterCrop(size)``, except that a crop
    larger than the image is refused here, where torchvision pads the image with zeros.
    """

    def __init__(self, size: int):
        super().__init__()
        self.size = whole(size, "crop size")

    def forward(self, image):
        x, kind = _as_batch(image)
        h, w = x.shape[-2:]
        _check_crop(self.size, h, w)
        top, left = int(round((h - self.size) / 2)), int(round((w - self.size) / 2))
        return _restore(x[..., top:top + self.size, left:left + self.size], kind)


class PerImageRandomCrop(nn.Module):
    """A ``size``×``size`` window at a uniformly random position, drawn for each image.

    On one image it is ``torchvision.transforms.v2.RandomCrop(size)`` (with the global
    generator and the same seed, the same window). On a batch ``(N, C, H, W)`` torchvision
    draws one position for the whole batch; here every image gets its own, which is what
    augmentation on a batch needs. ``size`` is one int (square), and there is no padding.

    >>> x = torch.arange(16.0).reshape(1, 1, 4, 4).expand(3, 1, 4, 4)  # 3 equal images
    >>> crop = PerImageRandomCrop(2, generator=torch.Generator().manual_seed(1))
    >>> crop(x)[:, 0, 0, 0]  # each copy cropped at its own place: top-left values differ
    tensor([6., 9., 1.])
    """

    def __init__(self, size: int = 224, generator: torch.Generator | None = None):
        super().__init__()
        self.size, self.generator = whole(size, "crop size"), generator

    def positions(self, n: int, height: int, width: int) -> tuple[torch.Tensor, torch.Tensor]:
        """``n`` random (top, left) corners, each from 0 to side − size inclusive."""
        _check_crop(self.size, height, width)
        tops = torch.randint(0, height - self.size + 1, (n,), generator=self.generator)
        lefts = torch.randint(0, width - self.size + 1, (n,), generator=self.generator)
        return tops, lefts

    def forward(self, image):
        x, kind = _as_batch(image)
        tops, lefts = self.positions(len(x), *x.shape[-2:])
        return _restore(_crop_each(x, tops, lefts, self.size), kind)


class PerImageRandomHorizontalFlip(nn.Module):
    """Mirror each image left–right with probability ``p``, drawn for each image.

    On one image it is ``torchvision.transforms.v2.RandomHorizontalFlip(p)`` (with the
    global generator and the same seed, the same decision). On a batch torchvision flips all
    images or none; here each image of the batch is mirrored or not on its own coin.

    >>> x = torch.tensor([[1.0, 2.0]]).reshape(1, 1, 1, 2).expand(4, 1, 1, 2)
    >>> PerImageRandomHorizontalFlip(0.5, torch.Generator().manual_seed(0))(x)[:, 0, 0, 0]
    tensor([2., 1., 2., 2.])
    """

    def __init__(self, p: float = 0.5, generator: torch.Generator | None = None):
        super().__init__()
        self.p, self.generator = number(p, "flip probability p", 0, 1), generator

    def forward(self, image):
        x, kind = _as_batch(image)
        flip = (torch.rand(len(x), generator=self.generator) < self.p).to(x.device)
        return _restore(torch.where(flip[:, None, None, None], x.flip(-1), x), kind)


@dataclass(frozen=True)
class ColourPCA:
    """Principal components of RGB pixel values, with pixels scaled to [0, 1]: what
    :func:`fit_colour_pca` finds and :func:`pca_colour_shift` moves colours along."""

    eigenvalues: torch.Tensor  # (3,) variances along each component, largest first
    eigenvectors: torch.Tensor  # (3, 3): column i is the unit RGB direction p_i
    mean: torch.Tensor  # (3,) mean RGB value
    pixels: int  # how many pixels the covariance was computed over

    def rgb_offset(self, alpha: torch.Tensor) -> torch.Tensor:
        """The paper's RGB offset ``[p1 p2 p3] [α1λ1 α2λ2 α3λ3]ᵀ`` for each row of ``alpha``.

        >>> pca = ColourPCA(torch.tensor([0.5, 0.1, 0.0]), torch.eye(3), torch.zeros(3), 2)
        >>> pca.rgb_offset(torch.tensor([2.0, 1.0, 1.0]))  # 2·0.5 along p1 = red, 1·0.1 along p2
        tensor([1.0000, 0.1000, 0.0000], dtype=torch.float64)
        """
        alpha = torch.as_tensor(alpha, dtype=torch.float64)
        return (alpha * self.eigenvalues.double()) @ self.eigenvectors.double().T


def _rgb_rows(image) -> torch.Tensor:
    """An image (PIL, ``(H, W, 3)`` array, ``(3, H, W)`` or ``(N, 3, H, W)`` tensor) as
    ``(K, 3)`` float64 RGB rows in [0, 1], one per pixel."""
    if isinstance(image, np.ndarray):
        if image.ndim != 3 or image.shape[-1] != 3:
            raise ValueError(f"array images must be (H, W, 3), not shape {image.shape}")
        image = torch.from_numpy(np.require(image, requirements=["C", "W"])).permute(2, 0, 1)
    x, _ = _as_batch(image)
    _check_rgb(x)
    return _unit_float64(x).permute(0, 2, 3, 1).reshape(-1, 3)


def _check_rgb(x: torch.Tensor) -> None:
    if x.shape[1] != 3:
        raise ValueError(f"colour PCA needs 3 (RGB) channels, got {x.shape[1]}")


def _unit_float64(x: torch.Tensor) -> torch.Tensor:
    """``x`` as float64 in [0, 1]: uint8 is scaled, anything else must be in [0, 1] already
    (clamping a 0..255 float image would turn it white without a word)."""
    if x.dtype == torch.uint8:
        return x.double() / 255
    low, high = x.aminmax() if x.numel() else (0, 0)
    if not 0 <= low <= high <= 1:  # also false for NaN
        raise ValueError(f"image values must lie in [0, 1] unless the image is uint8, these span "
                         f"[{float(low):g}, {float(high):g}]: divide 0..255 values by 255 "
                         "(or pass a uint8 image)")
    return x.double()


def fit_colour_pca(images) -> ColourPCA:
    """Eigen-decomposition of the 3×3 covariance of every RGB pixel of ``images`` (an
    iterable of images in any accepted form), as the paper did over ImageNet's training set.

    Each eigenvector's sign is chosen so that its largest component is positive (eigenvectors
    are only defined up to sign; this makes the result reproducible).

    >>> grey = torch.tensor([0.0, 0.5, 1.0]).repeat(3, 1).reshape(3, 1, 3)  # 3 grey pixels
    >>> pca = fit_colour_pca([grey])
    >>> pca.eigenvalues  # all variance along one direction: brightness
    tensor([0.7500, 0.0000, 0.0000], dtype=torch.float64)
    >>> pca.eigenvectors[:, 0]  # (1, 1, 1) / √3
    tensor([0.5774, 0.5774, 0.5774], dtype=torch.float64)
    """
    rows = torch.cat([_rgb_rows(im) for im in images])
    if len(rows) < 2:
        raise ValueError("images must hold at least two pixels to have a covariance")
    values, vectors = torch.linalg.eigh(torch.cov(rows.T))  # ascending
    values, vectors = values.flip(0), vectors.flip(1)
    biggest = vectors.gather(0, vectors.abs().argmax(0, keepdim=True))
    vectors = vectors * biggest.sign()
    return ColourPCA(values.clamp_min(0), vectors, rows.mean(0), len(rows))


def pca_colour_shift(image, pca: ColourPCA, alpha, clamp: bool = True):
    """Add ``pca.rgb_offset(alpha)`` to every pixel: ``alpha`` is ``(3,)`` for one image or
    ``(N, 3)`` for a batch. uint8 images are shifted in [0, 1] units and rounded back;
    float images are taken to be in [0, 1] already. ``clamp`` keeps values in [0, 1].

    >>> pca = ColourPCA(torch.tensor([0.5, 0.1, 0.0]), torch.eye(3), torch.zeros(3), 2)
    >>> image = torch.full((3, 1, 1), 0.5)  # one grey pixel
    >>> pca_colour_shift(image, pca, torch.tensor([0.2, 0.0, 0.0])).flatten()  # +0.1 red
    tensor([0.6000, 0.5000, 0.5000])
    """
    x, kind = _as_batch(image)
    _check_rgb(x)
    alpha = torch.as_tensor(alpha)
    if not torch.isfinite(alpha).all():
        raise ValueError(f"alpha must be finite numbers, got {alpha.tolist()}")
    offset = pca.rgb_offset(alpha.reshape(-1, 3)).expand(len(x), 3)
    y = _unit_float64(x) + offset[:, :, None, None].to(x.device)
    if clamp:
        y = y.clamp(0, 1)
    y = (y * 255).round().to(torch.uint8) if x.dtype == torch.uint8 else y.to(x.dtype)
    return _restore(y, kind)


class RandomPCAColourShift(nn.Module):
    """The paper's colour augmentation: :func:`pca_colour_shift` with, for each image,
    α ~ N(0, ``std``²) drawn for each of the three components, so that every pixel of the
    image moves by the same ``Σ αᵢ λᵢ pᵢ``.

    >>> pca = ColourPCA(torch.tensor([0.5, 0.1, 0.0]), torch.eye(3), torch.zeros(3), 2)
    >>> shift = RandomPCAColourShift(pca, std=0.1, generator=torch.Generator().manual_seed(0))
    >>> shift(torch.full((2, 3, 1, 1), 0.5)).flatten(1)  # two grey pixels, each its own shift
    tensor([[0.5770, 0.4971, 0.5000],
            [0.5284, 0.4892, 0.5000]])
    """

    def __init__(self, pca: ColourPCA, std: float = 0.1, generator: torch.Generator | None = None):
        super().__init__()
        if not isinstance(pca, ColourPCA):
            raise ValueError("pca must be a ColourPCA from fit_colour_pca, "
                             f"got {type(pca).__name__}")
        self.pca, self.std, self.generator = pca, number(std, "std", 0), generator

    def sample_alpha(self, n: int) -> torch.Tensor:
        """``n`` draws of (α1, α2, α3), one row per image."""
        return torch.randn(n, 3, generator=self.generator, dtype=torch.float64) * self.std

    def forward(self, image):
        x, kind = _as_batch(image)
        return _restore(pca_colour_shift(x, self.pca, self.sample_alpha(len(x))), kind)


def ten_crop_boxes(height: int, width: int, size: int) -> list[tuple[int, int, bool]]:
    """``(top, left, mirrored)`` of the ten test crops: top-left, top-right, bottom-left,
    bottom-right, centre, then the reflection of each of those five, in the same order.

    >>> ten_crop_boxes(256, 256, 224)[:5]
    [(0, 0, False), (0, 32, False), (32, 0, False), (32, 32, False), (16, 16, False)]
    """
    _check_crop(size, height, width)
    bottom, right = height - size, width - size
    five = [(0, 0), (0, right), (bottom, 0), (bottom, right),
            (int(round(bottom / 2)), int(round(right / 2)))]
    return [(top, left, mirrored) for mirrored in (False, True) for top, left in five]


class StackedTenCrop(nn.Module):
    """The ten crops of :func:`ten_crop_boxes`, stacked in one tensor: ``(10, C, S, S)`` for
    one image, ``(N, 10, C, S, S)`` for a batch (a PIL image comes back as a uint8 tensor),
    ready for ``model(crops.flatten(0, 1))``.

    How it differs from ``torchvision.transforms.v2.TenCrop(size)``: torchvision returns a
    tuple of ten images, and its last five are the five crops *of the mirrored image*, so its
    6th patch is the mirror of the top-right corner; here patch ``i + 5`` is always the
    mirror of patch ``i``. With an even margin the ten patches are the same set; with an odd
    one torchvision's mirrored centre sits one pixel off the centre crop.

    >>> crops = StackedTenCrop(2)(torch.arange(9.0).reshape(1, 3, 3))  # a 3×3 image
    >>> crops[:5, 0, 0, 0], crops[5:, 0, 0, 1]  # top-left pixels, then of the mirrors
    (tensor([0., 1., 3., 4., 0.]), tensor([0., 1., 3., 4., 0.]))
    """

    def __init__(self, size: int = 224):
        super().__init__()
        self.size = whole(size, "crop size")

    def forward(self, image) -> torch.Tensor:
        x, kind = _as_batch(image)
        crops = []
        for top, left, mirrored in ten_crop_boxes(*x.shape[-2:], self.size):
            patch = x[..., top:top + self.size, left:left + self.size]
            crops.append(patch.flip(-1) if mirrored else patch)
        stacked = torch.stack(crops, dim=1)  # (N, 10, C, S, S)
        return stacked if kind == "batch" else stacked[0]


@torch.inference_mode()
def ten_crop_predict(model: nn.Module, images: torch.Tensor, size: int) -> torch.Tensor:
    """Class probabilities of ``images`` ``(N, C, H, W)``: the softmax of ``model`` on each of
    the ten crops, averaged, as the paper tested (model put in eval mode)."""
    model.eval()
    crops = StackedTenCrop(size)(images)  # (N, 10, C, S, S)
    n = len(images)
    probs = model(crops.flatten(0, 1)).float().softmax(-1)
    return probs.reshape(n, 10, -1).mean(1)


class CropAndFlip(nn.Module):
    """AlexNet's input handling as a layer placed in front of a network.

    In training mode with ``augment=True``: a random ``size`` crop and a coin-flip mirror of
    every image of the batch. Otherwise (eval mode, or ``augment=False``): the centre crop,
    the paper's single-crop test input. Running on the batch on its device, it needs no
    change to the training loop.
    """

    def __init__(self, size: int, augment: bool = True, generator: torch.Generator | None = None):
        super().__init__()
        self.size, self.augment = size, augment
        self.crop = PerImageRandomCrop(size, generator)
        self.flip = PerImageRandomHorizontalFlip(0.5, generator)
        self.centre = CentreCrop(size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.training and self.augment:
            return self.flip(self.crop(x))
        return self.centre(x)

    def extra_repr(self) -> str:
        return f"size={self.size}, augment={self.augment}"


def paper_train_transform(pca: ColourPCA, generator: torch.Generator | None = None,
                          stored: int = 256, crop: int = 224, std: float = 0.1):
    """Photo → shorter side 256 → central 256×256 (the paper's stored image) → random
    224 crop → random mirror → PCA colour shift; a uint8 ``(3, 224, 224)`` tensor."""
    from torchvision.transforms import v2

    return v2.Compose([_ToTensor(), ResizeShorter(stored),
                       CentreCrop(stored), PerImageRandomCrop(crop, generator),
                       PerImageRandomHorizontalFlip(0.5, generator),
                       RandomPCAColourShift(pca, std, generator)])


def paper_test_transform(stored: int = 256, crop: int = 224):
    """Photo → shorter side 256 → central 256×256 → the ten test crops ``(10, 3, 224, 224)``."""
    from torchvision.transforms import v2

    return v2.Compose([_ToTensor(), ResizeShorter(stored), CentreCrop(stored), StackedTenCrop(crop)])


class _ToTensor(nn.Module):
    """PIL image or ``(H, W, 3)`` uint8 array → ``(3, H, W)`` uint8 tensor; tensors pass."""

    def forward(self, image):
        if isinstance(image, np.ndarray):
            return torch.from_numpy(np.require(image, requirements=["C", "W"])).permute(2, 0, 1)
        x, kind = _as_batch(image)
        return x[0] if kind != "batch" else x
