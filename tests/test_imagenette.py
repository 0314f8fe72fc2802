"""Imagenette on a tree generated here in torchvision's layout: loading, the refusal when the
files are absent (fast, offline, naming Imagenette), the colour PCA fitted on the training
pixels, the paper's crops, and the command line."""

from __future__ import annotations

import time

import pytest
import torch
from conftest import IMAGENETTE_TRAIN_PER_CLASS as TRAIN_PER_CLASS
from conftest import IMAGENETTE_VAL_PER_CLASS as VAL_PER_CLASS
from torchvision import datasets

from alexnet_course import augment, cli, data
from alexnet_course import imagenette as inet


@pytest.fixture(scope="module")
def tree(imagenette_tree):
    return imagenette_tree


def test_names_and_urls_are_torchvisions():
    table = datasets.Imagenette._WNID_TO_CLASS
    assert inet.WNIDS == tuple(sorted(table))
    assert inet.CLASSES == tuple(table[w][0] for w in inet.WNIDS)
    assert inet.URLS == {size: url for size, (url, _md5) in datasets.Imagenette._ARCHIVES.items()}


def test_a_tree_in_torchvisions_layout_loads_as_colour_tensors(tree, no_network):
    train = data.imagenette("train", root=tree, size="320px")
    assert len(train) == 10 * TRAIN_PER_CLASS and train.classes == list(inet.CLASSES)
    assert train.targets.tolist() == [c for c in range(10) for _ in range(TRAIN_PER_CLASS)]
    image, label = train[TRAIN_PER_CLASS + 1]  # the second image of class 1
    assert image.dtype == torch.uint8 and tuple(image.shape) == (3, 48, 56) and label == 1
    test = data.imagenette("test", root=tree / "imagenette2-320")  # the size folder itself
    assert test.split == "val" and len(test) == 10 * VAL_PER_CLASS
    assert data.imagenette("train", root=tree, samples=10).targets.tolist() == list(range(10))
    already_there = data.imagenette("train", root=tree, download=True)  # nothing to fetch
    assert len(already_there) == len(train)


@pytest.mark.parametrize("where", ["empty", "missing"])
def test_absent_data_is_refused_at_once_offline(tmp_path, where, no_network):
    root = tmp_path / where
    if where == "empty":
        root.mkdir()
    began = time.monotonic()
    with pytest.raises(FileNotFoundError) as refusal:
        data.imagenette("train", root=root, size="320px")
    assert time.monotonic() - began < 10
    message = str(refusal.value)
    assert "Imagenette" in message and str(root) in message
    assert "download=True" in message and inet.URLS["320px"] in message and "tar -xzf" in message


def test_the_environment_variable_names_the_folder(tree, monkeypatch, no_network):
    monkeypatch.setenv(data.ENV_VAR, str(tree))
    assert data.imagenette("val").folder == tree / "imagenette2-320"


def test_download_is_attempted_only_when_asked(tmp_path, no_network):
    with pytest.raises(FileNotFoundError):
        data.imagenette("train", root=tmp_path)  # download=False: no socket opened
    with pytest.raises(AssertionError, match="network"):  # the no_network fixture's refusal
        data.imagenette("train", root=tmp_path, download=True)


def test_a_split_with_the_wrong_class_folders_is_refused(tmp_path):
    broken = tmp_path / "imagenette2-320" / "train"
    for wnid in inet.WNIDS[:9]:
        (broken / wnid).mkdir(parents=True)
    (broken / "n99999999").mkdir()
    with pytest.raises(data.DataError, match=f"missing: {inet.WNIDS[9]}; unexpected: n99999999"):
        data.imagenette("train", root=tmp_path)


