"""The lessons' explorers in a real JupyterLab in headless Chromium: run the notebook, move a slider
with the keyboard as a learner would, and check the displayed message and picture follow.

Every expected message is recomputed in this process from what the page displays (the sliders'
readouts): the output size with ``conv_output_size``, the rest with the package's own explorer.
The picture must change with the setting and be exactly the figure the package draws for it. A
slider whose change stops reaching the kernel, or whose view stops being shown, fails the wait for
the new message (the kernel answers in well under a second; the waits allow 60 s).
"""

from __future__ import annotations

import base64

import matplotlib
import pytest

matplotlib.use("Agg")

from alexnet_course.arithmetic import conv_output_size  # noqa: E402
from alexnet_course.experiments.lrn import conv1_like_activations  # noqa: E402
from alexnet_course.widgets import LRNExplorer, OutputSizeExplorer, figure_png  # noqa: E402

from .conftest import new_context  # noqa: E402

pytestmark = pytest.mark.browser

UPDATE_MS = 60_000
SIZE_SLIDERS = ("n", "kernel", "stride", "padding", "dilation")
LRN_SLIDERS = ("k", "n", "alpha", "beta")

# Polled in the page: None while cells are still running, else {"done": count} or {"error": ...}.
RUN_STATE = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const cells = panel.content.widgets.filter(cell => cell.model.type === 'code');
  for (const cell of cells) {
    const error = cell.model.outputs.toJSON().find(out => out.output_type === 'error');
    if (error) return {error: `${error.ename}: ${error.evalue}`, cell: cell.model.sharedModel.source};
  }
  const idle = panel.sessionContext.session?.kernel?.status === 'idle';
  return idle && cells.every(cell => cell.model.executionCount !== null) ? {done: cells.length} : null;
}"""
KERNEL_READY = """() => {
  const panel = window.jupyterapp?.shell.currentWidget;
  return !!(panel?.content?.widgets?.length && panel.sessionContext?.session?.kernel?.status === 'idle');
}"""
IMAGE_BYTES = """async (img) => {
  const bytes = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
  let text = '';
  for (let i = 0; i < bytes.length; i += 8192) text += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return btoa(text);
}"""


def run_notebook(page, jupyter_lab, name: str):
    """Open ``name`` in JupyterLab, run all its cells (Run > Run All Cells), fail on any error output."""
    base, token = jupyter_lab
    page.goto(f"{base}/lab/tree/{name}?token={token}")
    page.wait_for_function(KERNEL_READY)
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    state = page.wait_for_function(RUN_STATE, polling=500).json_value()
    assert "error" not in state, f"{name}: a cell failed with {state['error']}:\n{state['cell']}"
    assert state["done"] > 0
    return page


@pytest.fixture(scope="module")
def lessons(browser, jupyter_lab):
    """``lessons(name)``: the page of notebook ``name``, run once for the whole module.

    One lesson at a time, when its first test needs it: running both at once gains nothing on
    two cores, and slows the page being tested.
    """
    context = new_context(browser)
    pages = {}

    def open_lesson(name):
        if name not in pages:
            pages[name] = run_notebook(context.new_page(), jupyter_lab, name)
        pages[name].bring_to_front()
        return pages[name]

    yield open_lesson
    context.close()


def explorer(page, css: str):
    box = page.locator(f".{css}")
    box.wait_for(state="visible")
    box.scroll_into_view_if_needed()
    return box


def readout(box, name: str) -> str:
    return box.locator(f".ac-control-{name} .widget-readout").inner_text().strip()


def press(box, name: str, key: str) -> None:
    """Move slider ``name`` with the keyboard: focus its handle and press ``key``."""
    handle = box.locator(f".ac-control-{name} .noUi-handle")
    handle.focus()
    handle.press(key)


def message_lines(box) -> list[str]:
    return box.locator(".ac-explorer-message").inner_text().strip().splitlines()


def wait_for_message(page, box, lines: list[str]) -> None:
    """Wait until the explorer shows exactly ``lines``; fail with what it shows instead."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout  # only where the tests run

    try:
        page.wait_for_function("([el, text]) => el.innerText.trim() === text",
                               arg=[box.locator(".ac-explorer-message").element_handle(), "\n".join(lines)],
                               timeout=UPDATE_MS)
    except PlaywrightTimeout as error:
        raise AssertionError(f"the explorer did not update to {lines!r}; "
                             f"it shows {message_lines(box)!r}") from error


