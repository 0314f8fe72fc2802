"""torchvision's ImageNet-trained AlexNet, where it can be had without waiting on a network.

Lesson 09 trains its own network on grey Fashion-MNIST, whose first-layer kernels cannot show
the colour blobs of the paper's Figure 3. torchvision publishes AlexNet weights trained on
ImageNet (``AlexNet_Weights.IMAGENET1K_V1``, 233 MB, top-1 56.5 % on ImageNet's validation
set). :func:`imagenet_alexnet` returns that network when its file is in PyTorch's cache
(``$TORCH_HOME/hub/checkpoints``), or downloads it when asked and the server answers; otherwise
it returns ``None`` and a sentence saying why, and the lesson carries on with its own model.
Nothing here ever waits on a silent network: the server is tried with a short timeout first,
and a damaged file in the cache is refused, never half-loaded.

>>> model, message = imagenet_alexnet(download=False, cache=Path("/no/such/cache"))
>>> model is None, message.startswith("torchvision's ImageNet weights are not in this machine's cache")
(True, True)
"""

from __future__ import annotations

import socket
import sys
from pathlib import Path
from urllib.parse import urlparse

import torch
from torch import nn
from torch.utils.data import DataLoader
from torchvision.models import AlexNet_Weights, alexnet

from .embeddings import penultimate_features

__all__ = ["WEIGHTS", "on_colab", "cache_folder", "cached_file", "server_answers", "imagenet_alexnet",
           "imagenet_top5", "photo_features", "picture"]

WEIGHTS = AlexNet_Weights.IMAGENET1K_V1
CONNECT_TIMEOUT_S = 3.0  # how long to wait for the server before calling the machine offline
DOWNLOAD_TIMEOUT_S = 60  # per socket operation during the download: a stalled one fails


def on_colab() -> bool:
    """Whether this runs in Google Colab, where downloading is quick and expected."""
    return "google.colab" in sys.modules


def cache_folder() -> Path:
    """Where PyTorch keeps downloaded weights: ``$TORCH_HOME/hub/checkpoints``."""
    return Path(torch.hub.get_dir()) / "checkpoints"


def cached_file(cache: Path | None = None) -> Path:
    """The path torchvision's AlexNet weights have in the cache (present or not)."""
    return (cache or cache_folder()) / Path(urlparse(WEIGHTS.url).path).name


def _shown(path: Path) -> str:
    """``path`` with the home folder written ``~``: the same message on every machine."""
    try:
        return "~/" + str(path.relative_to(Path.home()))
    except ValueError:
        return str(path)


def server_answers(url: str = WEIGHTS.url, timeout: float = CONNECT_TIMEOUT_S) -> bool:
    """Whether the host of ``url`` accepts a connection within ``timeout`` seconds."""
    host = urlparse(url).hostname
    try:
        with socket.create_connection((host, 443), timeout=timeout):
            return True
    except OSError:
        return False


def _download(url: str, path: Path) -> None:
    """torch.hub's download: a progress bar, a temporary file renamed into place only once
    complete, and the SHA-256 prefix that the file's name carries checked."""
    path.parent.mkdir(parents=True, exist_ok=True)
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(DOWNLOAD_TIMEOUT_S)
    try:
        torch.hub.download_url_to_file(url, str(path), hash_prefix=path.stem.rsplit("-", 1)[-1])
    finally:
        socket.setdefaulttimeout(previous)


def imagenet_alexnet(download: bool = False, *, cache: Path | None = None,
                     timeout: float = CONNECT_TIMEOUT_S) -> tuple[nn.Module | None, str]:
    """``(model, message)``: torchvision's AlexNet with its ImageNet weights, in eval mode, or
    ``None`` and why not.

    From the cache when the file is there; else, with ``download=True``, fetched when the
    server answers within ``timeout`` seconds. A file that does not load, or whose tensors do
    not fit the network, is refused and named.
    """
    path = cached_file(cache)
    if not path.is_file():
        if not download:
            return None, (f"torchvision's ImageNet weights are not in this machine's cache ({_shown(path)}) "
                          "and downloading was not asked for: set download=True where there is "
                          "internet (233 MB, once)")
        if not server_answers(WEIGHTS.url, timeout):
            return None, (f"offline: {urlparse(WEIGHTS.url).hostname} did not answer within "
                          f"{timeout:g} s, so torchvision's ImageNet weights could not be downloaded")
        try:
            _download(WEIGHTS.url, path)
        except (OSError, RuntimeError) as err:  # a network failure; RuntimeError: wrong hash
            return None, f"the download of {WEIGHTS.url} failed ({err})"
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
        model = alexnet()
        model.load_state_dict(state)
    except Exception as err:  # noqa: BLE001 (a truncated zip, a pickle error, wrong tensors)
        return None, (f"the cached weights {_shown(path)} are damaged and were not used "
                      f"({type(err).__name__}: {str(err)[:200]}); delete the file to download it again")
    return model.eval(), f"torchvision's ImageNet-trained AlexNet, from {_shown(path)}"


@torch.inference_mode()
def imagenet_top5(model: nn.Module, image) -> list[tuple[str, float]]:
    """The five ImageNet classes ``model`` finds likeliest for ``image`` (a PIL image or an
    ``(H, W, 3)`` uint8 array), through torchvision's own preprocessing (shorter side to 256,
    centre 224 crop, ImageNet's mean and standard deviation), with their probabilities."""
    from PIL import Image

    if not isinstance(image, Image.Image):
        image = Image.fromarray(image)
    x = WEIGHTS.transforms()(image.convert("RGB")).unsqueeze(0)
    probabilities = model(x).softmax(1)[0]
    top = probabilities.topk(5)
    names = WEIGHTS.meta["categories"]
    return [(names[i], p) for p, i in zip(top.values.tolist(), top.indices.tolist())]


def photo_features(model: nn.Module, dataset, device: torch.device | str = "cpu",
                   batch_size: int = 64) -> tuple[torch.Tensor, torch.Tensor]:
    """fc7 features (the input of the last layer, after its ReLU) and labels of every image of
    ``dataset``, whose transform must be torchvision's (``WEIGHTS.transforms()``), computed on
    ``device``: the description of an image that the paper's Figure 4 compares."""
    model.to(device)
    loader = DataLoader(dataset, batch_size)
    return penultimate_features(model, ((x.to(device), y) for x, y in loader))


def picture(x: torch.Tensor) -> torch.Tensor:
    """A tensor that went through ``WEIGHTS.transforms()`` back as a picture: ``(3, H, W)``
    in [0, 1], the normalisation by ImageNet's mean and standard deviation undone."""
    transform = WEIGHTS.transforms()
    mean = torch.tensor(transform.mean).view(3, 1, 1)
    std = torch.tensor(transform.std).view(3, 1, 1)
    return (x.cpu() * std + mean).clamp(0, 1)
