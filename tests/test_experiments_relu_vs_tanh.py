"""Lesson 03's experiment: steps to 25 % training error, ReLU against tanh, in two regimes.
The smoke run is checked for form and for learning; the running error, the saturated share
and the verdicts are checked against numbers worked out by hand."""

import math

import pytest
import torch
from learned import assert_every_run_learned
from torch import nn

from alexnet_course.experiments import relu_vs_tanh as rvt
from alexnet_course.experiments.common import Budget


@pytest.fixture(scope="module")
def smoke():
    return rvt.relu_vs_tanh("smoke", device="cpu")


def test_every_variant_of_every_seed_ran_and_its_curve_is_well_formed(smoke):
    size = rvt.SIZES["smoke"]
    assert smoke.max_steps == size.epochs * size.train_samples // size.batch_size
    assert [(r["seed"], r["regime"], r["activation"], r["lr"]) for r in smoke.rows] == [
        (seed, v.regime, v.activation, v.lr) for seed in range(size.seeds) for v in rvt.VARIANTS]
    for row in smoke.rows:
        steps, errors = zip(*row["curve"])
        assert steps[0] == size.window and all(b - a == size.check_every for a, b in zip(steps, steps[1:]))
        assert all(0 <= e <= 1 for e in errors) and row["steps_run"] == steps[-1] <= smoke.max_steps
        # stopped at the first check at or below 25 %, or ran to the cap
        assert row["steps"] == (steps[-1] if errors[-1] <= 0.25 else None)
        assert all(e > 0.25 for e in errors[:-1])
        if row["activation"] == "tanh":
            assert [s for s, _ in row["saturation"]] == [0, *steps]
            assert all(len(shares) == 3 and all(0 <= s <= 1 for s in shares)
                       for _, shares in row["saturation"])
        else:
            assert row["saturation"] == []


def test_the_smoke_budget_trains_every_variant_past_chance(smoke):
    assert_every_run_learned({(r["regime"], r["activation"], r["lr"], r["seed"]): 1 - r["test_error"]
                              for r in smoke.rows})


def test_the_paper_regime_starts_saturated_and_the_modern_one_does_not(smoke):
    # conv1 pre-activations of standard deviation ≈ 4.5 (paper) put about half beyond ±2.65
    assert smoke.saturation("paper")[0] > 0.3 > 0.01 > smoke.saturation("modern")[0]
    assert len(smoke.verdicts()) == len(rvt.COMPARISONS) + 1
    assert all(v.endswith(".") for v in smoke.verdicts())


def test_a_run_is_reproducible(smoke):
    variant = rvt.VARIANTS[2]
    first = next(r for r in smoke.rows if r["seed"] == 0 and r["lr"] == variant.lr
                 and r["activation"] == variant.activation)
    again = rvt.relu_vs_tanh("smoke", device="cpu", variants=[variant], seeds=1).rows[0]
    assert again["curve"] == first["curve"] and again["saturation"] == first["saturation"]


class _Batches(list):
    """Fixed batches; the loop calls set_epoch before each pass."""

    def set_epoch(self, epoch):
        self.epoch = epoch


def _fixed_net() -> nn.Sequential:
    """Always answers class 0, and its three tanh units see 0, 3 and −3 on every input."""
    net = nn.Sequential(nn.Flatten(), nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 10))
    with torch.no_grad():
        for p in net.parameters():
            p.zero_()
        net[1].bias.copy_(torch.tensor([0.0, 3.0, -3.0]))
        net[3].bias[0] = 1.0
    return net


def test_running_error_is_the_share_wrong_over_the_last_window():
    # lr 0: the net never changes, so each batch's mistakes are its labels that are not 0.
    labels = [[0, 1], [1, 1], [0, 0], [0, 0], [1, 0], [0, 0]]  # wrong: 1, 2, 0, 0, 1, 0
    batches = _Batches((torch.zeros(2, 1, 2, 2), torch.tensor(y)) for y in labels)
    size = Budget(train_samples=12, test_samples=2, epochs=1, seeds=1, check_every=2, window=2)
    run = rvt.train_to_threshold(_fixed_net(), rvt.Variant("modern", "tanh", 0.0), batches, size,
                                 max_steps=6)
    # checks at steps 2, 4, 6 over batches (1, 2), (3, 4), (5, 6): 3/4, 0/4 (stop: 0 ≤ 25 %)
    assert run["curve"] == [(2, 0.75), (4, 0.0)] and run["steps"] == 4 and run["steps_run"] == 4
    # tanh(0) = 0 and |tanh(±3)| = 0.995 > 0.99: two of three units saturated, every time
    assert run["saturation"] == [(0, [2 / 3]), (2, [2 / 3]), (4, [2 / 3])]
    never = rvt.train_to_threshold(_fixed_net(), rvt.Variant("modern", "tanh", 0.0),
                                   _Batches(batches[:2]), size, max_steps=6)
    assert never["steps"] is None and never["steps_run"] == 6  # three passes over two batches


