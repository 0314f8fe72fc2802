"""Real data, offline: Fashion-MNIST, a handful of real colour photos, your own images, and
Imagenette's ten ImageNet classes in colour (:mod:`alexnet_course.imagenette`).

Nothing here ever downloads, except Imagenette when you ask (``download=True``). Every file
is found on disk and checked against a SHA-256 of its *decompressed* bytes, so the same
check accepts the copy shipped in ``data/``, Debian's recompressed ``dataset-fashion-mnist``
package and torchvision's ``FashionMNIST/raw`` folder alike.

>>> train = fashion_mnist("train", profile="smoke")
>>> len(train), train.classes[0]
(2000, 'T-shirt/top')
>>> image, label = train[0]
>>> tuple(image.shape), label
((1, 32, 32), 9)
"""

from __future__ import annotations

import gzip
import hashlib
import os
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset

from . import paths
from ._checks import choice, whole
from .profiles import Profile
from .profiles import profile as get_profile

ENV_VAR = "ALEXNET_COURSE_DATA"
DEBIAN_FASHION_MNIST = Path("/usr/share/datasets/fashion-mnist")

FASHION_MNIST_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)
# Mean and standard deviation of all 60,000 training pixels scaled to [0, 1];
# tests/test_data.py recomputes both from the files.
FASHION_MNIST_MEAN = 0.2860
FASHION_MNIST_STD = 0.3530
# The course's batches are standardised, x = (p / 255 − m) / s for a pixel p of 0–255, so
# 255·s·x = p − 255·m: the pixel minus the mean pixel, on the scale the paper fed its network
# (it subtracted the mean *image*; one mean for all pixels gives the same scale).
FASHION_MNIST_RAW_SCALE = 255 * FASHION_MNIST_STD


class DataError(RuntimeError):
    """A data file exists but cannot be trusted (corrupt, truncated, wrong content)."""


@dataclass(frozen=True)
class IdxFile:
    """One of the four idx files of (Fashion-)MNIST, as LeCun's format defines it."""

    name: str
    shape: tuple[int, ...]
    sha256: str  # of the decompressed bytes: independent of how the .gz was made


