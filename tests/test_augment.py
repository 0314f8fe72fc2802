"""AlexNet's augmentations: shapes, dtypes and ranges; crops at the right places (read off a
gradient image whose values encode their coordinates); PCA colour checked against NumPy;
ten-crop against torchvision; determinism under a seed."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn
from torchvision.transforms import v2
from torchvision.transforms.v2 import functional as TF

from alexnet_course import augment


def coordinates(height: int, width: int, channels: int = 1) -> torch.Tensor:
    """A gradient image whose pixel (r, c) holds r·1000 + c in every channel."""
    rows = torch.arange(height)[:, None] * 1000
    return (rows + torch.arange(width)[None, :]).expand(channels, -1, -1).double()


def corner(patch: torch.Tensor) -> tuple[int, int]:
    """(row, column) of a patch's top-left pixel, read off the gradient image."""
    value = int(patch[..., 0, 0, 0] if patch.ndim == 4 else patch[0, 0, 0])
    return value // 1000, value % 1000


def gen(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


# -- counting -----------------------------------------------------------------------------

def test_crop_counts_match_enumeration():
    # every window of an image of distinct values, and its mirror, counted by brute force
    full, crop = 9, 6
    image = torch.randperm(full * full, generator=gen()).reshape(1, full, full)
    views = {w.numpy().tobytes() for top in range(full - crop + 1) for left in range(full - crop + 1)
             for w in (image[:, top:top + crop, left:left + crop],
                       image[:, top:top + crop, left:left + crop].flip(-1))}
    assert len(views) == augment.crop_count(full, crop) == (full - crop + 1) ** 2 * 2
    assert augment.crop_count(full, crop, flips=False) == (full - crop + 1) ** 2
    assert augment.crop_count(256, 224) == 33 * 33 * 2
    assert augment.paper_crop_factor(256, 224) == 2 ** 11  # "a factor of 2048"


def test_impossible_crops_are_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="larger than the 8×8 image"):
        augment.PerImageRandomCrop(9)(torch.zeros(3, 8, 8))
    with pytest.raises(ValueError, match="crop size must be a whole number ≥ 1"):
        augment.crop_count(10, 0)
    with pytest.raises(ValueError, match=r"\(C, H, W\) or \(N, C, H, W\)"):
        augment.CentreCrop(2)(torch.zeros(8, 8))
    with pytest.raises(ValueError, match=r"p must be a finite number in \[0, 1\]"):
        augment.PerImageRandomHorizontalFlip(1.5)


# -- resize and crops -------------------------------------------------------------------------

def test_resize_shorter_side_keeps_the_aspect_ratio():
    x = torch.randint(0, 256, (3, 300, 451), dtype=torch.uint8)
    y = augment.ResizeShorter(256)(x)
    assert y.shape == (3, 256, int(451 * 256 / 300)) and y.dtype == torch.uint8
    pil = augment.ResizeShorter(256)(Image.fromarray(x.permute(1, 2, 0).numpy()))
    assert isinstance(pil, Image.Image) and pil.size == (384, 256)


@pytest.mark.parametrize("dtype", [torch.uint8, torch.float32])
def test_random_crop_shapes_dtypes_and_ranges(dtype):
    x = torch.randint(0, 256, (5, 3, 40, 50)).to(dtype)
    if dtype.is_floating_point:
        x = x / 255
    y = augment.PerImageRandomCrop(32, gen())(x)
    assert y.shape == (5, 3, 32, 32) and y.dtype == dtype
    assert x.min() <= y.min() and y.max() <= x.max()
    single = augment.PerImageRandomCrop(32, gen())(x[0])
    assert single.shape == (3, 32, 32)
    photo = Image.fromarray(torch.randint(0, 256, (40, 50, 3), dtype=torch.uint8).numpy())
    pil = augment.PerImageRandomCrop(32, gen())(photo)
    assert isinstance(pil, Image.Image) and pil.size == (32, 32) and pil.mode == "RGB"


def test_random_crops_are_real_windows_at_their_drawn_positions():
    x = coordinates(20, 30, 2).expand(64, -1, -1, -1)
    crop = augment.PerImageRandomCrop(8, gen(3))
    y = crop(x)
    tops, lefts = augment.PerImageRandomCrop(8, gen(3)).positions(64, 20, 30)  # the same draws again
    for patch, top, left in zip(y, tops.tolist(), lefts.tolist()):
        assert torch.equal(patch, x[0, :, top:top + 8, left:left + 8])
    # each image of the batch has its own draw, and every position 0..side − size is reachable
    many_t, many_l = augment.PerImageRandomCrop(8, gen()).positions(5000, 20, 30)
    assert set(many_t.tolist()) == set(range(20 - 8 + 1))
    assert set(many_l.tolist()) == set(range(30 - 8 + 1))


