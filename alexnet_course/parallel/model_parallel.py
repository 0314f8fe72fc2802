"""The 2012 split: AlexNet's two towers on two devices, as in the paper's Figure 2.

The paper's network did not fit one 3 GB GTX 580, so half of every layer's kernels lived on
each of two GPUs. The GPUs exchanged activations only where the paper says so: conv3 reads
both towers' conv2 maps, and fc6, fc7 and fc8 read everything. In between, each tower reads
only its own maps, which is what ``groups=2`` expresses on a single device. Here the two
towers are two real modules, each with half the channels, placed on two devices, built from
a single-device ``paper`` model's weights (the grouped weights are cut in two):

>>> import torch
>>> from alexnet_course.models import alexnet
>>> _ = torch.manual_seed(0)
>>> single = alexnet("paper", width=1 / 8, init="pytorch").eval()   # 12-32-48-48-32, fc 512
>>> split = ModelParallelAlexNet.from_alexnet(single, lrn="shared").eval()   # two "devices": cpu, cpu
>>> split.towers[0].convs[1][0]   # conv2 of tower 0: half the kernels, half the input maps
Conv2d(6, 16, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))
>>> x = torch.randn(2, 3, 227, 227)
>>> torch.allclose(split(x), single(x), rtol=1e-5, atol=1e-6)
True
"""

from __future__ import annotations

import copy
from typing import Literal, Sequence

import torch
from torch import nn

__all__ = ["ModelParallelAlexNet", "Tower", "two_devices", "LRN_MODES"]

# "towers": each device normalises only its own maps (the paper's GPUs held nothing else).
# "shared": each device also borrows the few neighbouring maps of the other tower that LRN's
# window reaches across the boundary, which is what a single-device groups=2 net computes.
LRN_MODES = ("towers", "shared")
# Positions of dropout, fc6, fc7, fc8 in ``alexnet_classifier``'s Sequential.
DROP6, FC6, DROP7, FC7, FC8 = 0, 1, 3, 4, 6


def two_devices() -> tuple[torch.device, torch.device]:
    """Two CUDA GPUs when the machine has them, else the CPU twice (the towers still are
    separate modules; only the transfers between them become free)."""
    if torch.cuda.device_count() >= 2:
        return torch.device("cuda", 0), torch.device("cuda", 1)
    return torch.device("cpu"), torch.device("cpu")


class Tower(nn.Module):
    """One device's half of AlexNet: per conv block a conv (+ activation), an optional
    normalisation and an optional pool; then its halves of fc6 and fc7."""

    def __init__(self, convs: nn.ModuleList, norms: nn.ModuleList, pools: nn.ModuleList,
                 head: nn.Sequential, fc6: nn.Sequential, fc7: nn.Sequential):
        super().__init__()
        self.convs, self.norms, self.pools = convs, norms, pools
        self.head = head  # (avgpool), flatten, dropout of this tower's half of fc6's input
        self.fc6 = fc6  # this tower's rows of fc6, activation, dropout before fc7
        self.fc7 = fc7  # this tower's rows of fc7, activation