FASHION_MNIST_FILES = {
    ("train", "images"): IdxFile(
        "train-images-idx3-ubyte", (60000, 28, 28),
        "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
    ("train", "labels"): IdxFile(
        "train-labels-idx1-ubyte", (60000,),
        "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
    ("test", "images"): IdxFile(
        "t10k-images-idx3-ubyte", (10000, 28, 28),
        "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
    ("test", "labels"): IdxFile(
        "t10k-labels-idx1-ubyte", (10000,),
        "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"),
}

HOW_TO_FIX = (
    "Restore the copy shipped with the course (`git checkout -- data/fashion-mnist`), "
    f"or point {ENV_VAR} at a folder holding the four idx files (.gz or not), "
    "or on Debian/Ubuntu run `apt-get install dataset-fashion-mnist`. "
    "The course never downloads data."
)


def course_data() -> Path | None:
    """The course's own ``data/`` folder (:func:`alexnet_course.paths.data_dir`), None when
    the package runs without its checkout."""
    try:
        return paths.data_dir()
    except FileNotFoundError:
        return None


def _layouts(base: Path) -> list[Path]:
    """The folder itself plus the layouts other tools use below a data root."""
    return [base, base / "fashion-mnist", base / "FashionMNIST" / "raw"]


def _named_folder(root: str | os.PathLike | None) -> tuple[Path, str] | None:
    """The folder the user named, ``root`` first, else ``$ALEXNET_COURSE_DATA``, and how it
    was named; None when neither is set."""
    if root is not None:
        if not os.fspath(root):  # Path("") would quietly mean the current folder
            raise ValueError("root must name a folder, got ''")
        return Path(root), "root= / --root"
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser(), f"${ENV_VAR}"
    return None


def fashion_mnist_search_path(root: str | os.PathLike | None = None) -> list[Path]:
    """Folders searched for the idx files, in order.

    A folder you name, ``root`` or else ``$ALEXNET_COURSE_DATA``, is the only place
    searched: it is used or refused, never replaced by another copy. With neither, the
    course's ``data/`` (:mod:`alexnet_course.paths`) and then Debian's ``/usr/share/datasets/fashion-mnist``.
    Each folder is also searched in the layouts other tools use below it
    (``fashion-mnist/``, torchvision's ``FashionMNIST/raw``).
    """
    named = _named_folder(root)
    if named is not None:
        return _layouts(named[0])
    course = course_data()
    return (_layouts(course) if course else []) + [DEBIAN_FASHION_MNIST]


def find_idx_file(folder: Path, name: str) -> Path | None:
    """``folder/name`` or ``folder/name.gz``, whichever exists (uncompressed first)."""
    for candidate in (folder / name, folder / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    return None


def _missing(folder: Path) -> list[str]:
    return [f.name for f in FASHION_MNIST_FILES.values() if not find_idx_file(folder, f.name)]


def locate_fashion_mnist(root: str | os.PathLike | None = None) -> Path:
    """The first folder on the search path that holds all four files."""
    searched = fashion_mnist_search_path(root)
    for folder in searched:
        if not _missing(folder):
            return folder
    named = _named_folder(root)
    if named is not None:
        raise FileNotFoundError(_refusal(*named))
    listing = "\n  ".join(str(p) for p in searched)
    raise FileNotFoundError(
        f"Fashion-MNIST not found. Looked for the four idx files in:\n  {listing}\n{HOW_TO_FIX}"
    )


def _refusal(folder: Path, named_by: str) -> str:
    """One line: why the folder the user named cannot be used, and what to do."""
    if not folder.is_dir():
        problem = "does not exist" if not folder.exists() else "is not a folder"
    else:
        missing = min((_missing(f) for f in _layouts(folder)), key=len)
        problem = (f"lacks {', '.join(missing)} (.gz or not; also looked in fashion-mnist/ and "
                   "FashionMNIST/raw/ below it)")
    return (f"Fashion-MNIST folder {folder} (named by {named_by}) {problem}. A folder you name "
            "is never replaced by another copy: put the four idx files there, or name no "
            "folder to use the course's own.")


def _read_bytes(path: Path) -> bytes:
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as fh:
                return fh.read()
        return path.read_bytes()
    # zlib.error: damage inside the deflate stream; EOFError: cut short; BadGzipFile: bad
    # header or CRC.
    except (OSError, EOFError, gzip.BadGzipFile, zlib.error) as err:
        raise DataError(f"{path} cannot be read ({err}); the file is corrupt. {HOW_TO_FIX}") from err


@lru_cache(maxsize=8)
def _read_idx(path: Path, mtime_ns: int, spec: IdxFile) -> np.ndarray:
    raw = _read_bytes(path)
    digest = hashlib.sha256(raw).hexdigest()
    if digest != spec.sha256:
        raise DataError(
            f"{path} does not hold the expected {spec.name} "
            f"(SHA-256 of its content is {digest[:12]}…, expected {spec.sha256[:12]}…). {HOW_TO_FIX}"
        )
    # idx header: two zero bytes, a type code (0x08 = uint8), the number of dims, then
    # one big-endian uint32 per dim.
    ndim = raw[3]
    dims = tuple(int(d) for d in np.frombuffer(raw, ">u4", count=ndim, offset=4))
    array = np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(dims)
    array.flags.writeable = False
    return array


def read_idx(path: str | os.PathLike, spec: IdxFile) -> np.ndarray:
    """Read one idx file (gzipped or not), verify its checksum, return a read-only uint8 array."""
    path = Path(path)
    return _read_idx(path, path.stat().st_mtime_ns, spec)


def balanced_subset(targets: torch.Tensor, n: int, num_classes: int) -> torch.Tensor:
    """Indices of the first ``n // num_classes`` examples of every class, in file order.

    Deterministic (no randomness to seed) and exactly class-balanced, so a smoke run
    sees every class equally often.

    >>> balanced_subset(torch.tensor([0, 0, 1, 0, 1, 1]), 4, 2).tolist()
    [0, 1, 2, 4]
    """
    per_class = n // num_classes
    if per_class < 1:
        raise ValueError(f"a subset of {n} cannot hold one image of each of {num_classes} classes")
    picks = [torch.nonzero(targets == c).flatten()[:per_class] for c in range(num_classes)]
    return torch.cat(picks).sort().values


def image_transform(image_size: int | None, channels: int = 1, normalize: bool = True,
                    mean: float = FASHION_MNIST_MEAN, std: float = FASHION_MNIST_STD):
    """The one transform every dataset of the course goes through.

    Image (PIL, uint8 tensor or array) → float tensor in [0, 1] → ``channels`` colour
    channels → ``image_size`` × ``image_size`` → normalised by ``mean``/``std``.
    Fashion-MNIST and your own ImageFolder photos get the same treatment.
    """
    from torchvision.transforms import v2

    choice(channels, "channels", (1, 3))
    if image_size is not None:
        whole(image_size, "image_size")
    steps = [v2.ToImage(), v2.ToDtype(torch.float32, scale=True)]
    steps.append(v2.Grayscale(1) if channels == 1 else _ToRGB())
    if image_size is not None:
        steps.append(v2.Resize((image_size, image_size), antialias=True))
    if normalize:
        steps.append(v2.Normalize([mean] * channels, [std] * channels))
    return v2.Compose(steps)


class _ToRGB(torch.nn.Module):
    """Grey images become three identical channels; colour images pass through."""

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        return image.expand(3, *image.shape[-2:]) if image.shape[-3] == 1 else image[..., :3, :, :]


class FashionMNIST(Dataset):
    """Fashion-MNIST images as uint8 tensors, transformed on access.

    ``images`` is ``(N, 28, 28)`` uint8 and ``targets`` ``(N,)`` int64, so a whole split
    can also be moved to a GPU and transformed there in batches.
    """

    classes = FASHION_MNIST_CLASSES

    def __init__(self, images: torch.Tensor, targets: torch.Tensor, *, split: str,
                 source: Path, transform=None, normalize: bool = True):
        self.images, self.targets = images, targets
        self.split, self.source, self.transform = split, source, transform
        self.normalize = normalize  # read by the batched twin of the transform (loaders.batches)

    def __len__(self) -> int:
        return len(self.targets)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        image = self.images[index].unsqueeze(0)  # (1, 28, 28)
        image = self.transform(image) if self.transform else image.float() / 255
        return image, int(self.targets[index])

    def __repr__(self) -> str:
        total = FASHION_MNIST_FILES[(self.split, "labels")].shape[0]
        return (f"FashionMNIST(split={self.split!r}, images={len(self)} of {total}, "
                f"classes={len(self.classes)}, source={display_path(self.source)})")


def display_path(path: Path) -> str:
    """``path`` relative to the repository when it lies inside it (portable in outputs)."""
    course = course_data()
    if course is not None and path.is_relative_to(course.parent):
        return str(path.relative_to(course.parent))
    return str(path)


def fashion_mnist(split: str = "train", profile: str | Profile | None = None, *,
                  samples: int | None = None, image_size: int | None = None,
                  channels: int = 1, normalize: bool = True, transform=None,
                  root: str | os.PathLike | None = None) -> FashionMNIST:
    """Load a Fashion-MNIST split from disk, sized by the profile.

    ``samples`` (default: the profile's) takes a class-balanced subset; ``image_size``
    (default: the profile's) resizes on access; ``transform`` replaces the default
    :func:`image_transform` entirely.
    """
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', not {split!r}")
    prof = get_profile(profile)
    folder = locate_fashion_mnist(root)
    arrays = {kind: read_idx(find_idx_file(folder, spec.name), spec)
              for (part, kind), spec in FASHION_MNIST_FILES.items() if part == split}
    images = torch.from_numpy(arrays["images"].copy())
    targets = torch.from_numpy(arrays["labels"].astype(np.int64))
    wanted = samples if samples is not None else getattr(prof, f"{split}_samples")
    if wanted is not None and wanted < len(targets):
        keep = balanced_subset(targets, wanted, len(FASHION_MNIST_CLASSES))
        images, targets = images[keep], targets[keep]
    if transform is None:
        size = image_size if image_size is not None else prof.image_size
        transform = image_transform(None if size == 28 else size, channels, normalize)
    return FashionMNIST(images, targets, split=split, source=folder, transform=transform,
                        normalize=normalize)


def to_8bit(image):
    """A PIL image in an 8-bit mode.

    PIL's ``convert`` clips 16-bit greys (modes "I;16…", and "I" as which PIL may read a
    16-bit PNG) at 255, turning a 16-bit photo white: they are scaled to 0..255 instead
    (65535 → 255; values beyond 16 bits clip). Every other mode is returned as it is, for
    PIL's own conversions (CMYK → RGB among them).
    """
    from PIL import Image

    if image.mode.startswith("I"):
        grey = np.asarray(image, dtype=np.float64).clip(0, 65535) / 257
        return Image.fromarray(grey.round().astype(np.uint8))
    return image


def load_image(path: str | os.PathLike):
    """An image file as an 8-bit RGB PIL image, as :func:`image_folder` reads it
    (torchvision's loader, with 16-bit greys scaled by :func:`to_8bit`).

    An unreadable or corrupt file raises :class:`DataError` naming it.
    """
    from PIL import Image

    try:
        with open(path, "rb") as fh:
            return to_8bit(Image.open(fh)).convert("RGB")
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as err:
        raise DataError(f"{path} cannot be read as an image ({err})") from err


def _check_images(root: Path, paths: list[str]) -> None:
    """Decode every image once, so that a broken file stops the run before any training,
    with every bad file named (not mid-epoch, with none)."""
    from concurrent.futures import ThreadPoolExecutor

    def problem(path: str) -> str | None:
        try:
            load_image(path)
        except DataError as err:
            return str(err)
        return None

    with ThreadPoolExecutor(min(8, os.cpu_count() or 1)) as pool:  # PIL decodes without the GIL
        problems = [p for p in pool.map(problem, paths) if p]
    if problems:
        raise DataError(f"{len(problems)} of {len(paths)} images in {root} cannot be read; "
                        "remove or replace them:\n  " + "\n  ".join(problems))


def _check_classes(root: Path, found: list[str], expected) -> None:
    if list(expected) != found:
        missing = sorted(set(expected) - set(found))
        extra = sorted(set(found) - set(expected))
        raise DataError(
            f"{root} has the classes {found}, but {list(expected)} were expected "
            f"(missing: {missing or 'none'}; unexpected: {extra or 'none'}). Labels are numbered "
            "by class folder name, so both splits need the same class folders.")


def image_folder(root: str | os.PathLike, profile: str | Profile | None = None, *,
                 image_size: int | None = None, channels: int = 1, normalize: bool = True,
                 classes: list[str] | None = None):
    """Your own images, one sub-folder per class (torchvision's ``ImageFolder``),
    through the same :func:`image_transform` as Fashion-MNIST.

    ``classes``, e.g. the training split's ``.classes`` when loading the test split: the
    class folders ``root`` must hold, in ImageFolder's (sorted) order; other classes are
    refused, since labels are numbered by class and would silently mean something else.

    Every image is decoded once here, before any training: if any cannot be read (corrupt,
    truncated, not an image), a :class:`DataError` lists every such file and nothing is
    loaded. 16-bit greys are scaled to 8 bits and CMYK converted to RGB (:func:`load_image`).
    """
    from torchvision.datasets import ImageFolder

    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(
            f"{root} is not a folder. An image folder holds one sub-folder per class, "
            "e.g. photos/cat/1.jpg, photos/dog/2.jpg.")
    size = image_size if image_size is not None else get_profile(profile).image_size
    try:
        dataset = ImageFolder(str(root), transform=image_transform(size, channels, normalize),
                              loader=load_image)
    except FileNotFoundError as err:
        raise FileNotFoundError(
            f"{root} holds no class sub-folders with images ({err}). "
            "Expected layout: ROOT/CLASS_NAME/IMAGE.jpg") from err
    if classes is not None:
        _check_classes(root, dataset.classes, classes)
    _check_images(root, [path for path, _ in dataset.samples])
    return dataset


@dataclass(frozen=True)
class Photo:
    """A real photograph shipped in ``data/photos`` (copied from scikit-image 0.26)."""

    file: str
    sha256: str
    credit: str
    licence: str


PHOTOS = {
    "astronaut": Photo("astronaut.png",
                       "88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5",
                       "NASA: Eileen Collins", "public domain"),
    "chelsea": Photo("chelsea.png",
                     "596aa1e7cb875eb79f437e310381d26b338a81c2da23439704a73c4651e8c4bb",
                     "Stefan van der Walt: Chelsea the cat", "CC0"),
    "coffee": Photo("coffee.png",
                    "cc02f8ca188b167c775a7101b5d767d1e71792cf762c33d6fa15a4599b5a8de7",
                    "Rachel Michetti: a cup of coffee", "CC0"),
    "rocket": Photo("rocket.jpg",
                    "c2dd0de7c538df8d111e479619b129464d0269d0ae5fd18ca91d33a7fdfea95c",
                    "SpaceX: DSCOVR launch on Falcon 9", "public domain"),
    "hubble": Photo("hubble_deep_field.jpg",
                    "3a19c5dd8a927a9334bb1229a6d63711b1c0c767fb27e2286e7c84a3e2c2f5f4",
                    "NASA: Hubble eXtreme Deep Field", "public domain"),
}
_SKIMAGE_NAMES = {"hubble": "hubble_deep_field"}


def photo(name: str, folder: str | os.PathLike | None = None) -> np.ndarray:
    """One real colour photo as an ``(H, W, 3)`` uint8 array.

    Read from ``data/photos`` and checked; if the file is absent, taken from the
    scikit-image package it was copied from (also offline).

    >>> photo("chelsea").shape
    (300, 451, 3)
    """
    from PIL import Image

    if name not in PHOTOS:
        raise KeyError(f"no photo called {name!r}; available: {', '.join(PHOTOS)}")
    spec = PHOTOS[name]
    if folder is None and (course := course_data()) is not None:
        folder = course / "photos"
    path = Path(folder) / spec.file if folder is not None else None
    if path is None or not path.is_file():
        import skimage.data

        return np.asarray(getattr(skimage.data, _SKIMAGE_NAMES.get(name, name))())[..., :3]
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != spec.sha256:
        raise DataError(f"{path} is not the expected photo (SHA-256 {digest[:12]}…); "
                        "restore it with `git checkout -- data/photos`.")
    with Image.open(path) as img:
        return np.asarray(img.convert("RGB"))


def photos(folder: str | os.PathLike | None = None) -> dict[str, np.ndarray]:
    """Every shipped photo by name."""
    return {name: photo(name, folder) for name in PHOTOS}


def imagenette(split: str = "train", *, root: str | os.PathLike | None = None, size: str = "320px",
               download: bool = False, transform=None, samples: int | None = None):
    """One split of Imagenette (``"train"``, or ``"val"`` alias ``"test"``), ten ImageNet
    classes in colour, read by torchvision's ``datasets.Imagenette`` from its layout
    ``ROOT/imagenette2-320/{train,val}/<wnid>/*.JPEG``. ``ROOT`` is ``root``, else
    ``$ALEXNET_COURSE_DATA``, else the course's ``data/``. Absent files raise a
    :class:`FileNotFoundError` at once, saying how to get them; only ``download=True``
    fetches them. :mod:`alexnet_course.imagenette` has the details and the paper's pipeline.

    >>> imagenette("test", root="/no/such/folder")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    FileNotFoundError: Imagenette (320px) not found: /no/such/folder/imagenette2-320/val does not exist...
    """
    from . import imagenette as imagenette_module

    return imagenette_module.imagenette(split, root=root, size=size, download=download,
                                        transform=transform, samples=samples)