def test_saturated_share_by_hand():
    # |tanh(x)| > 0.99 ⇔ |x| > atanh(0.99) = ½ ln(1.99 / 0.01) = 2.6467; there tanh' < 1 − 0.99² = 0.0199
    edge = 0.5 * math.log(1.99 / 0.01)
    assert 1 / math.cosh(edge) ** 2 == pytest.approx(1 - 0.99 ** 2)
    x = torch.tensor([[0.0, 2.6, -2.7], [5.0, -0.5, 2.65]])  # beyond the edge: −2.7, 5.0, 2.65
    assert rvt.saturated_share(torch.tanh(x)) == pytest.approx(3 / 6)
    assert rvt.saturated_share(torch.tanh(torch.tensor([edge - 1e-3, edge + 1e-3]))) == 0.5


def test_preactivations_have_the_spread_the_initialisations_predict():
    from alexnet_course import data, loaders

    images = data.fashion_mnist("train", "smoke", samples=200)
    x, _ = next(iter(loaders.batches(images, 200, device=torch.device("cpu"), image_size=28)))
    mean_square = x.pow(2).mean().item()

    def rms_over_seeds(regime):  # E[z²] over weight draws: one draw of 16 filters varies a lot
        squares = [rvt.preactivations(regime, x, seed=s)[0].pow(2).mean().item() for s in range(10)]
        return math.sqrt(sum(squares) / len(squares))

    # E[z²] = 25 · Var(w) · E[x²] + E[b²]; the padding's zeros make it a little smaller at the border.
    # paper: w ~ N(0, 0.01²), b = 0, pixels on the 0–255 scale
    assert rms_over_seeds("paper") == pytest.approx(
        math.sqrt(25 * 0.01 ** 2 * rvt.RAW_SCALE ** 2 * mean_square), rel=0.1)
    # PyTorch's default: w ~ U(±1/√25) and b ~ U(±1/√25), variance (1/5)² / 3 = 1/75 each
    assert rms_over_seeds("modern") == pytest.approx(math.sqrt(25 / 75 * mean_square + 1 / 75), rel=0.1)
    assert [p.shape[1:] for p in rvt.preactivations("paper", x)] == [(16, 28, 28), (16, 13, 13), (32, 6, 6)]


def _fabricated(steps: dict[str, list], cap: int = 1000) -> rvt.ReluVsTanh:
    """A result whose runs of each variant label took ``steps`` (one entry per seed)."""
    size = rvt.SIZES["cpu"]
    by_label = {v.label: v for v in rvt.VARIANTS}
    rows = [dict(regime=by_label[label].regime, activation=by_label[label].activation,
                 lr=by_label[label].lr, seed=seed, steps=s, saturation=[])
            for label, per_seed in steps.items() for seed, s in enumerate(per_seed)]
    return rvt.ReluVsTanh("cpu", size, cap, rows)


SHARED = rvt.COMPARISONS[0]  # paper regime, tanh and ReLU at 3e-3


def test_verdict_up_gives_the_back_transformed_interval():
    # tanh/ReLU = 4, 8, 8, 4: log2 differences 2, 3, 3, 2, mean 2.5, sd 0.5774, n 4,
    # t(0.975, 3) = 3.1824: half-width 3.1824 × 0.5774 / 2 = 0.9187, interval [1.58, 3.42];
    # 2^2.5 = 5.66, 2^1.5813 = 2.99, 2^3.4187 = 10.69.
    result = _fabricated({"paper ReLU lr 0.003": [50, 50, 100, 100],
                          "paper tanh lr 0.003": [200, 400, 800, 400]})
    verdict = result.verdict(SHARED)
    assert verdict.startswith(f"{SHARED.label}: ReLU reached 25% training error sooner (")
    assert "+2.50, 95 % interval [+1.58, +3.42] over 4 paired seeds" in verdict
    assert "tanh/ReLU = 5.66×, 95 % interval 2.99× to 10.69× (paper, CIFAR-10: about 6×)." in verdict
    assert "left out" not in verdict


