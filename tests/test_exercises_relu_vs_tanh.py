"""Lesson 03 exercises. Every answer is derived here by hand: tanh'(x) = 1 − tanh(x)² = 1 / cosh(x)²
(since cosh² − sinh² = 1), never by autograd, which is what the checks use."""

import math

import pytest

from alexnet_course.exercises import relu_vs_tanh as ex


def sech2(x: float) -> float:
    """tanh'(x) = 1 / cosh(x)²."""
    return 1 / math.cosh(x) ** 2


# tanh'(−3): cosh is even, so the slope at −3 is the slope at 3.
TANH_SLOPE_AT_MINUS_3 = sech2(3.0)
# tanh'(x) = 1/2 ⇔ cosh(x)² = 2 ⇔ x = acosh(√2) = ln(1 + √2).
HALF_GRADIENT_EDGE = math.log(1 + math.sqrt(2))
# Five units at x = 1: the chain rule multiplies five equal slopes.
THROUGH_FIVE_AT_1 = sech2(1.0) ** 5


def gaussian_share_beyond(edge: float, sigma: float) -> float:
    """P(|z| > edge) for z ~ N(0, sigma²)."""
    return 1 - math.erf(edge / (sigma * math.sqrt(2)))


# |tanh(x)| > 0.99 ⇔ |x| > atanh(0.99) = ½ ln(1.99 / 0.01).
SATURATION_EDGE = 0.5 * math.log(1.99 / 0.01)


def conv1_share(input_std: float) -> float:
    """AlexNet's conv1 sums 11·11·3 = 363 products of a weight (std 0.01) and an input value
    (std ``input_std``): a Gaussian of std √363 · 0.01 · input_std, saturated beyond the edge."""
    return gaussian_share_beyond(SATURATION_EDGE, math.sqrt(11 * 11 * 3) * 0.01 * input_std)


CONV1_SHARE_AT_60 = conv1_share(60.0)

CHECKS = [
    (ex.check_tanh_gradient, TANH_SLOPE_AT_MINUS_3, 1 - math.tanh(3.0)),  # 1 − tanh, not squared
    (ex.check_saturation_edge, HALF_GRADIENT_EDGE, 0.5),  # the level itself
    (ex.check_gradient_through_layers, THROUGH_FIVE_AT_1, 5 * sech2(1.0)),  # added, not multiplied
    # forgot the √363: one product's spread, 0.01 · 60 = 0.6, almost never beyond the edge
    (ex.check_paper_regime_saturation, CONV1_SHARE_AT_60, gaussian_share_beyond(SATURATION_EDGE, 0.6)),
]


def test_the_hand_derivations():
    assert math.isclose(TANH_SLOPE_AT_MINUS_3, 1 - math.tanh(-3.0) ** 2)
    assert math.isclose(sech2(HALF_GRADIENT_EDGE), 0.5) and round(HALF_GRADIENT_EDGE, 4) == 0.8814
    assert round(THROUGH_FIVE_AT_1, 5) == 0.01307


def test_tanh_gradient():
    assert ex.check_tanh_gradient(0.00987)  # 3 significant digits are enough
    assert not ex.check_tanh_gradient(-TANH_SLOPE_AT_MINUS_3)  # a slope of tanh is never negative
    assert not ex.check_tanh_gradient(0.0)  # ReLU's slope at −3, not tanh's
    assert "passes on nothing" in repr(ex.check_tanh_gradient(TANH_SLOPE_AT_MINUS_3))
    at_2 = ex.check_tanh_gradient(sech2(2.0), x=2.0)
    assert at_2 and "7.1% of the gradient a ReLU would" in repr(at_2)
    assert ex.check_tanh_gradient(1.0, x=0)  # ReLU's slope at 0 is 0 in PyTorch: no division by it
    assert "Not answered" in repr(ex.check_tanh_gradient(None))


def test_saturation_edge_at_other_levels():
    assert ex.check_saturation_edge(0.88)
    assert ex.check_saturation_edge(math.acosh(math.sqrt(10)), level=0.1)  # tanh'(x) = 0.1: 1.818
    assert not ex.check_saturation_edge(math.atanh(0.5))  # tanh(x) = 0.5 instead of its slope


def test_gradient_through_layers():
    assert not ex.check_gradient_through_layers(1.0)
    assert ex.check_gradient_through_layers(1.0, x=0.0)  # tanh'(0) = 1: the linear regime
    assert ex.check_gradient_through_layers(sech2(2.0) ** 3, x=2.0, layers=3)


@pytest.mark.parametrize("input_std", [30.0, 60, 120.0])
def test_paper_regime_share_matches_the_gaussian_estimate(input_std):
    measured = ex.paper_conv1_saturation(float(input_std))
    sigma = math.sqrt(11 * 11 * 3) * 0.01 * input_std
    assert measured["std"] == pytest.approx(sigma, rel=0.02)
    assert measured["saturated"] == pytest.approx(conv1_share(input_std), abs=0.005)
    verdict = ex.check_paper_regime_saturation(conv1_share(input_std), input_std=input_std)
    assert verdict and f"{measured['saturated']:.3f}" in repr(verdict)  # the measured share is shown


def test_paper_regime_default_explains_with_the_measured_share():
    assert round(CONV1_SHARE_AT_60, 3) == 0.817 and round(SATURATION_EDGE, 3) == 2.647
    verdict = repr(ex.check_paper_regime_saturation(0.82))
    assert verdict.startswith("Correct:") and "363" in verdict and "2.647" in verdict
    # the edge of slope 0.1 (|x| > 1.818) instead of |tanh| > 0.99 gives 0.874: too high
    wrong = ex.check_paper_regime_saturation(conv1_share(60.0 * SATURATION_EDGE / math.acosh(math.sqrt(10))))
    assert not wrong and "too high" in repr(wrong)


@pytest.mark.parametrize("check, settings", [
    (ex.check_tanh_gradient, {"x": float("nan")}), (ex.check_tanh_gradient, {"x": "two"}),
    (ex.check_saturation_edge, {"level": 0}), (ex.check_saturation_edge, {"level": 1}),
    (ex.check_saturation_edge, {"level": -0.5}), (ex.check_gradient_through_layers, {"layers": 0}),
    (ex.check_gradient_through_layers, {"layers": 2.5}),
    (ex.check_gradient_through_layers, {"x": float("inf")}),
    (ex.check_paper_regime_saturation, {"input_std": 0}),
    (ex.check_paper_regime_saturation, {"input_std": -1}),
])
def test_impossible_settings_get_a_message_not_an_exception(check, settings):
    verdict = check(1, **settings)
    assert not verdict and repr(verdict).startswith("Cannot check this: ")
