"""The LRN explorer: every slider at its extremes gives a message, never a traceback, and the
values it shows are the course's LocalResponseNorm (and PyTorch's with alpha times n)."""

import itertools

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from alexnet_course.experiments.lrn import conv1_like_activations
from alexnet_course.layers import LocalResponseNorm
from alexnet_course.widgets import LRNExplorer, lrn_explorer


@pytest.fixture(scope="module")
def explorer():
    torch.manual_seed(0)
    return lrn_explorer(activations=torch.relu(torch.randn(8, 6, 6)) * 50)


def _extremes(control):
    return (control.min, control.max)


def test_every_slider_at_its_extremes_never_raises(explorer):
    names = list(explorer.controls)
    for combo in itertools.product(*(_extremes(explorer.controls[n]) for n in names)):
        values = dict(zip(names, combo))
        view = explorer.update(**values, draw=False)
        assert view.lines and isinstance(view.text, str)
        if values["k"] == 0 and values["beta"] > 0:
            assert not view.ok and view.text.startswith("Impossible")
        assert view.ok == (view.output is not None)


def test_moving_the_controls_refreshes_the_view(explorer):
    for name, control in explorer.controls.items():
        for value in _extremes(control):
            control.value = value
            assert "Traceback" not in explorer.message.value
            assert explorer.view is not None and "Unexpected error" not in explorer.view.text
    explorer.controls["k"].value = 2.0
    explorer.controls["beta"].value = 0.75
    assert explorer.view.ok and explorer.picture.value  # a figure is shown


@settings(max_examples=25, deadline=None)
@given(k=st.floats(0.25, 5.0), n=st.integers(1, 16), alpha=st.floats(1e-7, 1.0), beta=st.floats(0.0, 2.0))
def test_values_equal_the_layer_and_pytorch(explorer, k, n, alpha, beta):
    view = explorer.update(k=k, n=n, alpha=alpha, beta=beta, draw=False)
    a = explorer.activations
    assert view.ok and view.torch_equal
    torch.testing.assert_close(view.output, LocalResponseNorm(n, alpha, beta, k)(a[None])[0])
    torch.testing.assert_close(a / view.divisor, view.output)


def test_invalid_values_are_messages():
    explorer = LRNExplorer(activations=torch.ones(4, 2, 2))
    assert "n ≥ 1" in explorer.update(k=2.0, n=0, alpha=1e-4, beta=0.75).text
    assert "must not be negative" in explorer.update(k=-1.0, n=5, alpha=1e-4, beta=0.75).text
    assert explorer.update(k=0.0, n=5, alpha=1e-4, beta=0.0).ok  # beta 0: the identity


def test_default_map_is_the_real_photo_map():
    explorer = lrn_explorer(conv1_like_activations("chelsea", size=48))  # lesson 04's
    view = explorer.update(k=2.0, n=5, alpha=1e-4, beta=0.75, draw=False)
    assert view.ok and view.torch_equal and explorer.activations.shape[0] == 16
    assert view.divisor.max() > 2 ** 0.75 * 1.5  # raw-pixel magnitudes: LRN really divides