def wait_for_new_picture(page, box, old_src: str | None) -> None:
    """Wait until the picture's ``src`` is no longer ``old_src`` (ipywidgets gives each image a new one)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    img = box.locator("img.ac-explorer-picture")
    try:
        page.wait_for_function("([img, old]) => img.src !== old", arg=[img.element_handle(), old_src],
                               timeout=UPDATE_MS)
    except PlaywrightTimeout as error:
        raise AssertionError("the explorer's message updated but its picture did not") from error


def picture(page, box) -> tuple[str | None, bytes]:
    """The explorer's picture: its ``src`` and PNG bytes (no bytes while it is hidden)."""
    img = box.locator("img.ac-explorer-picture")
    if not img.is_visible():
        return img.get_attribute("src"), b""
    return img.get_attribute("src"), base64.b64decode(page.evaluate(IMAGE_BYTES, img.element_handle()))


def shot(box, artifacts, name: str) -> None:
    box.screenshot(path=artifacts / f"{name}.png")


def target(control, value, key: str):
    """Where ``key`` takes a slider (the ipywidgets ``control``) that stands at ``value``."""
    if key in ("Home", "End"):
        return control.min if key == "Home" else control.max
    return round(value + (control.step if key == "ArrowRight" else -control.step), 6)


def move_and_check(page, box, explorer, read, slider: str, key: str):
    """Press ``key`` on ``slider`` and check the explorer then shows ``explorer.update``'s view.

    ``read(box)`` gives the values the sliders display. A slider already at the end ``key``
    moves towards is first sent to the other end, so that every move is a real change. A
    possible setting must show a new picture, byte for byte the package's figure; an impossible
    one a message and no picture. Returns the view.
    """
    control = explorer.controls[slider]
    before = read(box)
    up = key in ("ArrowRight", "End")
    if before[slider] == (control.max if up else control.min):
        press(box, slider, "Home" if up else "End")
        wait_for_message(page, box, explorer.update(**read(box), draw=False).lines)
        before = read(box)
    old_src, old_png = picture(page, box)
    shown = readout(box, slider)
    press(box, slider, key)
    page.wait_for_function("([el, old]) => el.innerText.trim() !== old",
                           arg=[box.locator(f".ac-control-{slider} .widget-readout").element_handle(), shown],
                           timeout=UPDATE_MS)
    values = {**before, slider: target(control, before[slider], key)}
    assert read(box) == values, f"{key} on {slider} did not move it by one step (or to its end)"
    view = explorer.update(**values)
    wait_for_message(page, box, view.lines)
    if view.ok:
        wait_for_new_picture(page, box, old_src)
        src, png = picture(page, box)
        assert png != old_png, "the picture did not change with the setting"
        assert png == figure_png(view.figure), "the picture is not the package's figure for this setting"
    else:
        assert not box.locator("img.ac-explorer-picture").is_visible()
    return view


def check_impossible(page, box, explorer, read, presses, back, artifacts, name: str) -> None:
    """``presses`` (Home/End keys) lead to an impossible setting: a message, no traceback, no picture;
    the ``back`` press leads to a possible one, and the picture returns."""
    for slider, key in presses:
        press(box, slider, key)
    values = {**read(box), **{s: target(explorer.controls[s], None, k) for s, k in presses}}
    view = explorer.update(**values, draw=False)
    assert not view.ok, f"{values} was meant to be impossible"
    wait_for_message(page, box, view.lines)
    shown = "\n".join(message_lines(box))
    assert shown.startswith("Impossible: ") and "Traceback" not in shown
    assert not box.locator("img.ac-explorer-picture").is_visible()
    shot(box, artifacts, name)
    press(box, *back)
    box.locator("img.ac-explorer-picture").wait_for(state="visible", timeout=UPDATE_MS)


# ----------------------------------------------------------------- lesson 01: the output-size explorer

@pytest.fixture(scope="module")
def size_explorer():
    return OutputSizeExplorer()


