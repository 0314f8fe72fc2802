"""Lesson 04 exercises. Every answer is derived here by hand from the paper's formula
b = a / (k + α Σ a²)^β with k = 2, α = 1e-4, β = 0.75, n = 5, and PyTorch's documented
b = a / (k + α/n Σ a²)^β, not by the package's layers."""

import pytest
import torch

from alexnet_course.exercises import lrn as ex

K, ALPHA, BETA, N = 2.0, 1e-4, 0.75, 5


def paper_formula(a: float, window_squares: float) -> float:
    return a / (K + ALPHA * window_squares) ** BETA


# nn.LocalResponseNorm(3, alpha=x) computes x/3 · Σ a²; the paper's formula with n = 3 needs
# α = 2e-4 on the sum, so x / 3 = 2e-4 ⇒ x = 6e-4.
PYTORCH_ALPHA_N3 = 2e-4 * 3
# Channel 0 of 96 with n = 5: the window max(0, 0 − 2) … min(95, 0 + 2) = channels 0, 1, 2.
EDGE_WINDOW = len(range(max(0, 0 - 2), min(95, 0 + 2) + 1))
# Five equal channels a: the middle one's divisor is (k + 5αa²)^β. 10 % above k^β:
# 1 + 5αa²/k = 1.1^(1/β) = 1.1^(4/3), so a = √(k (1.1^(4/3) − 1) / (5α)) ≈ 23.3.
DEPARTURE_A = (K * (1.1 ** (1 / BETA) - 1) / (N * ALPHA)) ** 0.5

CHECKS = [
    (ex.check_pytorch_alpha, PYTORCH_ALPHA_N3, 2e-4),  # alpha as written: the trap
    (ex.check_edge_window, EDGE_WINDOW, 5),  # the full n, unclipped
    (ex.check_divisor_departure, DEPARTURE_A, (K * 0.1 / (N * ALPHA)) ** 0.5),  # β forgotten
]


def test_pytorch_alpha_makes_pytorch_the_paper_formula():
    a = torch.randn(1, 8, 2, 2, dtype=torch.float64) * 40
    theirs = torch.nn.LocalResponseNorm(3, alpha=PYTORCH_ALPHA_N3, beta=BETA, k=K)(a)
    squares = torch.nn.functional.pad(a.pow(2), (0, 0, 0, 0, 1, 1))  # one zero channel each side
    window = squares[:, :-2] + squares[:, 1:-1] + squares[:, 2:]
    torch.testing.assert_close(theirs, a / (K + 2e-4 * window) ** BETA)
    assert not ex.check_pytorch_alpha(2e-4 / 3)  # divided instead of multiplied
    assert ex.check_pytorch_alpha(1e-4 * 5, size=5, alpha=1e-4)  # the paper's own layer
    assert "Not answered" in repr(ex.check_pytorch_alpha(None))


def test_edge_window():
    assert EDGE_WINDOW == 3
    assert ex.check_edge_window(5, channel=10)
    assert ex.check_edge_window(4, channel=1)
    assert ex.check_edge_window(3, channel=95)
    assert ex.check_edge_window(2, channel=0, size=4)  # even n: two before (none here), one after


def test_divisor_departure():
    assert 23.2 < DEPARTURE_A < 23.4
    divisor = (K + ALPHA * N * DEPARTURE_A ** 2) ** BETA
    assert divisor / K ** BETA == pytest.approx(1.1)
    assert ex.check_divisor_departure(23.3)  # as many digits as the answer is given with
    assert not ex.check_divisor_departure((K * (1.1 ** (1 / BETA) - 1) / ALPHA) ** 0.5)  # one channel
    one_percent = (K * (1.01 ** (1 / BETA) - 1) / (N * ALPHA)) ** 0.5
    assert ex.check_divisor_departure(one_percent, departure=0.01) and 7 < one_percent < 8


def equal_channels(a: float) -> float:
    """The middle of five channels all holding a: its window holds all five, Σ a² = 5a²."""
    return paper_formula(a, N * a * a)


def test_lrn_when_doubled_shrinks_past_the_peak():
    # d/da a (k + nαa²)^-β = 0 ⇔ k + nαa² = 2βnαa² ⇔ a² = k / (nα(2β − 1)) = 8000: a ≈ 89.4.
    peak = (K / (N * ALPHA * (2 * BETA - 1))) ** 0.5
    assert 89 < peak < 90 and equal_channels(peak) > equal_channels(peak * 0.99)
    assert equal_channels(200) < equal_channels(100)  # 100 and 200 both past the peak
    verdict = ex.check_lrn_when_doubled("shrink")
    assert verdict and f"{equal_channels(100):.2f}" in repr(verdict)
    assert f"{equal_channels(200):.2f}" in repr(verdict)
    assert ex.check_lrn_when_doubled(" Shrink ")
    wrong = ex.check_lrn_when_doubled("grow")
    assert not wrong and "Hint:" in repr(wrong) and f"{equal_channels(200):.2f}" not in repr(wrong)
    assert ex.lrn_of_equal_channels(100) == pytest.approx(equal_channels(100), rel=1e-12)


@pytest.mark.parametrize("a, expected",
                         [(1.0, "grow"), (30.0, "grow"), (100.0, "shrink"), (1000.0, "shrink")])
def test_lrn_when_doubled_at_other_sizes(a, expected):
    change = equal_channels(2 * a) / equal_channels(a) - 1
    assert ("grow" if change > 0.01 else "shrink" if change < -0.01 else "stay") == expected
    assert ex.check_lrn_when_doubled(expected, a=a)


@pytest.mark.parametrize("check, settings", [
    (ex.check_pytorch_alpha, {"size": 0}), (ex.check_pytorch_alpha, {"size": 2.5}),
    (ex.check_pytorch_alpha, {"alpha": 0}), (ex.check_pytorch_alpha, {"alpha": float("inf")}),
    (ex.check_edge_window, {"channel": 96}), (ex.check_edge_window, {"channel": -1}),
    (ex.check_edge_window, {"channels": 0}), (ex.check_edge_window, {"size": 0}),
    (ex.check_lrn_when_doubled, {"a": 0}), (ex.check_lrn_when_doubled, {"a": float("nan")}),
    (ex.check_divisor_departure, {"departure": 0}), (ex.check_divisor_departure, {"departure": "x"}),
])
def test_impossible_settings_get_a_message_not_an_exception(check, settings):
    verdict = check(1, **settings)
    assert not verdict and repr(verdict).startswith("Cannot check this: ")
