"""Exercises of lesson 11 (spot the mistake). Each answer is recomputed from the package's
``arithmetic``, ``counting``, ``layers`` and models:

>>> check_conv1_largest_side_for_55(230)  # doctest: +NORMALIZE_WHITESPACE
Correct: ⌊(n − 11) / 4⌋ + 1 = 55 for n = 227 to 230: at 230, ⌊219 / 4⌋ + 1 = 55, and the last
3 rows and columns meet no kernel.
>>> check_torch_lrn_claim_alpha(2e-5)  # doctest: +NORMALIZE_WHITESPACE
Correct: nn.LocalResponseNorm(5, alpha=0.0001) multiplies the mean of the 5 squares by 0.0001,
that is their sum by 0.0001 / 5 = 2e-05: the paper's formula with an α 5 times too small.
"""

from __future__ import annotations

import torch
from torch import nn

from ..arithmetic import conv_output_size, trace_arithmetic
from ..counting import count_layers, count_parameters
from ..layers import LocalResponseNorm
from ..models import alexnet, zfnet
from .core import Feedback, check_choice, check_number

__all__ = ["check_conv1_largest_side_for_55", "check_paper_fc6_with_conv2_stride2",
           "check_single_minus_grouped", "check_lrn_edge_window", "check_eval_logits_with_late_dropout",
           "check_torch_lrn_claim_alpha", "check_loose_zfnet_conv2_macs"]


def check_conv1_largest_side_for_55(answer) -> Feedback:
    """Lesson 11, mistake 1: the largest input side for which conv1 (11×11, stride 4, no
    padding) still gives 55×55."""
    k, s = 11, 4
    sides = [n for n in range(k, 300) if conv_output_size(n, k, s) == 55]
    largest = max(sides)
    last = (55 - 1) * s + k  # one past the last pixel the last kernel position covers
    return check_number(
        answer, largest,
        f"⌊(n − {k}) / {s}⌋ + 1 = 55 for n = {min(sides)} to {largest}: at {largest}, "
        f"⌊{largest - k} / {s}⌋ + 1 = 55, and the last {largest - last} rows and columns meet no kernel",
        f"o = ⌊(n − k) / s⌋ + 1 with k = {k}, s = {s}: the floor keeps o at 55 until n − k reaches "
        f"the next multiple of {s}")


def check_paper_fc6_with_conv2_stride2(answer) -> Feedback:
    """Lesson 11, mistake 2: the features fc6 would receive if the paper's conv2 had stride 2."""
    with torch.device("meta"):
        model = alexnet("paper")
    conv2 = model.features[4]
    model.features[4] = nn.Conv2d(conv2.in_channels, conv2.out_channels, conv2.kernel_size, stride=2,
                                  padding=conv2.padding, groups=conv2.groups, device="meta")
    rows = trace_arithmetic(model.features, (3, 227, 227))
    sides = [r.shape[-1] for r in rows if r.type in ("Conv2d", "MaxPool2d")]
    c, h, w = rows[-1].shape
    return check_number(
        answer, c * h * w,
        f"conv1 {sides[0]} → pool1 {sides[1]} → conv2 (stride 2) {sides[2]} → pool2 {sides[3]} → "
        f"conv3–conv5 {sides[6]} → pool5 {sides[7]}: fc6 would see {c}·{h}·{w} = {c * h * w:,} "
        "features instead of 256·6·6 = 9,216",
        "carry the stride-2 conv2's output side through pool2, the three 'same' convolutions and "
        "pool5 (3×3 pools, stride 2), then multiply by pool5's 256 channels")


def check_single_minus_grouped(answer) -> Feedback:
    """Lesson 11, mistake 3: how many more parameters the single-tower AlexNet has than the
    paper's two-tower one."""
    with torch.device("meta"):
        single, paper = alexnet("single"), alexnet("paper")
    diff = count_parameters(single) - count_parameters(paper)
    extra = [count_parameters(a) - count_parameters(b) for a, b in zip(single.features, paper.features)
             if isinstance(a, torch.nn.Conv2d) and count_parameters(a) != count_parameters(b)]
    assert sum(extra) == diff
    return check_number(
        answer, diff,
        f"conv2, conv4 and conv5 see all channels instead of half, doubling their weights: "
        f"{' + '.join(f'{e:,}' for e in extra)} = {diff:,}",
        "only grouped layers differ; groups=2 halves the input channels each kernel sees")


