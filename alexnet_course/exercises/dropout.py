"""Exercises of lesson 06 (dropout). Each answer is recomputed from the course's
``Dropout`` layer, the paper's network as the package builds it, and the experiment's
:func:`~alexnet_course.experiments.dropout.geometric_mean`.

torchvision (and the course's AlexNets by default) drop the *inputs* of fc6 and fc7; the paper
(like Caffe's reference model) drops the *outputs* of fc6 and fc7. ``placements`` names the
units each drops:

>>> {name: [group for group, _ in groups] for name, groups in placements().items()}
{'inputs': ['fc6 inputs', 'fc7 inputs'], 'outputs': ['fc6 outputs', 'fc7 outputs']}
>>> check_inverted_scale(1.25)  # doctest: +NORMALIZE_WHITESPACE
Correct: a kept unit is divided by 1 − p = 0.8, i.e. multiplied by 1.25, so its expectation
0.8 × 1.25 = 1 is unchanged.
>>> check_inverted_scale(2, p=1)
Cannot check this: p = 1 drops every unit, so no unit is kept to be scaled; choose 0 ≤ p < 1.
"""

from __future__ import annotations

from functools import lru_cache

import torch
from torch import nn

from ..experiments.dropout import geometric_mean
from ..layers import Dropout
from ..models.alexnet import PAPER, build_alexnet
from .core import Feedback, as_number, cannot_check, check_choice, check_number

__all__ = ["placements", "check_inverted_scale", "check_thinned_networks", "check_fc7_weights_used",
           "TWO_PASSES", "check_geometric_mean"]


def _paper_classifier_layers() -> list[nn.Module]:
    """``build_alexnet(PAPER).classifier``'s layers, in order (shapes only)."""
    with torch.device("meta"):
        return list(build_alexnet(PAPER).classifier)


def _paper_classifier() -> tuple[float, list[nn.Linear]]:
    """The paper's dropout probability and fc6, fc7, fc8, as the package builds them."""
    layers = _paper_classifier_layers()
    p = next(m.p for m in layers if isinstance(m, nn.Dropout))
    return p, [m for m in layers if isinstance(m, nn.Linear)]


def placements() -> dict[str, list[tuple[str, int]]]:
    """The units dropout acts on in the paper's network under each placement, as
    ``(group, width)``: ``"inputs"`` is torchvision's and the course's default (a ``Dropout`` before
    fc6 and before fc7, as ``build_alexnet(PAPER).classifier`` has it), ``"outputs"`` the
    paper's and Caffe's (after the ReLUs of those same two layers)."""
    layers = _paper_classifier_layers()
    dropped = [(i, layers[i + 1]) for i, m in enumerate(layers) if isinstance(m, nn.Dropout)]
    names = {id(m): f"fc{6 + k}" for k, m in enumerate(m for m in layers if isinstance(m, nn.Linear))}
    return {"inputs": [(f"{names[id(fc)]} inputs", fc.in_features) for _, fc in dropped],
            "outputs": [(f"{names[id(fc)]} outputs", fc.out_features) for _, fc in dropped]}


def check_inverted_scale(answer, p: float = 0.2) -> Feedback:
    """Lesson 06, exercise 1: by what factor does inverted dropout with p = 0.2 multiply a kept unit?"""
    value = as_number(p)
    if value is None or not 0 <= value < 1:
        problem = (f"p = {p!r} drops every unit, so no unit is kept to be scaled" if value == 1
                   else f"p = {p!r} is not a probability of dropping")
        return cannot_check(f"{problem}; choose 0 ≤ p < 1")
    with torch.random.fork_rng():  # leave the learner's random stream untouched
        torch.manual_seed(0)
        factor = Dropout(value).train()(torch.ones(1000)).max().item()  # what the layer really does
    return check_number(
        answer, factor,
        f"a kept unit is divided by 1 − p = {1 - value:g}, i.e. multiplied by {factor:g}, so its "
        f"expectation {1 - value:g} × {factor:g} = {(1 - value) * factor:g} is unchanged",
        "a unit is kept with probability 1 − p; what factor makes its expected value equal its input?",
        rel_tol=1e-6)


