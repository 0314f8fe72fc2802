"""Data faults: a damaged file, a missing named folder, mismatched class folders, a corrupt
image, 16-bit and CMYK images. Each stops with the course's message, or is read correctly."""

from __future__ import annotations

import gzip
import subprocess
import sys
import zlib

import numpy as np
import pytest
import torch
from PIL import Image

from alexnet_course import augment, data

pytestmark = pytest.mark.usefixtures("no_network")

LABELS = data.FASHION_MNIST_FILES[("test", "labels")]


def _deflate_damaged(payload: bytes) -> bytes:
    """``payload`` gzipped, with one byte flipped so that zlib itself fails (not the CRC)."""
    packed = gzip.compress(payload)
    for pos in range(10, len(packed) - 8):  # past the header, before the CRC trailer
        bad = bytearray(packed)
        bad[pos] ^= 0xFF
        try:
            gzip.decompress(bytes(bad))
        except zlib.error:
            return bytes(bad)
        except (OSError, EOFError):
            continue
    raise AssertionError("no single flip broke the deflate stream")


def test_a_gz_damaged_inside_its_deflate_stream_gets_the_corrupt_file_message(tmp_path):
    path = tmp_path / f"{LABELS.name}.gz"
    path.write_bytes(_deflate_damaged(bytes(range(256)) * 40))
    with pytest.raises(data.DataError, match=rf"{LABELS.name}\.gz cannot be read .*corrupt"):
        data.read_idx(path, LABELS)


def test_the_cli_reports_a_damaged_stream_in_one_message(tmp_path):
    for spec in data.FASHION_MNIST_FILES.values():  # the first file read is the damaged one
        (tmp_path / f"{spec.name}.gz").write_bytes(_deflate_damaged(bytes(range(256)) * 40))
    run = _cli("data", "--root", str(tmp_path))
    assert run.returncode != 0 and "Traceback" not in run.stderr
    assert "train-images-idx3-ubyte.gz cannot be read" in run.stderr


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "alexnet_course.cli", *args],
                          capture_output=True, text=True)


def test_root_to_a_missing_folder_is_refused_not_replaced(tmp_path):
    # The bundled copy is present, and must not be used in its place.
    with pytest.raises(FileNotFoundError, match=rf"{tmp_path / 'nowhere'} .*does not exist"):
        data.fashion_mnist("test", root=tmp_path / "nowhere")
    with pytest.raises(ValueError, match="root must name a folder"):
        data.fashion_mnist("test", root="")


def test_an_incomplete_folder_is_refused_naming_what_is_missing(tmp_path):
    for (split, kind), spec in data.FASHION_MNIST_FILES.items():
        if (split, kind) != ("test", "labels"):
            (tmp_path / spec.name).write_bytes(b"")
    with pytest.raises(FileNotFoundError, match=rf"lacks {LABELS.name} "):
        data.locate_fashion_mnist(tmp_path)


def test_an_empty_data_variable_folder_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv(data.ENV_VAR, str(tmp_path))
    with pytest.raises(FileNotFoundError, match=r"\$ALEXNET_COURSE_DATA\) lacks train-images"):
        data.fashion_mnist("test")


def test_the_data_command_refuses_a_missing_root_in_one_line(tmp_path):
    run = _cli("data", "--root", str(tmp_path / "missing"))
    assert run.returncode != 0 and run.stdout == ""
    assert run.stderr.count("\n") == 1 and str(tmp_path / "missing") in run.stderr


def _images(folder, classes, n=2, size=(12, 10)):
    rng = np.random.default_rng(0)
    for cls in classes:
        (folder / cls).mkdir(parents=True)
        for i in range(n):
            pixels = rng.integers(0, 256, (*size[::-1], 3), dtype=np.uint8)
            Image.fromarray(pixels).save(folder / cls / f"{i}.png")
    return folder


def test_test_classes_that_differ_from_the_training_classes_are_refused(tmp_path):
    train = data.image_folder(_images(tmp_path / "train", ["cat", "dog"]), image_size=8)
    _images(tmp_path / "test", ["cat", "fox"])
    with pytest.raises(data.DataError, match=r"missing: \['dog'\]; unexpected: \['fox'\]"):
        data.image_folder(tmp_path / "test", image_size=8, classes=train.classes)
    same = data.image_folder(tmp_path / "train", image_size=8, classes=train.classes)
    assert same.classes == ["cat", "dog"]


def test_corrupt_images_are_all_named_before_any_training(tmp_path):
    root = _images(tmp_path / "pets", ["cat", "dog"], n=3, size=(64, 64))
    truncated = root / "cat" / "1.png"
    truncated.write_bytes(truncated.read_bytes()[:300])
    not_an_image = root / "dog" / "2.png"
    not_an_image.write_bytes(b"this is no picture")
    with pytest.raises(data.DataError) as err:
        data.image_folder(root, image_size=8)
    message = str(err.value)
    assert "2 of 6 images" in message
    assert str(truncated) in message and str(not_an_image) in message


def _gradient16(width=64, height=4) -> np.ndarray:
    return np.tile(np.linspace(0, 65535, width), (height, 1)).round().astype(np.uint16)


@pytest.mark.parametrize("image", [
    lambda: Image.fromarray(_gradient16()),                       # "I;16"
    lambda: Image.fromarray(_gradient16().astype(np.int32)),      # "I"
], ids=["I;16", "I"])
def test_16_bit_greys_are_scaled_not_saturated(image):
    eight = np.asarray(data.to_8bit(image()), dtype=np.float64)
    np.testing.assert_allclose(eight, _gradient16() / 257, atol=0.5)


def test_a_16_bit_png_in_an_image_folder_is_a_gradient(tmp_path):
    (tmp_path / "ramp").mkdir()
    Image.fromarray(_gradient16(64, 64)).save(tmp_path / "ramp" / "0.png")
    image, _ = data.image_folder(tmp_path, image_size=64, normalize=False)[0]
    row = image[0, 0]
    np.testing.assert_allclose(row.numpy(), np.linspace(0, 1, 64), atol=1 / 255)
    assert (image >= 0.999).float().mean() < 0.05  # was 98 % white
    pil = augment.ResizeShorter(32)(Image.fromarray(_gradient16(64, 64)))
    assert pil.mode == "L" and np.asarray(pil)[0].std() > 50


@pytest.mark.parametrize("cmyk, rgb", [((255, 0, 0, 0), (0, 1, 1)),       # cyan
                                        ((0, 255, 255, 0), (1, 0, 0)),    # red
                                        ((0, 0, 0, 128), (0.5, 0.5, 0.5))])
def test_a_cmyk_jpeg_becomes_rgb(tmp_path, cmyk, rgb):
    (tmp_path / "ink").mkdir()
    Image.new("CMYK", (16, 16), cmyk).save(tmp_path / "ink" / "0.jpg", quality=95)
    image, _ = data.image_folder(tmp_path, image_size=16, channels=3, normalize=False)[0]
    torch.testing.assert_close(image.mean((1, 2)), torch.tensor(rgb, dtype=torch.float32),
                               atol=0.02, rtol=0)