def check_lrn_edge_window(answer) -> Feedback:
    """Lesson 11, mistake 4: how many channels LRN's window (n = 5) sums over at channel 0."""
    n = 5
    channels = n // 2 + 1  # channel 0 itself and the n // 2 after it; none before
    return check_number(
        answer, channels,
        f"channels 0 to {n // 2}: {channels} (the window c − 2 … c + 2 is clipped at the first channel)",
        "the window is c − n//2 to c + n//2, clipped to the channels that exist")


def check_eval_logits_with_late_dropout(answer) -> Feedback:
    """Lesson 11, mistake 5 (predict, then run): in eval mode, are the logits of the small
    AlexNet's classifier with a dropout after fc8 the same as without it?"""
    with torch.random.fork_rng():  # the learner's random state is left as it was
        torch.manual_seed(0)
        classifier = alexnet("small").classifier
        late = nn.Sequential(*classifier, nn.Dropout(0.5))
        features = torch.randn(256, classifier[1].in_features)
        with torch.no_grad():
            zeroed = (late.train()(features) == 0).float().mean().item()
            with_it, without = late.eval()(features), classifier.eval()(features)
    gap = (with_it - without).abs().max().item()
    expected = "same" if torch.equal(with_it, without) else "different"
    return check_choice(
        answer, expected, ("same", "different"),
        f"in eval mode nn.Dropout passes its input through, so the {with_it.numel():,} logits of "
        f"256 images are {'identical' if expected == 'same' else 'not identical'} with and without "
        f"it (largest difference {gap:g}), while in training {zeroed:.1%} of them were 0. The "
        "damage is done to the training signal, where no test-time output shows it",
        "what does a dropout layer do after .eval()? Lesson 06 tried it on the course's Dropout")


def check_torch_lrn_claim_alpha(answer) -> Feedback:
    """Lesson 11, mistake 6: the α of the paper's formula (multiplying the plain sum of squares)
    that the claim's ``nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2)`` really uses."""
    n, alpha = 5, 1e-4
    effective = alpha / n
    a = torch.rand(1, 16, 3, 3, generator=torch.Generator().manual_seed(0)) * 30
    assert torch.allclose(nn.LocalResponseNorm(n, alpha=alpha, beta=0.75, k=2.0)(a),
                          LocalResponseNorm(n, alpha=effective, beta=0.75, k=2.0)(a), rtol=1e-5)
    return check_number(
        answer, effective,
        f"nn.LocalResponseNorm({n}, alpha={alpha:g}) multiplies the mean of the {n} squares by "
        f"{alpha:g}, that is their sum by {alpha:g} / {n} = {effective:g}: the paper's formula with "
        f"an α {n} times too small",
        "PyTorch's layer multiplies the *mean* of the squares over its n channels by alpha; "
        "write that as a multiple of their sum", rel_tol=1e-6)


def check_loose_zfnet_conv2_macs(answer) -> Feedback:
    """Lesson 11, mistake 7: conv2's multiply-adds per image in the "conv1 change only" ZFNet
    (conv2 5×5, 96 → 256, stride 1, padding 2) on 224×224."""
    with torch.device("meta"):
        loose, exact = zfnet(), zfnet()
        conv2 = exact.features[4]
        loose.features[4] = nn.Conv2d(conv2.in_channels, conv2.out_channels, conv2.kernel_size,
                                      stride=1, padding=2)
    mine, theirs = [[r for r in count_layers(m.features, (3, 224, 224)).rows if r.type == "Conv2d"][1]
                    for m in (loose, exact)]  # features only: the loose net's fc6 no longer fits
    c, h, w = mine.output_shape
    k, cin = conv2.kernel_size[0], conv2.in_channels
    return check_number(
        answer, mine.macs,
        f"{h} · {w} positions × {c} kernels × {k}·{k}·{cin} = {mine.macs:,}, "
        f"{mine.macs / theirs.macs:.1f}× ZFNet's own conv2 ({theirs.output_shape[1]} · "
        f"{theirs.output_shape[2]} positions: {theirs.macs:,})",
        "multiply-adds = output positions × kernels × (k·k·C_in); with stride 1 and padding 2, "
        "conv2's output keeps pool1's side")