def size_values(box) -> dict:
    values = {name: int(readout(box, name)) for name in SIZE_SLIDERS}
    layer = box.locator(".ac-control-layer .mod-active").inner_text().strip()
    ceil_mode = box.locator(".ac-control-ceil_mode input").is_checked()
    return dict(values, layer=layer, ceil_mode=ceil_mode)


def explorer_in(notebook: str, css_class: str):
    """A module-scoped fixture: the notebook run in JupyterLab up to its explorer, and the explorer."""
    @pytest.fixture(scope="module")
    def opened(lessons):
        page = lessons(notebook)
        return page, explorer(page, css_class)
    return opened


lesson01 = explorer_in("01_output_size_arithmetic.ipynb", "ac-output-size-explorer")


def test_output_size_explorer_starts_on_what_the_arithmetic_says(lesson01, size_explorer, artifacts):
    page, box = lesson01
    values = size_values(box)
    assert values["layer"] == "convolution"
    wait_for_message(page, box, size_explorer.update(**values, draw=False).lines)
    size = conv_output_size(*(values[name] for name in SIZE_SLIDERS))
    assert message_lines(box)[0] == f"Output size: {size} × {size}"
    assert picture(page, box)[1].startswith(b"\x89PNG")
    shot(box, artifacts, "01_output_size_explorer_start")


@pytest.mark.parametrize("slider, key", [("n", "ArrowRight"), ("kernel", "End"), ("stride", "ArrowLeft"),
                                         ("dilation", "ArrowRight")])
def test_moving_a_slider_updates_output_size_and_picture(lesson01, size_explorer, artifacts, slider, key):
    page, box = lesson01
    view = move_and_check(page, box, size_explorer, size_values, slider, key)
    if view.ok:  # the headline's number, from the arithmetic itself
        size = conv_output_size(*(view.values[name] for name in SIZE_SLIDERS))
        assert message_lines(box)[0] == f"Output size: {size} × {size}"
    shot(box, artifacts, f"01_output_size_explorer_{slider}_{key}")


def test_impossible_setting_shows_a_message_not_a_traceback(lesson01, size_explorer, artifacts):
    page, box = lesson01
    # n = 1 with no padding is one pixel, narrower than an 11-tap kernel
    check_impossible(page, box, size_explorer, size_values,
                     [("padding", "Home"), ("kernel", "End"), ("n", "Home")],
                     ("kernel", "Home"), artifacts, "01_output_size_explorer_impossible")


# ----------------------------------------------------------------- lesson 04: the LRN explorer

@pytest.fixture(scope="module")
def lrn_explorer():
    return LRNExplorer(conv1_like_activations("chelsea", size=48))  # the map lesson 04 explores


def lrn_values(box) -> dict:
    return {name: (int if name == "n" else float)(readout(box, name)) for name in LRN_SLIDERS}


lesson04 = explorer_in("04_local_response_normalization.ipynb", "ac-lrn-explorer")


def test_lrn_explorer_starts_on_the_papers_setting(lesson04, lrn_explorer, artifacts):
    page, box = lesson04
    values = lrn_values(box)
    assert values == {"k": 2.0, "n": 5, "alpha": 1e-4, "beta": 0.75}  # the paper's k, n, alpha, beta
    wait_for_message(page, box, lrn_explorer.update(**values, draw=False).lines)
    assert picture(page, box)[1].startswith(b"\x89PNG")
    shot(box, artifacts, "04_lrn_explorer_start")


@pytest.mark.parametrize("slider, key", [("beta", "ArrowRight"), ("n", "ArrowRight"), ("k", "ArrowLeft")])
def test_moving_an_lrn_slider_updates_message_and_picture(lesson04, lrn_explorer, artifacts, slider, key):
    page, box = lesson04
    move_and_check(page, box, lrn_explorer, lrn_values, slider, key)
    shot(box, artifacts, f"04_lrn_explorer_{slider}_{key}")


def test_lrn_impossible_setting_shows_a_message_not_a_traceback(lesson04, lrn_explorer, artifacts):
    page, box = lesson04
    # k = 0 with beta > 0 divides 0 by 0 wherever a window's channels are all 0
    check_impossible(page, box, lrn_explorer, lrn_values, [("beta", "End"), ("k", "Home")], ("k", "End"),
                     artifacts, "04_lrn_explorer_impossible")
