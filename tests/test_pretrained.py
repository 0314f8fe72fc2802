"""torchvision's ImageNet AlexNet for lesson 09: from the cache, downloaded only when asked and
the server answers, refused when damaged; never a wait on a silent network."""

from __future__ import annotations

import time

import numpy as np
import pytest
import torch
from torchvision.models import alexnet

from alexnet_course import pretrained


@pytest.fixture
def cache(tmp_path):
    return tmp_path / "checkpoints"


def test_the_cached_file_is_named_as_torchvision_names_it(cache):
    assert pretrained.cached_file(cache).name == "alexnet-owt-7be5be79.pth"
    assert pretrained.WEIGHTS.url.endswith("/" + pretrained.cached_file(cache).name)


def test_without_the_file_and_without_asking_nothing_touches_the_network(cache, monkeypatch):
    monkeypatch.setattr(pretrained, "server_answers", lambda *a: pytest.fail("asked the network"))
    model, message = pretrained.imagenet_alexnet(download=False, cache=cache)
    assert model is None and "not in this machine's cache" in message and "download=True" in message


def test_asked_to_download_offline_says_so_within_the_timeout(cache, monkeypatch):
    monkeypatch.setattr(pretrained, "_download", lambda *a: pytest.fail("downloaded while offline"))
    began = time.perf_counter()
    monkeypatch.setattr(pretrained, "server_answers", lambda url, timeout: False)
    model, message = pretrained.imagenet_alexnet(download=True, cache=cache, timeout=0.5)
    assert model is None and message.startswith("offline: download.pytorch.org did not answer within 0.5 s")
    assert time.perf_counter() - began < 5


def test_server_answers_is_false_for_a_host_that_refuses():
    began = time.perf_counter()
    # Port 443 on this machine: nothing listens there, so the connection is refused at once.
    assert pretrained.server_answers("https://127.0.0.1/x.pth", timeout=1.0) is False
    assert time.perf_counter() - began < 5


def test_cached_weights_load_into_torchvisions_network_in_eval_mode(cache):
    torch.manual_seed(0)
    saved = alexnet()
    cache.mkdir()
    torch.save(saved.state_dict(), pretrained.cached_file(cache))
    model, message = pretrained.imagenet_alexnet(download=False, cache=cache)
    assert model is not None and not model.training and str(cache) in message
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), saved.state_dict().values()))
    top5 = pretrained.imagenet_top5(model, torch.zeros(300, 400, 3, dtype=torch.uint8).numpy())
    assert len(top5) == 5 and all(name in pretrained.WEIGHTS.meta["categories"] for name, _ in top5)
    probabilities = [p for _, p in top5]
    assert probabilities == sorted(probabilities, reverse=True) and 0 < sum(probabilities) <= 1 + 1e-6


@pytest.mark.parametrize("damage", ["truncated", "wrong network"])
def test_damaged_cached_weights_are_refused_and_named(cache, damage):
    cache.mkdir()
    path = pretrained.cached_file(cache)
    if damage == "truncated":
        torch.save(alexnet().state_dict(), path)
        path.write_bytes(path.read_bytes()[:100_000])
    else:
        torch.save(torch.nn.Linear(2, 2).state_dict(), path)
    model, message = pretrained.imagenet_alexnet(download=False, cache=cache)
    assert model is None and f"the cached weights {path} are damaged" in message
    assert "delete the file" in message


def test_figure_4_features_on_photographs(imagenette_tree):
    from alexnet_course import data
    from alexnet_course.embeddings import nearest_neighbours

    torch.manual_seed(0)
    model = alexnet().eval()
    photos = data.imagenette("val", root=imagenette_tree, transform=pretrained.WEIGHTS.transforms())
    features, labels = pretrained.photo_features(model, photos, batch_size=4)
    assert features.shape == (10, 4096) and labels.tolist() == list(range(10))
    assert (features >= 0).all()  # fc7 after its ReLU
    assert nearest_neighbours(features[:2], features, k=1)[:, 0].tolist() == [0, 1]  # itself
    x, _ = photos[0]
    shown = pretrained.picture(x)
    assert shown.shape == (3, 224, 224) and 0 <= shown.min() and shown.max() <= 1
    from PIL import Image
    original = Image.open(sorted((imagenette_tree / "imagenette2-320" / "val").rglob("*.JPEG"))[0])
    assert abs(shown.mean().item() - np.asarray(original.convert("RGB")).mean() / 255) < 0.05


def test_lesson_09s_photograph_cells_run_with_cached_weights_and_imagenette(imagenette_tree, tmp_path,
                                                                            monkeypatch):
    """The two cells of lesson 09 that only run where the weights are at hand (they print an
    offline message in the committed notebook): run here with a stand-in for the cached file
    and the generated Imagenette tree."""
    import json
    from pathlib import Path

    import matplotlib
    matplotlib.use("Agg")
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    monkeypatch.setenv("ALEXNET_COURSE_DATA", str(imagenette_tree))
    monkeypatch.setenv("ALEXNET_COURSE_PROFILE", "smoke")
    cells = {c.get("id"): "".join(c["source"]) for c in json.loads(
        (Path(__file__).parents[1] / "notebooks" / "09_training_alexnet.ipynb").read_text())["cells"]}
    torch.manual_seed(0)
    pretrained.cached_file().parent.mkdir(parents=True)
    torch.save(alexnet().state_dict(), pretrained.cached_file())
    namespace = {"device": torch.device("cpu")}
    exec(cells["c01"], namespace)
    exec(cells["pre1"].replace("samples=2000", "samples=20"), namespace)
    assert namespace["imagenet_net"] is not None
    exec(cells["pre2"].replace("samples=2000", "samples=20"), namespace)
    assert len(namespace["tiles"]) == 5 * 7 and namespace["titles"][0].startswith("query: ")


def test_messages_write_the_home_folder_as_a_tilde():
    from pathlib import Path

    assert pretrained._shown(Path.home() / ".cache" / "a.pth") == "~/.cache/a.pth"
    assert pretrained._shown(Path("/elsewhere/a.pth")) == "/elsewhere/a.pth"


def test_on_colab_reads_the_colab_module(monkeypatch):
    import sys
    import types

    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    assert pretrained.on_colab() is False
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    assert pretrained.on_colab() is True
