"""The book's kernel-free output-size explorer (tools/book_assets/output_size_explorer.js) in
headless Chromium, checked against the Python it copies.

``window.OutputSizeArithmetic`` must give the sizes and the exact error messages of
``conv_output_size`` / ``pool_output_size``, the windows of ``window_layout`` and the message
lines of ``OutputSizeExplorer`` (less PyTorch's verdict). The mounted explorer must follow its
controls, never throw, log no errors and fetch nothing beyond its own page.
"""

from __future__ import annotations

import itertools
import random

import matplotlib
import pytest

matplotlib.use("Agg")

from alexnet_course.arithmetic import conv_output_size, pool_output_size  # noqa: E402
from alexnet_course.plots.arithmetic import window_layout  # noqa: E402
from alexnet_course.widgets import OutputSizeExplorer  # noqa: E402
from tools.explorer import standalone_page  # noqa: E402

from .conftest import new_context, new_page  # noqa: E402

pytestmark = pytest.mark.browser

SLIDERS = ("n", "kernel", "stride", "padding", "dilation")
# Calls from the page: every configuration through the pure functions, in one round trip.
EVALUATE = """(cases) => cases.map(c => {
  const A = window.OutputSizeArithmetic;
  const args = [c.n, c.kernel, c.stride, c.padding, c.dilation];
  const result = c.pool ? A.poolOutputSize(...args, c.ceil_mode) : A.convOutputSize(...args);
  const layout = A.windowLayout(...args, c.pool, c.ceil_mode).layout;
  return {result, lines: A.explain(...args, c.pool, c.ceil_mode).lines,
          windows: layout ? [layout.starts, layout.dropped, layout.neverRead] : null};
})"""
# Every slider setting of both layers through explain(); returns the settings that threw.
SWEEP = """() => {
  const failures = [];
  for (let n = 1; n <= 32; n++) for (let k = 1; k <= 11; k++) for (let s = 1; s <= 8; s++)
    for (let p = 0; p <= 5; p++) for (let d = 1; d <= 4; d++)
      for (const [pool, ceil] of [[false, false], [true, false], [true, true]]) {
        try { window.OutputSizeArithmetic.explain(n, k, s, p, d, pool, ceil); }
        catch (error) { failures.push(`${[n, k, s, p, d, pool, ceil]}: ${error}`); }
      }
  return failures;
}"""
SET_SLIDERS = """(host, values) => {
  for (const [name, value] of Object.entries(values)) {
    const slider = host.querySelector(`.ac-js-${name}`);
    slider.value = value;
    slider.dispatchEvent(new Event('input', {bubbles: true}));
    slider.dispatchEvent(new Event('change', {bubbles: true}));
  }
}"""
SHOWN = """(host) => ({
  lines: [...host.querySelectorAll('.ac-js-message > div')].map(line => line.textContent),
  readouts: [...host.querySelectorAll('.ac-js-readout')].map(out => Number(out.textContent)),
  starts: [...host.querySelectorAll('.ac-js-window:not(.ac-js-dropped)')]
    .map(w => Number(w.dataset.start)),
  dropped: host.querySelectorAll('.ac-js-dropped').length,
  unread: host.querySelectorAll('.ac-js-unread').length,
  picture: host.querySelector('.ac-js-picture').innerHTML,
  ceilDisabled: host.querySelector('.ac-js-ceil').disabled,
  headColour: getComputedStyle(host.querySelector('.ac-js-size')).color,
})"""


def python_result(case: dict) -> dict:
    """What the Python functions say: ``{"ok": True, "size": o}`` or the ValueError's message."""
    args = (case["n"], case["kernel"], case["stride"], case["padding"], case["dilation"])
    try:
        if case["pool"]:
            size = pool_output_size(*args, case["ceil_mode"])
        else:
            size = conv_output_size(*args)
    except ValueError as error:
        return {"ok": False, "message": str(error)}
    return {"ok": True, "size": size}


def widget_lines(explorer: OutputSizeExplorer, case: dict) -> list[str]:
    """The notebook widget's message for ``case``, less PyTorch's verdict (the book has none)."""
    result = python_result(case)
    if not result["ok"]:  # the widget's first line; the layer itself is not asked about odd values
        return [f"Impossible: {result['message']}."]
    values = {name: case[name] for name in SLIDERS}
    view = explorer.update(**values, layer="max-pool" if case["pool"] else "convolution",
                           ceil_mode=case["ceil_mode"], draw=False)
    return [line for line in view.lines if not line.startswith("PyTorch")]