def _half(layer: nn.Module, tower: int) -> nn.Module:
    """Tower ``tower``'s half of a Conv2d (groups 1 or 2) or Linear: its output rows.

    A grouped conv's weight is already ``(out, in / 2, k, k)``: the rows of a tower only
    read that tower's maps. An ungrouped one keeps every input column (it reads both towers).
    """
    out = layer.weight.shape[0]
    if out % 2:
        raise ValueError(f"{layer} has {out} outputs, which two towers cannot share evenly")
    rows = slice(tower * out // 2, (tower + 1) * out // 2)
    if isinstance(layer, nn.Linear):
        half = nn.Linear(layer.in_features, out // 2)
    elif layer.groups in (1, 2):
        half = nn.Conv2d(layer.in_channels // layer.groups, out // 2, layer.kernel_size,
                         layer.stride, layer.padding)
    else:
        raise ValueError(f"{layer} has groups={layer.groups}; the two-tower split needs 1 or 2")
    with torch.no_grad():
        half.weight.copy_(layer.weight[rows])
        half.bias.copy_(layer.bias[rows])
    return half


def _blocks(features: nn.Sequential) -> list[list[tuple[int, nn.Module]]]:
    """``features`` cut before every Conv2d: [(index, layer), ...] per conv block."""
    blocks: list[list[tuple[int, nn.Module]]] = []
    for i, layer in enumerate(features):
        if isinstance(layer, nn.Conv2d):
            blocks.append([])
        elif not blocks:
            raise ValueError(f"features must start with a Conv2d, found {layer}")
        blocks[-1].append((i, layer))
    return blocks


def _tower(model: nn.Module, tower: int) -> Tower:
    convs, norms, pools = nn.ModuleList(), nn.ModuleList(), nn.ModuleList()
    for block in _blocks(model.features):
        (_, conv), (_, act), *rest = block
        pool = [m for _, m in rest if isinstance(m, nn.MaxPool2d)]
        norm = [m for _, m in rest if not isinstance(m, nn.MaxPool2d)]
        convs.append(nn.Sequential(_half(conv, tower), copy.deepcopy(act)))
        norms.append(copy.deepcopy(norm[0]) if norm else nn.Identity())
        pools.append(copy.deepcopy(pool[0]) if pool else nn.Identity())
    c = model.classifier
    avgpool = [copy.deepcopy(model.avgpool)] if model.avgpool is not None else []
    head = nn.Sequential(*avgpool, nn.Flatten(), copy.deepcopy(c[DROP6]))
    fc6 = nn.Sequential(_half(c[FC6], tower), copy.deepcopy(c[FC6 + 1]), copy.deepcopy(c[DROP7]))
    fc7 = nn.Sequential(_half(c[FC7], tower), copy.deepcopy(c[FC7 + 1]))
    return Tower(convs, norms, pools, head, fc6, fc7)


class ModelParallelAlexNet(nn.Module):
    """AlexNet on two devices: two :class:`Tower` modules and fc8 on the first device.

    ``crosses[j]`` says whether conv block ``j`` reads both towers' maps (the paper's conv3:
    an ungrouped conv after conv1); those maps are copied between devices there, and again
    before fc6, fc7 and fc8. Build one with :meth:`from_alexnet`.
    """

    def __init__(self, towers: Sequence[Tower], fc8: nn.Linear, crosses: Sequence[bool],
                 conv_index: Sequence[int], lrn: Literal["towers", "shared"] = "towers",
                 devices: Sequence[torch.device | str] = ("cpu", "cpu")):
        super().__init__()
        if lrn not in LRN_MODES:
            raise ValueError(f"lrn must be one of {LRN_MODES}, not {lrn!r}")
        if len(towers) != 2 or len(devices) != 2:
            raise ValueError(f"devices must name exactly two devices, got {list(devices)}")
        self.devices = tuple(torch.device(d) for d in devices)
        self.towers = nn.ModuleList(t.to(d) for t, d in zip(towers, self.devices))
        self.fc8 = fc8.to(self.devices[0])
        self.crosses, self.conv_index, self.lrn = tuple(crosses), tuple(conv_index), lrn

    @classmethod
    def from_alexnet(cls, model: nn.Module, devices: Sequence[torch.device | str] = ("cpu", "cpu"),
                     lrn: Literal["towers", "shared"] = "towers") -> ModelParallelAlexNet:
        """Split a single-device two-tower AlexNet (``alexnet("paper")``: groups=2 on conv2,
        conv4, conv5) into two towers holding the same weights; ``model`` is left unchanged."""
        blocks = _blocks(model.features)
        convs = [block[0][1] for block in blocks]
        if len(convs) != 5 or not any(c.groups == 2 for c in convs):
            raise ValueError("model must be a two-tower AlexNet (five convs, some with groups=2), "
                             "e.g. alexnet('paper')")
        crosses = [j > 0 and conv.groups == 1 for j, conv in enumerate(convs)]
        return cls([_tower(model, 0), _tower(model, 1)], copy.deepcopy(model.classifier[FC8]),
                   crosses, [block[0][0] for block in blocks], lrn, devices)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self._run(x, None)

    def traffic(self, input_size: tuple[int, int, int]) -> list[tuple[str, int, int]]:
        """Numbers copied between the devices for one image: (link, sent by tower 0, by tower 1)."""
        log: list[tuple[str, int, int]] = []
        with torch.no_grad():
            self._run(torch.zeros(1, *input_size), log)
        return log

    def _run(self, x: torch.Tensor, log: list | None) -> torch.Tensor:
        h = [x.to(d) for d in self.devices]  # both towers read the whole image
        for j, cross in enumerate(self.crosses):
            if cross:  # the paper's conv3: every kernel reads both towers' maps
                h = self._exchange(h, f"conv{j} → conv{j + 1}", log)
            h = [t.convs[j](a) for t, a in zip(self.towers, h)]
            h = self._normalize(h, j, log)
            h = [t.pools[j](a) for t, a in zip(self.towers, h)]
        n = len(self.crosses)
        h = self._exchange([t.head(a) for t, a in zip(self.towers, h)], f"pool{n} → fc6", log)
        h = self._exchange([t.fc6(a) for t, a in zip(self.towers, h)], "fc6 → fc7", log)
        h = [t.fc7(a) for t, a in zip(self.towers, h)]
        if log is not None:
            log.append(("fc7 → fc8", 0, h[1][0].numel()))  # fc8 lives on device 0
        return self.fc8(torch.cat([a.to(self.devices[0]) for a in h], 1))

    def _exchange(self, h: list[torch.Tensor], link: str, log: list | None) -> list[torch.Tensor]:
        """Each device gets both towers' activations, concatenated along the channels."""
        if log is not None:
            log.append((link, h[0][0].numel(), h[1][0].numel()))
        return [torch.cat([a.to(d) for a in h], 1) for d in self.devices]

    def _normalize(self, h: list[torch.Tensor], j: int, log: list | None) -> list[torch.Tensor]:
        norms = [t.norms[j] for t in self.towers]
        if isinstance(norms[0], nn.Identity) or self.lrn == "towers":
            return [norm(a) for norm, a in zip(norms, h)]
        # "shared": LRN's window reaches size // 2 maps back and (size - 1) // 2 ahead, so
        # tower 0 borrows the first maps of tower 1 and tower 1 the last maps of tower 0.
        before, after = norms[0].size // 2, (norms[0].size - 1) // 2
        a, b = h
        if log is not None:
            log.append((f"norm{j + 1} halo", a[0, a.shape[1] - before:].numel(), b[0, :after].numel()))
        left = norms[0](torch.cat([a, b[:, :after].to(a.device)], 1))[:, :a.shape[1]]
        right = norms[1](torch.cat([a[:, a.shape[1] - before:].to(b.device), b], 1))[:, before:]
        return [left, right]

    def to_alexnet_state_dict(self) -> dict[str, torch.Tensor]:
        """The weights as a single-device AlexNet's state dict (on the CPU): the towers'
        rows stacked back, so ``alexnet("paper").load_state_dict(...)`` accepts them."""
        state = {}
        for j, i in enumerate(self.conv_index):
            for name in ("weight", "bias"):
                state[f"features.{i}.{name}"] = torch.cat(
                    [getattr(t.convs[j][0], name).detach().cpu() for t in self.towers])
        for index, part in ((FC6, "fc6"), (FC7, "fc7")):
            for name in ("weight", "bias"):
                state[f"classifier.{index}.{name}"] = torch.cat(
                    [getattr(getattr(t, part)[0], name).detach().cpu() for t in self.towers])
        for name in ("weight", "bias"):
            state[f"classifier.{FC8}.{name}"] = getattr(self.fc8, name).detach().cpu()
        return state
