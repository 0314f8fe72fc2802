"""The paper's two-GPU split: two real towers that compute what the single-device grouped net
computes, with the same weights, and exchange activations only where the paper says."""

from __future__ import annotations

from dataclasses import replace

import pytest
import torch
from torch import nn

from alexnet_course.counting import count_parameters
from alexnet_course.models.alexnet import PAPER, alexnet, build_alexnet
from alexnet_course.parallel import ModelParallelAlexNet, two_devices

CPU2 = (torch.device("cpu"), torch.device("cpu"))


def small_paper(seed: int = 0, init: str = "pytorch", dropout: float = 0.5) -> nn.Module:
    torch.manual_seed(seed)
    return alexnet("paper", width=1 / 8, init=init, dropout=dropout)  # 12-32-48-48-32, fc 512


@pytest.fixture
def images():
    return torch.randn(3, 3, 227, 227, generator=torch.Generator().manual_seed(1))


@pytest.mark.parametrize("init", ["pytorch", "paper"])
def test_split_net_equals_the_single_device_net(init, images):
    single = small_paper(init=init).eval()
    split = ModelParallelAlexNet.from_alexnet(single, devices=CPU2, lrn="shared").eval()
    with torch.no_grad():
        expected, found = single(images), split(images)
    assert expected.abs().max() > 1e-2  # logits far from 0: the tolerance is meaningful
    torch.testing.assert_close(found, expected, rtol=1e-5, atol=1e-6)


def test_without_lrn_the_paper_exchanges_alone_give_the_same_net(images):
    torch.manual_seed(0)
    single = build_alexnet(replace(PAPER, lrn=False, widths=(12, 32, 48, 48, 32), hidden=512,
                                   init="pytorch")).eval()
    split = ModelParallelAlexNet.from_alexnet(single, lrn="towers").eval()
    with torch.no_grad():
        torch.testing.assert_close(split(images), single(images), rtol=1e-5, atol=1e-6)


def test_per_tower_lrn_differs_only_at_the_tower_boundary(images):
    """The paper's GPUs normalised their own maps; the grouped net's LRN window crosses the
    boundary between map 47 and map 48 (here 5 and 6), and only there."""
    single = small_paper().eval()
    split = ModelParallelAlexNet.from_alexnet(single, lrn="towers").eval()
    with torch.no_grad():
        maps = single.features[:2](images)  # conv1 + ReLU: (3, 12, 55, 55), fed to both LRNs
        half = maps.shape[1] // 2
        whole = single.features[2](maps)
        towers = torch.cat([t.norms[0](m) for t, m in zip(split.towers, maps.split(half, 1))], 1)
    diff = (towers - whole).abs().amax(dim=(0, 2, 3))  # per channel
    lrn = single.features[2]
    near = set(range(half - lrn.size // 2, half + (lrn.size - 1) // 2))  # {4, 5, 6, 7}
    assert all(diff[c] == 0 for c in range(whole.shape[1]) if c not in near)
    assert all(diff[c] > 0 for c in near)


def test_two_towers_of_half_width_on_the_given_devices():
    single = small_paper()
    split = ModelParallelAlexNet.from_alexnet(single, devices=CPU2)
    assert count_parameters(split) == count_parameters(single)
    for tower, device in zip(split.towers, CPU2):
        assert {p.device for p in tower.parameters()} == {device}
        widths = [block[0].out_channels for block in tower.convs]
        assert widths == [w // 2 for w in (12, 32, 48, 48, 32)]
        assert tower.fc6[0].out_features == tower.fc7[0].out_features == 512 // 2
    # conv2, conv4, conv5 read their own tower (half the maps); conv3 reads both.
    reads = [block[0].in_channels for block in split.towers[0].convs]
    assert reads == [3, 12 // 2, 32, 48 // 2, 48 // 2]
    assert split.crosses == (False, False, True, False, False)


def test_traffic_of_the_full_paper_net():
    """What crosses between the GPUs per image, recomputed from the paper's shapes:
    conv2's 128 maps of 13x13 per GPU, pool5's 128 maps of 6x6, half of fc6, half of fc7."""
    split = ModelParallelAlexNet.from_alexnet(alexnet("paper"))
    expected = [("conv2 → conv3", 128 * 13 * 13, 128 * 13 * 13),
                ("pool5 → fc6", 128 * 6 * 6, 128 * 6 * 6),
                ("fc6 → fc7", 4096 // 2, 4096 // 2),
                ("fc7 → fc8", 0, 4096 // 2)]
    assert split.traffic(PAPER.input_size) == expected
    shared = ModelParallelAlexNet.from_alexnet(alexnet("paper"), lrn="shared")
    halos = [row for row in shared.traffic(PAPER.input_size) if "halo" in row[0]]
    assert halos == [("norm1 halo", 2 * 55 * 55, 2 * 55 * 55), ("norm2 halo", 2 * 27 * 27, 2 * 27 * 27)]


def test_weights_round_trip_and_one_training_step_matches(images):
    single = small_paper(dropout=0.0)
    split = ModelParallelAlexNet.from_alexnet(single, lrn="shared")
    merged = split.to_alexnet_state_dict()
    assert merged.keys() == single.state_dict().keys()
    assert all(torch.equal(merged[k], v) for k, v in single.state_dict().items())
    targets = torch.tensor([0, 5, 999])
    for model in (single, split):  # gradients flow back through the exchanges
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        nn.functional.cross_entropy(model(images), targets).backward()
        optimizer.step()
    after = split.to_alexnet_state_dict()
    for name, value in single.state_dict().items():
        torch.testing.assert_close(after[name], value, rtol=1e-5, atol=1e-6, msg=name)
    assert not torch.equal(after["features.0.weight"], merged["features.0.weight"])


def test_the_check_can_fail_swapped_towers_give_another_net(images):
    single = small_paper().eval()
    split = ModelParallelAlexNet.from_alexnet(single, lrn="shared").eval()
    split.towers = nn.ModuleList(reversed(list(split.towers)))
    with torch.no_grad():
        assert not torch.allclose(split(images), single(images), rtol=1e-3, atol=1e-4)


def test_refuses_what_it_cannot_split():
    with pytest.raises(ValueError, match="two-tower AlexNet"):
        ModelParallelAlexNet.from_alexnet(alexnet("single", width=1 / 8))
    with pytest.raises(ValueError, match="lrn must be one of"):
        ModelParallelAlexNet.from_alexnet(small_paper(), lrn="global")
    with pytest.raises(ValueError, match="exactly two devices"):
        ModelParallelAlexNet.from_alexnet(small_paper(), devices=("cpu",))


def test_two_devices_are_two_gpus_only_when_there_are_two():
    first, second = two_devices()
    if torch.cuda.device_count() >= 2:
        assert (first, second) == (torch.device("cuda", 0), torch.device("cuda", 1))
    else:
        assert first == second == torch.device("cpu")


def test_the_drawing_is_made_from_the_split_net():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from alexnet_course.plots.parallel import plot_two_gpu_split

    fig = plot_two_gpu_split(ModelParallelAlexNet.from_alexnet(alexnet("paper")), PAPER.input_size)
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert f"{128 * 13 * 13:,} each way" in texts and f"{4096 // 2:,} to device 0" in texts
    assert "conv3\n192×13²" in texts and "fc8 (device 0)\n1000" in texts  # 384 kernels / 2
    plt.close(fig)
