"""Offline data: Fashion-MNIST loaders, checksums, search path, ImageFolder, photos."""

from __future__ import annotations

import gzip
import hashlib
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from alexnet_course import data

pytestmark = pytest.mark.usefixtures("no_network")

FILES = data.FASHION_MNIST_FILES
SHIPPED = data.locate_fashion_mnist()  # found before any test hides the usual places


@pytest.fixture(scope="module")
def full():
    return {split: data.fashion_mnist(split, samples=n)
            for split, n in (("train", 60_000), ("test", 10_000))}


def test_full_splits_have_the_published_sizes_and_balance(full):
    for split, n in (("train", 60_000), ("test", 10_000)):
        ds = full[split]
        assert ds.images.shape == (n, 28, 28) and ds.images.dtype == torch.uint8
        assert ds.targets.dtype == torch.int64
        assert ds.targets.min() == 0 and ds.targets.max() == 9
        # Fashion-MNIST is exactly balanced: n / 10 images per class.
        assert torch.bincount(ds.targets).tolist() == [n // 10] * 10


def test_normalisation_constants_match_the_training_pixels(full):
    pixels = full["train"].images.double() / 255
    assert pixels.mean().item() == pytest.approx(data.FASHION_MNIST_MEAN, abs=5e-5)
    assert pixels.std().item() == pytest.approx(data.FASHION_MNIST_STD, abs=5e-5)


def test_idx_file_sizes_follow_from_the_format():
    # header: 4-byte magic + 4 bytes per dimension, then one byte per element
    for spec in FILES.values():
        path = data.find_idx_file(SHIPPED, spec.name)
        raw = gzip.open(path).read() if path.suffix == ".gz" else path.read_bytes()
        assert len(raw) == 4 + 4 * len(spec.shape) + int(np.prod(spec.shape))
        assert hashlib.sha256(raw).hexdigest() == spec.sha256


def test_smoke_profile_takes_a_balanced_subset():
    train = data.fashion_mnist("train", profile="smoke")
    test = data.fashion_mnist("test", profile="smoke")
    assert len(train) == 2000 and len(test) == 1000
    assert torch.bincount(train.targets).tolist() == [200] * 10
    image, label = train[0]
    assert image.shape == (1, 32, 32) and image.dtype == torch.float32
    assert isinstance(label, int) and 0 <= label <= 9


def test_items_are_normalised_pixels_of_the_stored_image():
    train = data.fashion_mnist("train", profile="smoke", image_size=28)
    image, _ = train[5]
    raw = train.images[5].float() / 255
    expected = (raw - data.FASHION_MNIST_MEAN) / data.FASHION_MNIST_STD
    torch.testing.assert_close(image[0], expected)


def test_subset_is_deterministic_and_in_file_order():
    a = data.fashion_mnist("train", samples=500)
    b = data.fashion_mnist("train", samples=500)
    assert torch.equal(a.images, b.images)
    keep = data.balanced_subset(data.fashion_mnist("train", samples=60_000).targets, 500, 10)
    assert torch.all(keep[1:] > keep[:-1])


def test_balanced_subset_refuses_fewer_samples_than_classes():
    with pytest.raises(ValueError, match="one image of each of 10 classes"):
        data.balanced_subset(torch.arange(10), 5, 10)


def test_repr_is_portable():
    text = repr(data.fashion_mnist("test", profile="smoke"))
    assert text == ("FashionMNIST(split='test', images=1000 of 10000, classes=10, "
                    "source=data/fashion-mnist)")


def test_bad_split_is_refused():
    with pytest.raises(ValueError, match="split must be 'train' or 'test'"):
        data.fashion_mnist("validation")


def _copy_raw(dest: Path, compress: bool) -> Path:
    """Write the four idx files into ``dest`` (gzipped or not), as another tool would."""
    dest.mkdir(parents=True, exist_ok=True)
    for spec in FILES.values():
        path = data.find_idx_file(SHIPPED, spec.name)
        raw = gzip.open(path).read() if path.suffix == ".gz" else path.read_bytes()
        if compress:
            (dest / f"{spec.name}.gz").write_bytes(gzip.compress(raw, compresslevel=1))
        else:
            (dest / spec.name).write_bytes(raw)
    return dest


@pytest.fixture
def isolated(monkeypatch, tmp_path):
    """Hide the repository's and Debian's copies so only what a test provides is found."""
    monkeypatch.setattr(data, "course_data", lambda: tmp_path / "no-repo-data")
    monkeypatch.setattr(data, "DEBIAN_FASHION_MNIST", tmp_path / "no-debian")
    monkeypatch.delenv(data.ENV_VAR, raising=False)
    return tmp_path


def test_missing_data_says_where_it_looked_and_what_to_do(isolated):
    with pytest.raises(FileNotFoundError) as err:
        data.fashion_mnist("train")
    message = str(err.value)
    assert str(isolated / "no-repo-data") in message and "no-debian" in message
    assert "git checkout" in message and "ALEXNET_COURSE_DATA" in message
    assert "never downloads" in message


def test_torchvision_layout_under_the_environment_variable(isolated, monkeypatch):
    raw = _copy_raw(isolated / "mydata" / "FashionMNIST" / "raw", compress=False)
    monkeypatch.setenv(data.ENV_VAR, str(isolated / "mydata"))
    test = data.fashion_mnist("test", profile="smoke")
    assert test.source == raw and len(test) == 1000


def test_debian_package_location_is_used_last(isolated, monkeypatch):
    debian = _copy_raw(isolated / "debian", compress=True)
    monkeypatch.setattr(data, "DEBIAN_FASHION_MNIST", debian)
    assert data.fashion_mnist_search_path()[-1] == debian
    assert data.fashion_mnist("test", profile="smoke").source == debian


def test_a_named_folder_is_the_only_place_searched(monkeypatch, tmp_path):
    monkeypatch.setenv(data.ENV_VAR, str(tmp_path / "env"))
    # root= wins over the variable, and nothing else is searched
    assert data.fashion_mnist_search_path(tmp_path / "root") == [
        tmp_path / "root", tmp_path / "root" / "fashion-mnist",
        tmp_path / "root" / "FashionMNIST" / "raw"]
    assert data.fashion_mnist_search_path()[-1] == tmp_path / "env" / "FashionMNIST" / "raw"
    monkeypatch.delenv(data.ENV_VAR)
    path = data.fashion_mnist_search_path()
    assert path[0] == data.course_data() and path[-1] == data.DEBIAN_FASHION_MNIST


def test_corrupt_content_is_refused_with_instructions(isolated):
    folder = _copy_raw(isolated / "corrupt", compress=True)
    target = folder / "t10k-labels-idx1-ubyte.gz"
    raw = bytearray(gzip.decompress(target.read_bytes()))
    raw[100] = (raw[100] + 1) % 10  # one wrong label: still a valid idx file
    target.write_bytes(gzip.compress(bytes(raw)))
    with pytest.raises(data.DataError, match=r"t10k-labels-idx1-ubyte\.gz does not hold.*git checkout"):
        data.fashion_mnist("test", root=folder)


def test_truncated_gzip_is_refused(isolated):
    folder = _copy_raw(isolated / "truncated", compress=True)
    target = folder / "t10k-images-idx3-ubyte.gz"
    target.write_bytes(target.read_bytes()[:1000])
    with pytest.raises(data.DataError, match="corrupt"):
        data.fashion_mnist("test", root=folder)


def _image_tree(root: Path) -> Path:
    rng = np.random.default_rng(0)
    for cls, size in (("cat", (40, 30)), ("dog", (64, 48))):
        (root / cls).mkdir(parents=True)
        for i in range(2):
            pixels = rng.integers(0, 256, (*size[::-1], 3), dtype=np.uint8)
            Image.fromarray(pixels).save(root / cls / f"{i}.png")
    return root


def test_image_folder_uses_the_same_transform(tmp_path):
    folder = data.image_folder(_image_tree(tmp_path / "pets"), profile="smoke")
    assert folder.classes == ["cat", "dog"] and len(folder) == 4
    image, label = folder[3]
    assert image.shape == (1, 32, 32) and image.dtype == torch.float32 and label == 1
    # The same pipeline applied by hand gives the same tensor.
    by_hand = data.image_transform(32, channels=1)(Image.open(folder.samples[3][0]).convert("RGB"))
    torch.testing.assert_close(image, by_hand)
    rgb, _ = data.image_folder(tmp_path / "pets", image_size=64, channels=3)[0]
    assert rgb.shape == (3, 64, 64)


def test_grey_images_become_three_identical_channels():
    grey = torch.randint(0, 256, (1, 28, 28), dtype=torch.uint8)
    rgb = data.image_transform(28, channels=3, normalize=False)(grey)
    assert rgb.shape == (3, 28, 28) and torch.equal(rgb[0], rgb[2])


def test_image_folder_errors_explain_the_layout(tmp_path):
    with pytest.raises(FileNotFoundError, match="one sub-folder per class"):
        data.image_folder(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="ROOT/CLASS_NAME/IMAGE.jpg"):
        data.image_folder(tmp_path / "empty")


def test_photos_are_real_colour_images_with_credits():
    shipped = data.photos()
    assert set(shipped) == set(data.PHOTOS)
    for name, img in shipped.items():
        assert img.dtype == np.uint8 and img.ndim == 3 and img.shape[2] == 3
        assert min(img.shape[:2]) >= 300, f"{name} is too small for 224 crops"
        assert img.std() > 20, f"{name} looks blank"


def test_data_readme_lists_every_file_with_its_checksum():
    readme = (data.course_data() / "README.md").read_text()
    for spec in FILES.values():
        assert re.search(rf"{spec.name} \| [\d,]+ \| {spec.sha256}", readme)
    for photo in data.PHOTOS.values():
        assert photo.file in readme and photo.sha256 in readme and photo.licence in readme
        assert hashlib.sha256((data.course_data() / "photos" / photo.file).read_bytes()).hexdigest() \
            == photo.sha256


def test_missing_photo_falls_back_to_scikit_image(tmp_path):
    fallback = data.photo("coffee", folder=tmp_path)  # tmp_path holds no photos
    np.testing.assert_array_equal(fallback, data.photo("coffee"))


def test_corrupt_photo_is_refused(tmp_path):
    shutil.copy(data.course_data() / "photos" / "chelsea.png", tmp_path / "chelsea.png")
    with open(tmp_path / "chelsea.png", "ab") as fh:
        fh.write(b"junk")
    with pytest.raises(data.DataError, match="git checkout -- data/photos"):
        data.photo("chelsea", folder=tmp_path)
    with pytest.raises(KeyError, match="available: astronaut"):
        data.photo("lena")
