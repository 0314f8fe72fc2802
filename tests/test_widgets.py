"""The output-size explorer: every slider position is handled, and what it says is what PyTorch does."""

from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from torch import nn  # noqa: E402

from alexnet_course.arithmetic import conv_output_size, pool_output_size  # noqa: E402
from alexnet_course.widgets import OutputSizeExplorer, View, output_size_explorer  # noqa: E402

SLIDERS = ("n", "kernel", "stride", "padding", "dilation")


@pytest.fixture(scope="module")
def explorer() -> OutputSizeExplorer:
    return output_size_explorer()


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _extremes(explorer) -> dict[str, tuple[int, int]]:
    return {name: (explorer.controls[name].min, explorer.controls[name].max) for name in SLIDERS}


def _pytorch_size(n, kernel, stride, padding, dilation, layer, ceil_mode):
    """PyTorch's output width for an n x n input, or None when it refuses the setting."""
    if layer == "max-pool":
        module = nn.MaxPool2d(kernel, stride, padding, dilation, ceil_mode=ceil_mode)
    else:
        module = nn.Conv2d(1, 1, kernel, stride, padding, dilation)
    try:
        with torch.no_grad():
            return module(torch.zeros(1, 1, n, n)).shape[-1]
    except RuntimeError:
        return None


def _check(view: View, values: dict) -> None:
    """A view is a message and, exactly when the setting is possible, a figure of the right size."""
    expected = _pytorch_size(**values)
    assert view.ok == (expected is not None), view.text
    if expected is None:
        assert view.text.startswith("Impossible: ") and "PyTorch refuses too: " in view.text
        assert view.figure is None and view.output_size is None
        assert "Traceback" not in view.text
    else:
        size = (pool_output_size(values["n"], values["kernel"], values["stride"], values["padding"],
                                 values["dilation"], values["ceil_mode"])
                if values["layer"] == "max-pool" else
                conv_output_size(values["n"], values["kernel"], values["stride"], values["padding"],
                                 values["dilation"]))
        assert view.output_size == size == expected
        assert view.lines[0] == f"Output size: {size} × {size}"
        assert view.lines[1].endswith(str(size)) and " agrees: " in view.lines[2]


def test_every_combination_of_slider_extremes_is_a_message_not_an_exception(explorer):
    extremes = _extremes(explorer)
    layers = [("convolution", False), ("max-pool", False), ("max-pool", True)]
    seen = {True: 0, False: 0}
    for combo in itertools.product(*extremes.values()):
        for layer, ceil_mode in layers:
            values = dict(zip(SLIDERS, combo), layer=layer, ceil_mode=ceil_mode)
            view = explorer.update(**values)
            _check(view, values)
            assert (view.figure is not None) == view.ok
            seen[view.ok] += 1
            plt.close("all")
    assert seen[True] and seen[False]  # the corners hold both possible and impossible settings


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_any_slider_position_agrees_with_pytorch(explorer, data):
    values = {name: data.draw(st.integers(low, high), label=name)
              for name, (low, high) in _extremes(explorer).items()}
    values["layer"] = data.draw(st.sampled_from(OutputSizeExplorer.LAYERS), label="layer")
    values["ceil_mode"] = data.draw(st.booleans(), label="ceil_mode") and values["layer"] == "max-pool"
    _check(explorer.update(**values, draw=False), values)


def test_moving_each_slider_to_its_ends_updates_the_widget():
    widget = output_size_explorer()
    for name in SLIDERS:
        control = widget.controls[name]
        start = control.value
        for value in (control.min, control.max):
            control.value = value  # what dragging the handle does: observers call refresh()
            shown = widget.view
            assert widget.message.value == shown.html
            if shown.ok:
                assert (bytes(widget.picture.value).startswith(b"\x89PNG")
                        and widget.picture.layout.display is None)
            else:
                assert bytes(widget.picture.value) == b"" and widget.picture.layout.display == "none"
                assert shown.html.startswith('<b style="color:#b42318">Impossible: ')
        control.value = start


def test_impossible_setting_shows_the_reason_and_no_picture():
    widget = output_size_explorer(n=4, kernel=11, stride=4, padding=3)
    assert not widget.view.ok and widget.view.figure is None
    assert "kernel 11 with dilation 1 spans 11 pixels but the padded input is only 10" in widget.message.value
    assert ("Kernel size can&#x27;t be greater than actual input size"  # escaped for HTML
            in widget.message.value)
    assert bytes(widget.picture.value) == b""
    widget.controls["n"].value = 5  # 5 + 2·3 = 11 pixels: the kernel just fits
    assert (widget.view.ok and widget.view.output_size == 1
            and bytes(widget.picture.value).startswith(b"\x89PNG"))


def test_pool_padding_above_half_the_kernel_is_explained():
    view = output_size_explorer().update(n=8, kernel=3, stride=2, padding=2, layer="max-pool")
    assert not view.ok and "padding 2 is more than half the kernel 3" in view.text
    assert "pad should be at most half of effective kernel size" in view.text


def test_valid_setting_text_matches_formula_and_conv2d():
    view = output_size_explorer().update(n=227, kernel=11, stride=4, padding=0, dilation=1, draw=False)
    out = nn.Conv2d(3, 96, 11, stride=4)(torch.zeros(1, 3, 227, 227)).shape[-1]
    assert view.output_size == conv_output_size(227, 11, 4) == out
    assert f"Output size: {out} × {out}" in view.text
    assert f"PyTorch's nn.Conv2d agrees: (1, 1, 227, 227) → (1, 1, {out}, {out})." in view.text


def test_ceil_mode_dropped_window_and_unread_pixels_are_reported():
    explorer = output_size_explorer()
    dropped = explorer.update(n=5, kernel=2, stride=2, padding=1, layer="max-pool", ceil_mode=True,
                              draw=False)
    assert dropped.output_size == pool_output_size(5, 2, 2, 1, ceil_mode=True)
    assert "minus the last window, which would start in the right padding" in dropped.text
    skipped = explorer.update(n=10, kernel=3, stride=3, padding=0, draw=False)  # (10 - 3) mod 3 = 1 left over
    assert "1 input pixel of each row never read: 9." in skipped.text


def test_ceil_mode_only_applies_to_pools():
    widget = output_size_explorer()
    assert widget.controls["ceil_mode"].disabled
    widget.controls["layer"].value = "max-pool"
    assert not widget.controls["ceil_mode"].disabled
    widget.controls["layer"].value = "convolution"
    assert widget.controls["ceil_mode"].disabled
    view = widget.update(n=110, kernel=3, stride=2, padding=0, layer="convolution", ceil_mode=True,
                         draw=False)
    assert view.output_size == conv_output_size(110, 3, 2) and not view.ceil_mode


def test_a_bug_in_update_still_shows_a_message_not_a_traceback(monkeypatch):
    widget = output_size_explorer()

    def broken(**values):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(widget, "update", broken)
    widget.controls["n"].value = 9
    assert not widget.view.ok and "Unexpected error (ZeroDivisionError): boom" in widget.message.value
    assert widget.picture.layout.display == "none"


def test_core_modules_never_import_widgets():
    import subprocess
    import sys

    code = ("import alexnet_course, alexnet_course.arithmetic, alexnet_course.plots.arithmetic, "
            "alexnet_course.exercises.arithmetic, alexnet_course.models, sys; "
            "assert 'alexnet_course.widgets' not in sys.modules and 'ipywidgets' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)