def test_centre_crop_matches_torchvision_also_for_odd_margins():
    for h, w, s in ((256, 256, 224), (9, 12, 4), (10, 7, 4), (36, 36, 32)):
        x = coordinates(h, w)
        assert torch.equal(augment.CentreCrop(s)(x), TF.center_crop(x, [s, s])), (h, w, s)
        assert torch.equal(augment.CentreCrop(s)(x[None]), v2.CenterCrop(s)(x[None])), (h, w, s)


@pytest.mark.parametrize("ours, theirs", [
    (augment.PerImageRandomCrop(8), v2.RandomCrop(8)),
    (augment.PerImageRandomHorizontalFlip(0.5), v2.RandomHorizontalFlip(0.5)),
])
def test_on_one_image_per_image_transforms_are_torchvisions(ours, theirs):
    x = coordinates(20, 30, 3)
    for seed in range(30):  # no generator given: both draw from the global one, alike
        torch.manual_seed(seed)
        mine = ours(x)
        torch.manual_seed(seed)
        assert torch.equal(mine, theirs(x)), seed


@pytest.mark.parametrize("ours, theirs", [
    (augment.PerImageRandomCrop(8), v2.RandomCrop(8)),
    (augment.PerImageRandomHorizontalFlip(0.5), v2.RandomHorizontalFlip(0.5)),
])
def test_on_a_batch_torchvision_draws_once_and_per_image_transforms_draw_per_image(ours, theirs):
    batch = coordinates(20, 30, 3).expand(16, -1, -1, -1)  # 16 copies of one image

    def distinct(images):
        return len({image.numpy().tobytes() for image in images})

    torch.manual_seed(0)
    assert distinct(theirs(batch)) == 1
    torch.manual_seed(0)
    assert distinct(ours(batch)) > 1


def test_flip_mirrors_about_half_the_images_and_nothing_else():
    x = torch.rand(2000, 1, 2, 3, generator=gen())
    y = augment.PerImageRandomHorizontalFlip(0.5, gen())(x)
    flipped = torch.tensor([torch.equal(a, b.flip(-1)) for a, b in zip(y, x)])
    kept = torch.tensor([torch.equal(a, b) for a, b in zip(y, x)])
    assert bool((flipped ^ kept).all())  # each image is one or the other
    # Binomial(2000, 0.5): standard deviation ≈ 22, so 900..1100 is ±4.5 sigma
    assert 900 < int(flipped.sum()) < 1100
    assert torch.equal(augment.PerImageRandomHorizontalFlip(0.0, gen())(x), x)
    assert torch.equal(augment.PerImageRandomHorizontalFlip(1.0, gen())(x), x.flip(-1))


def test_same_seed_same_augmentations_other_seed_other_ones():
    x = torch.randint(0, 256, (8, 3, 40, 40), dtype=torch.uint8)
    pca = augment.fit_colour_pca([x])

    def pipeline(seed):
        g = gen(seed)
        cropped = augment.PerImageRandomHorizontalFlip(0.5, g)(augment.PerImageRandomCrop(32, g)(x))
        return augment.RandomPCAColourShift(pca, 0.1, g)(cropped)

    assert torch.equal(pipeline(0), pipeline(0))
    assert not torch.equal(pipeline(0), pipeline(1))
    torch.manual_seed(5)  # without a generator the global stream decides
    a = augment.PerImageRandomCrop(32)(x)
    torch.manual_seed(5)
    assert torch.equal(a, augment.PerImageRandomCrop(32)(x))


# -- PCA colour augmentation ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def pictures():
    g = gen(1)
    # correlated channels, like photos: a shared brightness plus smaller colour terms
    base = torch.rand(4, 1, 30, 40, generator=g)
    colour = 0.15 * torch.rand(4, 3, 30, 40, generator=g)
    return ((0.8 * base + colour) * 255).round().to(torch.uint8)


def test_colour_pca_equals_numpy(pictures):
    pca = augment.fit_colour_pca(pictures)
    rows = pictures.permute(0, 2, 3, 1).reshape(-1, 3).numpy().astype(np.float64) / 255
    values, vectors = np.linalg.eigh(np.cov(rows.T))
    values, vectors = values[::-1], vectors[:, ::-1]
    assert np.allclose(pca.eigenvalues.numpy(), values, rtol=1e-9)
    # eigenvectors are defined up to sign: compare the projectors p pᵀ
    for i in range(3):
        p, q = pca.eigenvectors[:, i].numpy(), vectors[:, i]
        assert np.allclose(np.outer(p, p), np.outer(q, q), atol=1e-9)
    assert np.allclose(pca.mean.numpy(), rows.mean(0))
    assert pca.pixels == len(rows)
    assert (pca.eigenvalues[:-1] >= pca.eigenvalues[1:]).all()
    # the reconstruction P diag(λ) Pᵀ is the covariance itself
    cov = pca.eigenvectors @ torch.diag(pca.eigenvalues) @ pca.eigenvectors.T
    assert np.allclose(cov.numpy(), np.cov(rows.T), atol=1e-12)


