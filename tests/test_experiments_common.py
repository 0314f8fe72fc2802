"""The scaffolding every experiment shares: budgets, paired seeds, one decision rule, one
registry."""

from __future__ import annotations

import importlib
import math

import pytest
import torch

from alexnet_course.experiments import EXPERIMENTS
from alexnet_course.experiments.common import Budget, PairedEffect, paired_effect, run_seeds, seed_values
from alexnet_course.profiles import PROFILES

COUNTS = ("train_samples", "test_samples", "epochs", "seeds")


@pytest.mark.parametrize("name", sorted(EXPERIMENTS))
def test_every_experiment_has_a_budget_per_profile_smallest_in_smoke(name):
    module, entry = EXPERIMENTS[name]
    module = importlib.import_module(f"alexnet_course.experiments.{module}")
    assert callable(getattr(module, entry))
    assert set(module.SIZES) == set(PROFILES)
    assert all(isinstance(size, Budget) for size in module.SIZES.values())
    smoke, cpu = module.SIZES["smoke"].settings(), module.SIZES["cpu"].settings()
    for key in COUNTS:
        if smoke[key] is not None and cpu[key] is not None:
            assert smoke[key] <= cpu[key], key
    # issue 16: every lesson reports its effects with an interval over at least five paired seeds
    assert cpu["seeds"] >= 5


def test_budget_is_built_by_keyword_and_fixed():
    b = Budget(train_samples=100, test_samples=None, epochs=3, seeds=5, widths=(8, 16))
    assert b.settings() == dict(train_samples=100, test_samples=None, epochs=3, seeds=5,
                                batch_size=50, lr=2e-3, widths=(8, 16))
    assert list(b.seed_list) == [0, 1, 2, 3, 4]
    assert b.replace(epochs=4) == Budget(train_samples=100, test_samples=None, epochs=4, seeds=5,
                                         widths=(8, 16))
    with pytest.raises(TypeError):
        Budget(100, None, 3, 5)  # positional: which number is which?
    with pytest.raises(AttributeError, match="fixed"):
        b.epochs = 9
    with pytest.raises(AttributeError, match="no 'hidden'"):
        b.hidden
    with pytest.raises(ValueError, match="seeds"):
        Budget(train_samples=1, test_samples=1, epochs=1, seeds=(0, 1))
    with pytest.raises(ValueError, match="at least 1"):
        Budget(train_samples=1, test_samples=1, epochs=0, seeds=1)


def test_run_seeds_pairs_each_seed_from_the_same_random_state():
    def weights(seed, width):
        return torch.nn.Linear(4, width).weight.detach().clone()

    runs = run_seeds(3, [2, 3], weights)
    assert [(s, v) for s, v, _ in runs] == [(0, 2), (0, 3), (1, 2), (1, 3), (2, 2), (2, 3)]
    by = {(s, v): w for s, v, w in runs}
    for seed in range(3):
        torch.manual_seed(seed)
        assert torch.equal(by[seed, 2], torch.nn.Linear(4, 2).weight)
        # a wider layer of the same seed draws the same numbers first (in its own layout)
        assert not torch.equal(by[seed, 2], by[(seed + 1) % 3, 2])
    assert [s for s, _, _ in run_seeds([4, 7], ["x"], lambda s, v: None)] == [4, 7]


def test_seed_values_orders_by_seed_and_refuses_duplicates():
    rows = [dict(seed=2, v="a", x=3.0), dict(seed=0, v="a", x=1.0), dict(seed=1, v="b", x=9.0)]
    assert seed_values(rows, "x", v="a") == [1.0, 3.0]
    with pytest.raises(ValueError, match="more than one row per seed"):
        seed_values(rows + [dict(seed=2, v="a", x=4.0)], "x", v="a")


def test_paired_effect_uses_the_t_interval():
    # n = 3: t(0.975, 2) = 4.303 (tables); the differences 1, 2, 3 have sd 1, so ± 4.303 / √3.
    effect = PairedEffect((1.0, 2.0, 3.0))
    assert effect.n == 3 and effect.mean == 2.0
    assert math.isclose(effect.half_width, 4.3027 / math.sqrt(3), rel_tol=1e-4)
    assert effect.reading("m", "up", "down").startswith("no difference")  # 2 − 2.48 < 0
    assert PairedEffect((2.0, 2.5, 3.0)).reading("m", "up", "down").startswith("up")  # ± 1.24
    assert PairedEffect((-2.0, -2.5, -3.0)).reading("m", "up", "down").startswith("down")
    assert PairedEffect((0.5,)).reading("m", "up", "down").startswith("one seed")
    assert paired_effect([3.0, 4.0], [1.0, 1.0]).differences == (2.0, 3.0)
    with pytest.raises(ValueError, match="as many"):
        paired_effect([1.0], [1.0, 2.0])




@pytest.mark.parametrize("number", ["03", "04", "05", "06", "07"])
def test_committed_lesson_reports_its_effect_with_an_interval_over_five_seeds(number):
    import json
    import re

    from alexnet_course.lessons import lesson
    from alexnet_course.paths import course_root

    cells = json.loads((course_root() / "notebooks" / lesson(number).notebook).read_text())["cells"]
    printed = "".join("".join(out.get("text", "")) + "".join(out.get("data", {}).get("text/plain", ""))
                      for cell in cells for out in cell.get("outputs", []))
    seeds = [int(n) for n in re.findall(r"95 % interval [^\n]*? over (\d+) paired seeds", printed)]
    assert seeds and min(seeds) >= 5, seeds