def check_thinned_networks(answer) -> Feedback:
    """Lesson 06, exercise 2: with the paper's placement (the outputs of fc6 and fc7), dropout
    picks one of 2^m thinned networks for every image. What is m?"""
    groups = placements()
    m = sum(width for _, width in groups["outputs"])
    course = sum(width for _, width in groups["inputs"])
    return check_number(
        answer, m,
        f"the paper drops the {' and the '.join(name for name, _ in groups['outputs'])}: "
        f"{' + '.join(f'{w:,}' for _, w in groups['outputs'])} = {m:,} units, each kept or dropped, "
        f"so 2^{m:,} masks (the course's placement, on the "
        f"{' and the '.join(name for name, _ in groups['inputs'])}, gives "
        f"{' + '.join(f'{w:,}' for _, w in groups['inputs'])} = {course:,})",
        "every unit dropout acts on doubles the number of masks; count the units of the paper's "
        "placement, the outputs of fc6 and of fc7")


WEIGHT_CHOICES = ("inputs", "outputs", "same")


@lru_cache(maxsize=1)
def fc7_weights_used(images: int = 256) -> dict[str, float]:
    """For each placement, the mean number of fc7's weights one training image uses (both
    units the weight connects kept), measured with the course's ``Dropout`` on ``images``
    random masks (seed 0; the learner's random stream is left untouched)."""
    p, (_, fc7, _) = _paper_classifier()
    layer = Dropout(p).train()

    def kept(width: int, drop: bool) -> torch.Tensor:  # the units each image keeps
        ones = torch.ones(images, width)
        return ((layer(ones) if drop else ones) != 0).sum(1).double()

    used = {}
    with torch.random.fork_rng():
        torch.manual_seed(0)
        for name, groups in placements().items():
            dropped = {group for group, _ in groups}
            reads = kept(fc7.in_features, bool(dropped & {"fc6 outputs", "fc7 inputs"}))
            writes = kept(fc7.out_features, bool(dropped & {"fc7 outputs", "fc8 inputs"}))
            used[name] = (reads * writes).mean().item()
    return {"p": p, "weights": fc7.in_features * fc7.out_features, "images": images, **used}


def check_fc7_weights_used(answer) -> Feedback:
    """Lesson 06, exercise 3 (predict, then run): a weight of fc7 takes part in an image's
    training step only if the unit it reads and the unit it writes are both kept. Which
    placement leaves more of fc7's weights in use: dropping fc6's and fc7's inputs, or their
    outputs?"""
    measured = fc7_weights_used()
    total, p = measured["weights"], measured["p"]
    share = {name: measured[name] / total for name in WEIGHT_CHOICES[:2]}
    expected = max(share, key=share.get) if share["inputs"] != share["outputs"] else "same"
    if isinstance(answer, str):
        answer = {"input": "inputs", "output": "outputs"}.get(answer.strip().lower(), answer)
    return check_choice(
        answer, expected, WEIGHT_CHOICES,
        f"on inputs, fc7's own output is never dropped, so a weight works whenever the unit it reads "
        f"is kept, with probability 1 − p = {1 - p:g}; on outputs, both ends are dropped, "
        f"(1 − p)² = {(1 - p) ** 2:g}. Measured over {measured['images']} random masks: "
        f"{measured['inputs']:,.0f} of fc7's {total:,} weights ({share['inputs']:.1%}) on inputs, "
        f"{measured['outputs']:,.0f} ({share['outputs']:.1%}) on outputs",
        "draw the two layers around fc7 for each placement: which of the units fc7 reads and writes "
        "can be dropped? A weight works only when both of its units are kept")


# Two stochastic passes of one image over three classes (exercise 4).
TWO_PASSES = ((0.6, 0.3, 0.1), (0.2, 0.3, 0.5))


def check_geometric_mean(answer) -> Feedback:
    """Lesson 06, exercise 4: two stochastic passes give an image the distributions
    ``TWO_PASSES``. What probability does their normalised geometric mean give class 1 (the
    class both passes give 0.3)?"""
    passes = torch.tensor(TWO_PASSES, dtype=torch.float64)
    mean = geometric_mean(passes.log()[:, None, :]).exp()[0]  # the experiment's own computation
    roots = passes.prod(0).sqrt()
    each = ", ".join(f"√({a:g}·{b:g}) = {r:.4f}" for a, b, r in zip(*TWO_PASSES, roots.tolist()))
    return check_number(
        answer, mean[1].item(),
        f"the geometric means of the classes are {each}; renormalised, class 1 gets "
        f"{roots[1]:.4f} / {roots.sum():.4f} = {mean[1]:.4f}, more than the 0.3 both passes gave it "
        f"(the arithmetic mean keeps 0.3): the passes disagree about classes 0 and 2, and the "
        f"geometric mean shrinks a class that any pass finds unlikely",
        "take the square root of the product of the two probabilities of each class, then divide "
        "each by their sum so that the three add up to 1",
        rel_tol=1e-3)