def test_pca_fits_every_input_form_alike(pictures):
    arrays = [p.permute(1, 2, 0).numpy() for p in pictures]
    forms = [pictures, list(pictures), arrays, [Image.fromarray(a) for a in arrays]]
    fits = [augment.fit_colour_pca(f if isinstance(f, list) else [f]) for f in forms]
    for fit in fits[1:]:
        assert torch.allclose(fit.eigenvalues, fits[0].eigenvalues)
        assert torch.allclose(fit.eigenvectors, fits[0].eigenvectors)


def test_alpha_zero_changes_nothing_and_keeps_the_mean(pictures):
    pca = augment.fit_colour_pca(pictures)
    assert torch.equal(augment.pca_colour_shift(pictures, pca, torch.zeros(3)), pictures)
    unit = pictures.double() / 255
    same = augment.pca_colour_shift(unit, pca, torch.zeros(len(unit), 3))
    assert torch.equal(same, unit)
    assert torch.allclose(same.mean((0, 2, 3)), pca.mean)
    assert torch.equal(augment.RandomPCAColourShift(pca, std=0.0, generator=gen())(pictures), pictures)


def test_colours_move_along_the_eigenvectors_as_numpy_computes(pictures):
    pca = augment.fit_colour_pca(pictures)
    unit = pictures.double() / 255
    alpha = torch.tensor([[0.1, -0.2, 0.3], [-0.05, 0.0, 0.1], [0.2, 0.1, 0.0], [0.0, 0.0, -0.3]])
    moved = augment.pca_colour_shift(unit, pca, alpha, clamp=False)
    P, lam = pca.eigenvectors.numpy(), pca.eigenvalues.numpy()
    for image, before, a in zip(moved, unit, alpha.numpy()):
        expected = sum(a[i] * lam[i] * P[:, i] for i in range(3))  # Σ αᵢ λᵢ pᵢ
        shift = (image - before).permute(1, 2, 0).reshape(-1, 3).numpy()
        assert np.allclose(shift, expected[None], atol=1e-12)
    # one component alone moves every pixel parallel to that eigenvector
    along = augment.pca_colour_shift(unit[:1], pca, torch.tensor([0.5, 0.0, 0.0]), clamp=False) - unit[:1]
    direction = along[0, :, 0, 0].numpy()
    assert np.allclose(direction / np.linalg.norm(direction), P[:, 0])
    assert np.isclose(np.linalg.norm(direction), 0.5 * lam[0])


def test_pca_colour_shift_output_types_and_ranges(pictures):
    pca = augment.fit_colour_pca(pictures)
    big = torch.full((1, 3), 100.0)  # far beyond the valid range: everything clamps
    out = augment.pca_colour_shift(pictures, pca, big)
    assert out.dtype == torch.uint8 and out.shape == pictures.shape
    unit = augment.pca_colour_shift(pictures.float() / 255, pca, big)
    assert unit.dtype == torch.float32 and 0 <= unit.min() and unit.max() <= 1
    photo = Image.fromarray(pictures[0].permute(1, 2, 0).numpy())
    pil = augment.RandomPCAColourShift(pca, generator=gen())(photo)
    assert isinstance(pil, Image.Image) and pil.size == (40, 30)
    with pytest.raises(ValueError, match="3 \\(RGB\\) channels"):
        augment.pca_colour_shift(torch.zeros(1, 20, 20), pca, torch.zeros(3))


def test_random_pca_colour_shift_draws_alpha_with_the_right_spread(pictures):
    pca = augment.fit_colour_pca(pictures)
    alpha = augment.RandomPCAColourShift(pca, std=0.1, generator=gen()).sample_alpha(20_000)
    assert alpha.shape == (20_000, 3)
    # sample std of 20,000 normal draws is within ~1% of sigma (standard error ≈ 0.5%)
    assert torch.allclose(alpha.std(0), torch.full((3,), 0.1, dtype=torch.float64), rtol=0.03)
    assert alpha.mean(0).abs().max() < 0.005  # standard error 0.1/√20000 ≈ 0.0007


# -- ten-crop ----------------------------------------------------------------------------------------