def test_pca_fit_recovers_a_known_covariance():
    """Pixels drawn from N(0.5, C) with a known C: the fitted P diag(λ) Pᵀ is C."""
    gen = torch.Generator().manual_seed(0)
    mix = torch.tensor([[0.08, 0.00, 0.00], [0.05, 0.04, 0.00], [0.03, 0.02, 0.03]], dtype=torch.float64)
    covariance = mix @ mix.T
    images = [(0.5 + mix @ torch.randn(3, 64 * 64, generator=gen, dtype=torch.float64)).reshape(3, 64, 64)
              for _ in range(40)]
    pca = inet.fit_training_pca(images, count=40, pixels=2000, seed=1)
    fitted = pca.eigenvectors @ torch.diag(pca.eigenvalues) @ pca.eigenvectors.T
    torch.testing.assert_close(fitted, covariance, atol=2e-4, rtol=0)  # entries are ~1e-3 to 1e-2
    torch.testing.assert_close(pca.mean, torch.full((3,), 0.5, dtype=torch.float64), atol=3e-3, rtol=0)
    again = inet.fit_training_pca(images, count=40, pixels=2000, seed=1)
    assert torch.equal(again.eigenvectors, pca.eigenvectors)  # the seed fixes the sample
    mean, std = inet.channel_stats(pca)
    torch.testing.assert_close(std.double(), covariance.diag().sqrt(), atol=2e-3, rtol=0)


def test_paper_crops_on_the_tree(tree):
    train = data.imagenette("train", root=tree)
    pca = inet.fit_training_pca(train.originals, seed=0)
    assert pca.pixels == 10 * TRAIN_PER_CLASS * 1024
    x = inet.train_transform(pca)(train.originals[0])
    assert x.shape == (3, 224, 224) and x.dtype == torch.float32
    test = data.imagenette("val", root=tree, transform=inet.eval_transform(pca))
    crops, _ = test[0]
    assert crops.shape == (10, 3, 224, 224)
    torch.testing.assert_close(crops[5], crops[0].flip(-1))  # crop i + 5 mirrors crop i
    centre = inet.eval_transform(pca, ten_crop=False)(test.originals[0])
    torch.testing.assert_close(centre, crops[4])


def test_ten_crop_accuracy_averages_the_crops(tree):
    """A 'model' that says class 1 on crops 0-2 and the centre crop 4, class 0 on the six
    others: the mean of the ten softmaxes says class 0, right for the one val image of
    class 0 (the centre crop alone, or the first, would say 1)."""
    pca = augment.ColourPCA(torch.tensor([0.02, 0.01, 0.005]), torch.eye(3), torch.full((3,), 0.5), 9)
    test = data.imagenette("val", root=tree, transform=inet.eval_transform(pca, crop=32))

    class Votes(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.bias = torch.nn.Parameter(torch.zeros(2))  # gives the model a device

        def forward(self, x):
            says_one = torch.isin(torch.arange(len(x)) % 10, torch.tensor([0, 1, 2, 4])).float()
            return torch.stack([1 - says_one, says_one], 1) * 10 + self.bias

    assert inet.ten_crop_accuracy(Votes(), test, batch_size=4) == pytest.approx(VAL_PER_CLASS / len(test))


def test_cli_refuses_cleanly_offline(tmp_path, capsys, no_network):
    code = cli.main(["train", "--dataset", "imagenette", "--data-root", str(tmp_path), "--no-progress",
                     "--checkpoint", str(tmp_path / "run")])
    err = capsys.readouterr().err
    assert code == 1 and err.startswith("alexnet-course: error: Imagenette (320px) not found")
    assert not (tmp_path / "run").exists()  # refused before anything was written
    assert cli.main(["train", "--download"]) == 2
    assert "--download fetches Imagenette only" in capsys.readouterr().err


def test_cli_trains_on_the_tree_in_colour(tree, capsys):
    # No no_network fixture here: DataLoader workers hand tensors back over a Unix socket.
    code = cli.main(["train", "--dataset", "imagenette", "--data-root", str(tree), "--model", "lenet5",
                     "--image-size", "32", "--epochs", "1", "--batch-size", "10", "--profile", "smoke",
                     "--device", "cpu", "--no-progress"])
    out = capsys.readouterr().out
    assert code == 0 and "training lenet5 on 20 images at 32 px" in out and "on 10 images" in out
