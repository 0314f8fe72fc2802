"""Lesson 11: every mistake and every correction it shows, recomputed from first principles
and checked against what PyTorch does."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from alexnet_course.arithmetic import conv_output_size, pool_output_size, trace_arithmetic
from alexnet_course.counting import conv_params, count_layers, count_parameters, linear_params
from alexnet_course.layers import LocalResponseNorm
from alexnet_course.models import alexnet, zfnet


@pytest.mark.parametrize("n, padding, expected", [(224, 0, 54), (227, 0, 55), (224, 3, 55), (224, 2, 55)])
def test_conv1_sides_by_formula_and_by_pytorch(n, padding, expected):
    assert conv_output_size(n, 11, 4, padding) == (n + 2 * padding - 11) // 4 + 1 == expected
    out = F.conv2d(torch.zeros(1, 3, n, n), torch.zeros(96, 3, 11, 11), stride=4, padding=padding)
    assert out.shape[-1] == expected


def test_224_without_padding_flattens_6400_not_9216():
    with torch.device("meta"):
        net = alexnet("keras_1ch")
    c, h, w = trace_arithmetic(net.features, (1, 224, 224))[-1].shape
    assert (c, h, w) == (256, 5, 5)
    # by hand: 54 -> 26 -> 12 -> 5
    assert [pool_output_size(s, 3, 2) for s in (54, 26, 12)] == [26, 12, 5]


def test_conv2_with_stride_2_halves_the_map():
    assert (conv_output_size(27, 5, 2, 2) == 14
            == nn.Conv2d(96, 256, 5, 2, 2)(torch.zeros(1, 96, 27, 27)).shape[-1])
    convs = [m for m in alexnet("paper", width=1 / 8).features if isinstance(m, nn.Conv2d)]
    assert [m.stride[0] for m in convs] == [4, 1, 1, 1, 1]


def test_the_quoted_totals_belong_to_different_networks():
    def single_tower(c_in, flatten, classes=1000):
        widths, kernels = (96, 256, 384, 384, 256), (11, 5, 3, 3, 3)
        convs = sum(conv_params(a, b, k) for a, b, k in zip((c_in, *widths[:-1]), widths, kernels))
        return convs + linear_params(flatten, 4096) + linear_params(4096, 4096) + linear_params(4096, classes)

    with torch.device("meta"):
        counts = {v: count_parameters(alexnet(v)) for v in ("paper", "single", "keras_1ch")}
    assert counts["single"] == single_tower(3, 9216)
    assert counts["keras_1ch"] == single_tower(1, 6400)
    grouped_saving = sum(conv_params(a, b, k) - conv_params(a, b, k, groups=2)
                         for a, b, k in ((96, 256, 5), (384, 384, 3), (384, 256, 3)))
    assert counts["paper"] == counts["single"] - grouped_saving


def test_lrn_window_is_n_neighbouring_channels_not_all():
    # Energy in channel 3 only: with n = 5 it divides channels 1..5, with n = 96 every channel.
    x = torch.ones(1, 10, 1, 1)
    x[0, 3] = 100.0
    for n, touched in ((5, set(range(1, 6))), (96, set(range(10)))):
        out = LocalResponseNorm(n, alpha=1e-4, beta=0.75, k=2.0)(x)
        base = LocalResponseNorm(n, alpha=1e-4, beta=0.75, k=2.0)(torch.ones(1, 10, 1, 1))
        changed = {c for c in range(10) if c != 3 and not torch.isclose(out[0, c], base[0, c])}
        assert changed == touched - {3}
    # channel 0's window with n = 5 is channels 0..2
    window = [c for c in range(96) if max(0, 0 - 2) <= c <= min(95, 0 + 2)]
    assert len(window) == 3


def test_paper_lrn_in_pytorch_needs_alpha_times_n_and_k_2():
    torch.manual_seed(0)
    a = torch.rand(2, 96, 7, 7) * 50
    paper = LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0)(a)
    assert torch.allclose(nn.LocalResponseNorm(5, alpha=5e-4, beta=0.75, k=2.0)(a), paper,
                          rtol=1e-5, atol=1e-6)
    assert not torch.allclose(nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0)(a), paper)
    assert nn.LocalResponseNorm(5).k == 1.0


def test_dropout_after_fc8_zeroes_half_the_logits_in_training_only():
    torch.manual_seed(0)
    late = nn.Sequential(*alexnet("small").classifier, nn.Dropout(0.5))
    x = torch.randn(2000, late[1].in_features)
    zero_fraction = (late.train()(x) == 0).float().mean().item()
    assert abs(zero_fraction - 0.5) < 4 * (0.25 / 20_000) ** 0.5  # binomial, 4 standard errors
    assert (late.eval()(x) == 0).sum() == 0
    kinds = [type(m).__name__ for m in alexnet("paper", width=1 / 8).classifier]
    assert kinds[0] == kinds[3] == "Dropout" and kinds[-1] == "Linear"


def test_zfnet_needs_its_conv2_stride():
    with torch.device("meta"):
        loose = zfnet()
        loose.features[4] = nn.Conv2d(96, 256, 5, stride=1, padding=2)
        exact = zfnet()
    assert trace_arithmetic(loose.features, (3, 224, 224))[-1].shape == (256, 13, 13)
    assert trace_arithmetic(exact.features, (3, 224, 224))[-1].shape == (256, 6, 6)


def test_paper_inconsistencies():
    with torch.device("meta"):
        paper = alexnet("paper")
    table = count_layers(paper, (3, 227, 227))
    neurons = [r.activations for r in table.rows if r.type in ("Conv2d", "Linear")]
    assert neurons[0] == 55 * 55 * 96 == 290_400
    assert sum(neurons) == 290_400 + 27 * 27 * 256 + 2 * 13 * 13 * 384 + 13 * 13 * 256 + 2 * 4096 + 1000
    assert abs(sum(neurons) - 650_000) < abs(sum(neurons) - 290_400 + 253_440 - 650_000)
    assert (256 - 224 + 1) ** 2 * 2 == 2178 and 32 ** 2 * 2 == 2048
    shares = [r.param_share for r in table.rows if r.type == "Conv2d"]
    assert shares[2] == pytest.approx(100 * conv_params(256, 384, 3) / 60_965_224)
    assert 1.4 < shares[2] < 1.5
    grouped_conv3 = count_parameters(paper) - conv_params(256, 384, 3) + conv_params(256, 384, 3, groups=2)
    assert grouped_conv3 == 60_965_224 - 384 * 128 * 9


def test_lrn_over_96_channels_follows_the_clipped_window_not_the_neighbours():
    # Every channel equally active: the divisor then depends only on how many channels the
    # window sums, c - 48 ... c + 47 clipped to 0 ... 95 for n = 96 (c - 2 ... c + 2 for n = 5).
    from alexnet_course.layers import lrn_divisor

    a = torch.full((1, 96, 1, 1), 10.0)
    for n in (5, 96):
        lengths = torch.tensor([min(95, c + (n - 1) // 2) - max(0, c - n // 2) + 1 for c in range(96)])
        by_hand = (2.0 + 1e-4 * 100.0 * lengths) ** 0.75
        assert torch.allclose(lrn_divisor(a, n, 1e-4, 0.75, 2.0).flatten(), by_hand.float())
        if n == 96:  # only the middle channel sums all 96 maps; the ends about half of them
            assert lengths.argmax() == 48 and lengths.max() == 96 and (lengths[0], lengths[95]) == (48, 49)
        else:  # n = 5: the same window everywhere but at the two ends
            assert (lengths == 5).sum() == 92


def test_torchvisions_gflops_figure_is_its_multiply_adds():
    from torchvision.models import AlexNet_Weights

    with torch.device("meta"):
        macs = count_layers(alexnet("torchvision"), (3, 224, 224)).macs
    # conv1..conv5 and fc6..fc8 on 224: outputs x kernel volume, by hand
    by_hand = (55 * 55 * 64 * 11 * 11 * 3 + 27 * 27 * 192 * 5 * 5 * 64 + 13 * 13 * 384 * 3 * 3 * 192
               + 13 * 13 * 256 * 3 * 3 * 384 + 13 * 13 * 256 * 3 * 3 * 256
               + 9216 * 4096 + 4096 * 4096 + 4096 * 1000)
    assert macs == by_hand == 714_188_480
    assert AlexNet_Weights.IMAGENET1K_V1.meta["_ops"] == round(macs / 1e9, 3) == 0.714


def test_d2l_takes_the_other_reading_of_the_papers_dropout():
    with torch.device("meta"):
        kinds = {v: [type(m).__name__ for m in alexnet(v).classifier] for v in ("paper", "d2l")}
    assert kinds["paper"][0] == kinds["paper"][3] == "Dropout"  # on the inputs of fc6 and fc7
    assert kinds["d2l"][1:3] == kinds["d2l"][4:6] == ["ReLU", "Dropout"]  # on their outputs