def test_verdict_down_and_no_difference():
    down = _fabricated({"paper ReLU lr 0.003": [100, 120, 90],
                        "paper tanh lr 0.003": [50, 55, 50]}).verdict(SHARED)
    assert "tanh reached 25% training error sooner" in down
    same = _fabricated({"paper ReLU lr 0.003": [100, 120, 90],
                        "paper tanh lr 0.003": [110, 100, 95]}).verdict(SHARED)
    assert "no difference this run can show" in same and "over 3 paired seeds" in same


def test_runs_that_never_reached_the_threshold_are_counted_not_imputed():
    # seed 2's tanh never got there: the three other seeds give the ratio, 4× each
    partly = _fabricated({"paper ReLU lr 0.003": [50, 60, 70, 80],
                          "paper tanh lr 0.003": [200, 240, None, 320]}, cap=900).verdict(SHARED)
    assert "+2.00, 95 % interval [+2.00, +2.00] over 3 paired seeds" in partly
    assert partly.endswith("left out: 1 of 4 seeds, 1 where tanh stayed above 25% training error "
                           "for all 900 steps, so the ratio understates ReLU's lead.")
    never = _fabricated({"paper ReLU lr 0.003": [50, 60, 75],
                         "paper tanh lr 0.003": [None, None, None]}, cap=900).verdict(SHARED)
    # 900 / 75 = 12: on every seed tanh took over 12 times ReLU's steps
    assert "ReLU reached 25% training error in 3 of 3 seeds (at most 75 steps), tanh in none " \
           "within 900 steps: tanh/ReLU was over 12.0×" in never
    reversed_ = _fabricated({"paper ReLU lr 0.003": [None, None],
                             "paper tanh lr 0.003": [400, None]}).verdict(SHARED)
    assert "the opposite of the paper" in reversed_ and "1 of 2 seeds" in reversed_
    neither = _fabricated({"paper ReLU lr 0.003": [None], "paper tanh lr 0.003": [None]}).verdict(SHARED)
    assert "neither activation reached 25% training error within 1,000 steps" in neither


def test_saturation_sentence_averages_the_first_and_last_checks():
    result = _fabricated({"paper tanh lr 0.003": [None, None], "modern tanh lr 0.03": [None]})
    first, second, modern = result.rows
    first["saturation"] = [(0, [0.5, 0.0, 0.0]), (5, [0.7, 0.1, 0.0])]
    second["saturation"] = [(0, [0.7, 0.0, 0.02]), (5, [0.9, 0.3, 0.0])]
    modern["saturation"] = [(0, [0.0, 0.0, 0.0]), (5, [0.01, 0.0, 0.0])]
    assert result.saturation("paper") == pytest.approx([0.6, 0.0, 0.01])
    assert result.saturation("paper", "end") == pytest.approx([0.8, 0.2, 0.0])
    assert result.saturation("paper", "end", lr=0.003) == pytest.approx([0.8, 0.2, 0.0])
    assert result.saturation("paper", lr=0.03) == []  # no such runs
    assert "paper regime 60%, 0%, 1%; modern regime 0%, 0%, 0%." in result.saturation_sentence()


def test_figure1_net_shapes():
    for act in (nn.ReLU, nn.Tanh):
        net = rvt.figure1_net(act)
        assert net(torch.zeros(3, 1, 28, 28)).shape == (3, 10)
        assert sum(isinstance(m, act) for m in net) == 3


def test_paper_initialisation_draws_small_weights_and_zero_biases():
    torch.manual_seed(0)
    net = rvt.regime_net("ReLU", rvt.REGIMES["paper"])
    weighted = [m for m in net if isinstance(m, (nn.Conv2d, nn.Linear))]
    weights = torch.cat([m.weight.flatten() for m in weighted])
    assert weights.std().item() == pytest.approx(0.01, rel=0.05)
    assert all(torch.equal(m.bias, torch.zeros_like(m.bias)) for m in weighted)