def test_ten_crops_sit_at_the_corners_and_the_centre():
    h, w, s = 40, 50, 24
    crops = augment.StackedTenCrop(s)(coordinates(h, w, 3))
    assert crops.shape == (10, 3, s, s)
    expected = [(0, 0), (0, w - s), (h - s, 0), (h - s, w - s), ((h - s) // 2, (w - s) // 2)]
    assert [corner(c) for c in crops[:5]] == expected
    # patch i + 5 is the mirror of patch i: its top-left pixel is patch i's top-right one
    for i in range(5):
        assert torch.equal(crops[i + 5], crops[i].flip(-1))
        r, c = expected[i]
        assert corner(crops[i + 5]) == (r, c + s - 1)


def test_ten_crop_is_torchvisions_set_in_the_papers_order():
    x = torch.randint(0, 256, (3, 36, 40), dtype=torch.uint8, generator=gen())
    mine, theirs = augment.StackedTenCrop(20)(x), v2.TenCrop(20)(x)
    assert isinstance(theirs, tuple) and mine.shape == (10, 3, 20, 20)  # a tuple, not a tensor
    assert sorted(m.numpy().tobytes() for m in mine) == sorted(t.numpy().tobytes() for t in theirs)
    assert [torch.equal(m, t) for m, t in zip(mine, theirs)] == [True] * 5 + [False] * 4 + [True]
    assert torch.equal(mine[5], theirs[6]) and torch.equal(mine[6], theirs[5])  # tl ↔ tr swap


def test_odd_margins_torchvision_mirrors_a_shifted_centre():
    # 37 − 20 = 17 columns to spare: the centre starts at round(8.5) = 8 and ends 9 from the
    # right; torchvision's mirrored centre is the centre *of the mirrored image*, which starts
    # 8 from the right, one column off. Here patch 9 stays the exact mirror of patch 4.
    x = torch.randint(0, 256, (3, 33, 37), dtype=torch.uint8, generator=gen())
    mine, theirs = augment.StackedTenCrop(20)(x), TF.ten_crop(x, [20, 20])
    assert torch.equal(mine[9], mine[4].flip(-1))
    assert torch.equal(theirs[4], mine[4]) and not torch.equal(theirs[9], theirs[4].flip(-1))
    assert torch.equal(theirs[9], x[:, 6:26, 9:29].flip(-1))


def test_ten_crop_on_batches_and_pil():
    x = torch.rand(4, 3, 36, 36)
    batch = augment.StackedTenCrop(32)(x)
    assert batch.shape == (4, 10, 3, 32, 32)
    assert torch.equal(batch[2], augment.StackedTenCrop(32)(x[2]))
    pil = augment.StackedTenCrop(32)(Image.fromarray((x[0].permute(1, 2, 0) * 255).byte().numpy()))
    assert pil.shape == (10, 3, 32, 32) and pil.dtype == torch.uint8


def test_ten_crop_predict_averages_the_softmax_of_the_ten_crops():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 5))
    x = torch.rand(3, 3, 20, 20)
    probs = augment.ten_crop_predict(model, x, 16)
    assert probs.shape == (3, 5) and torch.allclose(probs.sum(1), torch.ones(3))
    for i in range(3):
        crops = augment.StackedTenCrop(16)(x[i])
        by_hand = torch.stack([model(c[None]).softmax(-1)[0] for c in crops]).mean(0)
        assert torch.allclose(probs[i], by_hand.detach(), atol=1e-6)


# -- the training-time layer and the paper's pipelines ---------------------------------------

def test_crop_and_flip_layer_random_in_training_centre_otherwise():
    x = coordinates(36, 36).expand(16, -1, -1, -1)
    layer = augment.CropAndFlip(32, augment=True, generator=gen())
    train = layer.train()(x)
    assert train.shape == (16, 1, 32, 32)
    starts = {corner(p) for p in train}
    assert len(starts) > 1  # different windows (or mirrors) per image
    centre = x[..., 2:34, 2:34]
    assert torch.equal(layer.eval()(x), centre)
    plain = augment.CropAndFlip(32, augment=False, generator=gen()).train()
    assert torch.equal(plain(x), centre)


def test_paper_pipelines_give_224_crops():
    g = gen()
    photo = torch.randint(0, 256, (300, 451, 3), dtype=torch.uint8).numpy()
    pca = augment.fit_colour_pca([photo])
    out = augment.paper_train_transform(pca, g)(photo)
    assert out.shape == (3, 224, 224) and out.dtype == torch.uint8
    ten = augment.paper_test_transform()(Image.fromarray(photo))
    assert ten.shape == (10, 3, 224, 224)
