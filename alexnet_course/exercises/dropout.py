"""Exercises of lesson 06 (dropout). Each answer is recomputed from the course's
``Dropout`` layer and the paper's network as the package builds it:

>>> check_inverted_scale(1.25)  # doctest: +NORMALIZE_WHITESPACE
Correct: a kept unit is divided by 1 − p = 0.8, i.e. multiplied by 1.25, so its expectation
0.8 × 1.25 = 1 is unchanged.
>>> check_fc6_dropped(4608)
Correct: fc6 reads 9,216 features and each is dropped with p = 0.5: 0.5 × 9,216 = 4,608 on average.
"""

from __future__ import annotations

import torch
from torch import nn

from ..layers import Dropout
from ..models.alexnet import PAPER, build_alexnet
from .core import Feedback, check_number

__all__ = ["check_inverted_scale", "check_fc6_dropped", "check_thinned_networks"]


def _paper_dropouts() -> list[tuple[float, int]]:
    """(p, width of the layer it feeds) for every dropout of the paper's classifier."""
    with torch.device("meta"):  # shapes only
        classifier = build_alexnet(PAPER).classifier
    layers = list(classifier)
    return [(m.p, layers[i + 1].in_features) for i, m in enumerate(layers)
            if isinstance(m, nn.Dropout) and isinstance(layers[i + 1], nn.Linear)]


def check_inverted_scale(answer, p: float = 0.2) -> Feedback:
    """Lesson 06, exercise 1: by what factor does inverted dropout with p = 0.2 multiply a kept unit?"""
    with torch.random.fork_rng():  # leave the learner's random stream untouched
        torch.manual_seed(0)
        factor = Dropout(p).train()(torch.ones(1000)).max().item()  # what the layer really does
    return check_number(
        answer, factor,
        f"a kept unit is divided by 1 − p = {1 - p:g}, i.e. multiplied by {factor:g}, so its "
        f"expectation {1 - p:g} × {factor:g} = {(1 - p) * factor:g} is unchanged",
        "a unit is kept with probability 1 − p; what factor makes its expected value equal its input?",
        rel_tol=1e-6)


def check_fc6_dropped(answer) -> Feedback:
    """Lesson 06, exercise 2: on average, how many of fc6's inputs does dropout zero for
    one image in the paper's network?"""
    p, width = _paper_dropouts()[0]
    return check_number(
        answer, p * width,
        f"fc6 reads {width:,} features and each is dropped with p = {p:g}: {p:g} × {width:,} = "
        f"{p * width:,.0f} on average",
        "fc6's input is the flattened 256 × 6 × 6 map; each element is dropped independently with p")


def check_thinned_networks(answer) -> Feedback:
    """Lesson 06, exercise 3: the paper's dropout chooses one of 2^m thinned networks for every
    image. What is m (the number of units that can be dropped)?"""
    widths = [w for _, w in _paper_dropouts()]
    m = sum(widths)
    return check_number(
        answer, m,
        f"every input of fc6 and of fc7 is kept or dropped: {' + '.join(f'{w:,}' for w in widths)} "
        f"= {m:,} binary choices, 2^{m:,} masks",
        "each unit that dropout acts on is either kept or dropped; count those units "
        "(the inputs of fc6 and of fc7)")