def random_cases(count: int = 600) -> list[dict]:
    """Seeded configurations over and beyond the sliders' ranges, now and then below a minimum."""
    rng = random.Random(0)

    def pick(low: int, high: int) -> int:
        return rng.randint(low - 2, low - 1) if rng.random() < 0.05 else rng.randint(low, high)

    cases = []
    for _ in range(count):
        pool = rng.random() < 0.5
        cases.append(dict(n=pick(1, 40), kernel=pick(1, 12), stride=pick(1, 9), padding=pick(0, 6),
                          dilation=pick(1, 4), pool=pool, ceil_mode=pool and rng.random() < 0.5))
    return cases


# Every small ceil-mode pool: the random ones rarely hit the rule that PyTorch drops a last window
# starting in the right padding; these do 79 times.
CEIL_GRID = [dict(n=n, kernel=k, stride=s, padding=p, dilation=d, pool=True, ceil_mode=True)
             for n, k, s, p, d in itertools.product(range(1, 9), range(1, 5), range(1, 5), range(3),
                                                    (1, 2))]
# Values a caller, not a slider, may pass: Python's repr must show in the message.
ODD_CASES = [
    dict(n=8, kernel=3, stride=None, padding=1, dilation=1, pool=True, ceil_mode=False),
    dict(n=8, kernel=3, stride=None, padding=1, dilation=1, pool=False, ceil_mode=False),
    dict(n=8, kernel=2.5, stride=1, padding=0, dilation=1, pool=False, ceil_mode=False),
    dict(n=8, kernel=3, stride=True, padding=0, dilation=1, pool=True, ceil_mode=True),
    dict(n="8", kernel=3, stride=1, padding=0, dilation=1, pool=False, ceil_mode=False),
    dict(n=8, kernel=3, stride=1, padding=0, dilation=-1.5, pool=True, ceil_mode=False),
]


@pytest.fixture(scope="module")
def explorer_url(tmp_path_factory) -> str:
    return standalone_page(tmp_path_factory.mktemp("js-explorer")).as_uri()


@pytest.fixture
def page(browser, explorer_url):
    """The standalone page, loaded; it collects ``page.errors`` and ``page.requests``."""
    context = new_context(browser)
    page = new_page(context)
    page.requests = []
    page.on("request", lambda request: page.requests.append(request.url))
    page.goto(explorer_url)
    page.wait_for_selector(".ac-js-explorer .ac-js-picture svg")
    yield page
    context.close()


@pytest.fixture(scope="module")
def python_explorer() -> OutputSizeExplorer:
    return OutputSizeExplorer()


def only_local(page, explorer_url: str) -> list[str]:
    """Requests to anything but the page and its two assets (there should be none)."""
    folder = explorer_url.rsplit("/", 1)[0] + "/"
    return [url for url in page.requests if not url.startswith(folder)]


def test_arithmetic_matches_python(page, python_explorer, explorer_url):
    cases = random_cases() + CEIL_GRID + ODD_CASES
    impossible = sum(not python_result(case)["ok"] for case in cases)
    assert len(cases) >= 500 and impossible >= 100, (len(cases), impossible)
    answers = page.evaluate(EVALUATE, cases)
    mismatches = []
    for case, answer in zip(cases, answers):
        expected = python_result(case)
        if answer["result"] != expected:
            mismatches.append(f"{case}: JS {answer['result']} != Python {expected}")
        elif case in ODD_CASES:
            continue  # the widget and window_layout take slider values only
        elif answer["lines"] != (lines := widget_lines(python_explorer, case)):
            mismatches.append(f"{case}: JS lines {answer['lines']} != {lines}")
        elif expected["ok"]:
            args = [case[name] for name in SLIDERS]
            layout = window_layout(*args, pool=case["pool"], ceil_mode=case["ceil_mode"])
            windows = [list(layout.starts), layout.dropped, list(layout.never_read)]
            if answer["windows"] != windows:
                mismatches.append(f"{case}: JS windows {answer['windows']} != {windows}")
    report = "\n".join(mismatches[:10])
    assert not mismatches, f"{len(mismatches)} of {len(cases)} differ, the first:\n{report}"
    assert not page.errors and not only_local(page, explorer_url)


