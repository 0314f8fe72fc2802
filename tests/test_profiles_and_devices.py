"""Profile selection and device fallback."""

from __future__ import annotations

import pytest
import torch

import alexnet_course as ac
from alexnet_course import devices, profiles


def test_environment_variable_selects_the_profile(monkeypatch):
    monkeypatch.setenv(profiles.ENV_VAR, "smoke")
    assert ac.profile().name == "smoke"
    monkeypatch.setenv(profiles.ENV_VAR, "GPU")
    assert ac.profile().name == "gpu"


def test_argument_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv(profiles.ENV_VAR, "smoke")
    assert ac.profile("cpu").name == "cpu"
    assert ac.profile(profiles.PROFILES["gpu"]) is profiles.PROFILES["gpu"]


@pytest.mark.parametrize("cuda, expected", [(True, "gpu"), (False, "cpu")])
def test_default_follows_cuda(monkeypatch, cuda, expected):
    monkeypatch.delenv(profiles.ENV_VAR, raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    assert ac.profile().name == expected


def test_unknown_profile_names_the_choices(monkeypatch):
    monkeypatch.setenv(profiles.ENV_VAR, "laptop")
    with pytest.raises(ValueError, match=r"'laptop' \(from the environment variable "
                                         r"ALEXNET_COURSE_PROFILE\).*smoke, cpu, gpu"):
        ac.profile()


def test_profiles_grow_from_smoke_to_gpu():
    smoke, cpu, gpu = (profiles.PROFILES[n] for n in ("smoke", "cpu", "gpu"))
    assert smoke.train_samples < 60_000 and cpu.train_samples is None
    assert smoke.epochs < cpu.epochs
    assert gpu.image_size == gpu.full_image_size == 224  # full AlexNet only on the GPU
    # smoke must stay a strict subset that still holds every class
    assert smoke.train_samples % 10 == 0 and smoke.test_samples % 10 == 0


@pytest.fixture
def no_accelerators(monkeypatch):
    monkeypatch.delenv(devices.ENV_VAR, raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(devices, "_mps_available", lambda: False)


def test_falls_back_to_cpu(no_accelerators):
    assert ac.device() == torch.device("cpu")
    assert devices.describe(torch.device("cpu")).startswith("cpu: ")


def test_prefers_cuda_then_mps(no_accelerators, monkeypatch):
    monkeypatch.setattr(devices, "_mps_available", lambda: True)
    assert ac.device().type == "mps"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert ac.device().type == "cuda"


def test_asking_for_a_missing_gpu_is_an_error(no_accelerators, monkeypatch):
    with pytest.raises(RuntimeError, match="CUDA is not available"):
        ac.device("cuda")
    monkeypatch.setenv(devices.ENV_VAR, "mps")
    with pytest.raises(RuntimeError, match="MPS is not available"):
        ac.device()
    monkeypatch.setenv(devices.ENV_VAR, "cpu")
    assert ac.device() == torch.device("cpu")


def test_seed_everything_makes_draws_repeat():
    import random

    import numpy as np

    gen = ac.seed_everything(7)
    first = (random.random(), np.random.rand(), torch.rand(3), torch.rand(2, generator=gen))
    gen = ac.seed_everything(7)
    second = (random.random(), np.random.rand(), torch.rand(3), torch.rand(2, generator=gen))
    assert first[:2] == second[:2]
    assert torch.equal(first[2], second[2]) and torch.equal(first[3], second[3])