def test_no_slider_setting_throws(page):
    assert page.evaluate(SWEEP) == []


def shown(page) -> dict:
    return page.locator(".ac-js-explorer").evaluate(SHOWN)


def expect_view(page, python_explorer, case: dict) -> dict:
    """The explorer shows what Python computes for ``case``; returns what it shows."""
    view = shown(page)
    assert view["readouts"] == [case[name] for name in SLIDERS]
    assert view["lines"] == widget_lines(python_explorer, case), case
    result = python_result(case)
    if result["ok"]:
        layout = window_layout(*view["readouts"], pool=case["pool"], ceil_mode=case["ceil_mode"])
        assert view["starts"] == list(layout.starts)
        assert view["dropped"] == (layout.dropped is not None)
        assert view["unread"] == len(layout.never_read)
    else:
        assert "<svg" not in view["picture"]
        red, green, blue = map(int, view["headColour"][4:-1].split(","))
        assert red > 2 * max(green, blue), view["headColour"]
    assert view["ceilDisabled"] == (not case["pool"])
    return view


def test_explorer_follows_its_controls(page, python_explorer, explorer_url, artifacts):
    host = page.locator(".ac-js-explorer")
    case = dict(n=8, kernel=3, stride=2, padding=1, dilation=1, pool=False, ceil_mode=False)
    first = expect_view(page, python_explorer, case)
    assert first["lines"][0] == "Output size: 4 × 4"
    host.screenshot(path=artifacts / "js_explorer_start.png")

    page.locator(".ac-js-n").focus()
    page.keyboard.press("ArrowRight")  # as a reader would: n 8 -> 9
    case["n"] = 9
    pictures = [first["picture"], expect_view(page, python_explorer, case)["picture"]]

    settings = [
        (False, False, dict(n=13, kernel=3, stride=1, padding=1, dilation=1)),
        (False, False, dict(n=32, kernel=11, stride=4, padding=2, dilation=1)),
        (False, False, dict(n=10, kernel=3, stride=1, padding=0, dilation=4)),
        (False, False, dict(n=6, kernel=11, stride=4, padding=2, dilation=1)),  # impossible
        (True, True, dict(n=5, kernel=2, stride=2, padding=1, dilation=1)),  # drops a window
        (True, False, dict(n=5, kernel=2, stride=2, padding=1, dilation=1)),
        (True, False, dict(n=8, kernel=3, stride=2, padding=2, dilation=1)),  # impossible
    ]
    for pool, ceil_mode, values in settings:
        page.locator(".ac-js-layer span", has_text="max-pool" if pool else "convolution").click()
        if pool:
            page.locator(".ac-js-ceil").set_checked(ceil_mode)
        host.evaluate(SET_SLIDERS, values)
        case = dict(values, pool=pool, ceil_mode=ceil_mode)
        pictures.append(expect_view(page, python_explorer, case)["picture"])
        if case["pool"] and case["ceil_mode"]:
            host.screenshot(path=artifacts / "js_explorer_dropped_window.png")

    lines = shown(page)["lines"]
    assert lines == ["Impossible: padding 2 is more than half the kernel 3 (at most 1): "
                     "a window could hold only padding."]
    drawn = [picture for picture in pictures if "<svg" in picture]
    assert len(set(drawn)) == len(drawn) == 7, "the picture must change with the setting"
    assert not any("Unexpected" in line or "Traceback" in line for line in lines)
    assert not page.errors, page.errors
    assert not only_local(page, explorer_url)


def test_random_slider_settings_render(page, python_explorer):
    """Seeded slider settings of a ceil-mode max-pool (the layer with the most rules) on the page."""
    rng = random.Random(1)
    host = page.locator(".ac-js-explorer")
    ranges = {"n": (1, 32), "kernel": (1, 11), "stride": (1, 8), "padding": (0, 5),
              "dilation": (1, 4)}
    page.locator(".ac-js-layer span", has_text="max-pool").click()
    page.locator(".ac-js-ceil").check()
    for _ in range(40):
        values = {name: rng.randint(*bounds) for name, bounds in ranges.items()}
        host.evaluate(SET_SLIDERS, values)
        expect_view(page, python_explorer, dict(values, pool=True, ceil_mode=True))
    assert not page.errors, page.errors
