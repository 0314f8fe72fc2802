"""The built book (``python -m tools.book`` -> ``_build/book/html``) as a reader's browser
shows it, served from localhost with every request to any other host refused (a reader offline):
each chapter answers 200, every image decodes, the math is rendered, every link inside the book
leads to a page (and anchor) that exists, and the page logs no errors.
"""

from __future__ import annotations

import functools
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import nbformat
import pytest

from tools import book, mathrender

from .conftest import ROOT, free_port, new_context, new_page

pytestmark = pytest.mark.browser

HTML = ROOT / "_build" / "book" / "html"
# Run in the page after load: what a reader would see broken.
INSPECT = """async () => {
  await document.fonts.ready;  // KaTeX's fonts: a formula is measured as the reader sees it
  const images = [...document.querySelectorAll('img')];
  images.forEach(img => { img.loading = 'eager'; });
  await Promise.all(images.map(img => img.decode().catch(() => null)));
  const visible = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  return {
    brokenImages: images.filter(img => !(img.complete && img.naturalWidth > 0)).map(img => img.src),
    images: images.map(img => img.src),
    katex: [...document.querySelectorAll('.katex')].filter(visible).length,
    katexFont: document.fonts.check('16px KaTeX_Main'),
    mathErrors: [...document.querySelectorAll('.katex-error')].map(el => el.textContent.slice(0, 80)),
    links: [...document.querySelectorAll('a[href]')].map(a => a.href),
    // Anything wider than the text column runs under the next-chapter arrow: it must scroll.
    overflowing: (() => {
      const right = document.querySelector('main').getBoundingClientRect().right;
      return [...document.querySelectorAll('main > *')]
        .filter(el => el.getBoundingClientRect().right > right + 1)
        .map(el => el.tagName + '.' + el.className + ': ' + el.textContent.slice(0, 60));
    })(),
  };
}"""


def has_math(markdown: str) -> bool:
    return bool(mathrender.find_math(markdown))


def chapter_sources(src: Path) -> dict[str, str]:
    """Each chapter page of the SUMMARY and the markdown it was written from (a notebook's markdown cells)."""
    chapters = {}
    for stem in re.findall(r"\]\(\./([^)]+)\.md\)", (src / "SUMMARY.md").read_text()):
        notebook = ROOT / "notebooks" / f"{stem}.ipynb"
        if notebook.exists():
            cells = nbformat.read(notebook, as_version=4).cells
            chapters[f"{stem}.html"] = "\n\n".join(c.source for c in cells if c.cell_type == "markdown")
        else:
            chapters[f"{stem}.html"] = (src / f"{stem}.md").read_text()
    return chapters


@pytest.fixture(scope="module")
def built_book(browser) -> Path:  # browser first: no build when the tests would skip anyway
    """Build the book once for this module, the way `make book` does."""
    done = subprocess.run([sys.executable, "-m", "tools.book"], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, f"the book did not build:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    assert (HTML / "index.html").is_file()
    return HTML


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest's output for failures
        pass


@pytest.fixture(scope="module")
def server(built_book) -> str:
    """The book served over HTTP on a free localhost port, as a reader's static host would."""
    httpd = ThreadingHTTPServer(("127.0.0.1", free_port()),
                                functools.partial(_Quiet, directory=str(built_book)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@functools.cache
def _fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, ""


def broken_links(links: list[str], base: str) -> list[str]:
    """The links inside the book whose page does not answer 200 or whose anchor is on no element."""
    broken = []
    for link in sorted(set(links)):
        if not link.startswith(base):
            continue  # another site: not the book's to check offline
        address, _, anchor = link.partition("#")
        status, text = _fetch(address)
        if status != 200:
            broken.append(f"{link} (HTTP {status})")
        elif anchor and not re.search(rf'\b(id|name)="{re.escape(urllib.parse.unquote(anchor))}"', text):
            broken.append(f"{link} (no element with id {anchor!r})")
    return broken


@pytest.fixture(scope="module")
def offline(browser, server):
    """A browser context that refuses every request to another host (a reader offline) and lists them."""
    context = new_context(browser)
    host = urllib.parse.urlsplit(server).netloc
    context.refused = []

    def route(route):
        if urllib.parse.urlsplit(route.request.url).netloc == host:
            route.continue_()
        else:
            context.refused.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    yield context
    context.close()


def figures(notebook: Path) -> int:
    """How many pictures the notebook's chapter shows (its stored figures; widgets' too)."""
    return book.chapter_figures(nbformat.read(notebook, as_version=4))


def check_chapter(context, base: str, name: str, markdown: str, artifacts: Path) -> list[str]:
    """Everything wrong with chapter ``name`` as the browser shows it, one line each."""
    page, failed = new_page(context), []
    page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.url} (HTTP {r.status})"))
    context.refused.clear()
    response = page.goto(base + name, wait_until="load")  # "load" waits for the (eager) images too
    seen = page.evaluate(INSPECT)
    page.screenshot(path=artifacts / f"book_{Path(name).stem}.png")
    page.close()
    problems = [] if response.status == 200 else [f"HTTP {response.status}"]
    # sets: mdBook shows each image twice (inline and in its zoom overlay)
    problems += [f"image does not load: {src}" for src in sorted(set(seen["brokenImages"]))]
    problems += [f"request failed: {what}" for what in sorted(set(failed))]
    problems += [f"needs the network: {url}" for url in context.refused]
    if has_math(markdown):
        if seen["katex"] == 0:
            problems.append("its markdown has $ math but the page shows no KaTeX formula")
        if not seen["katexFont"]:
            problems.append("KaTeX's fonts did not load (formulas fall back to system fonts)")
        problems += [f"formula failed to render: {text}" for text in seen["mathErrors"]]
    problems += [f"broken link: {link}" for link in broken_links(seen["links"], base)]
    problems += [f"wider than the text column: {what}" for what in seen["overflowing"]]
    problems += [f"browser says: {error}" for error in page.errors]
    notebook = ROOT / "notebooks" / name.replace(".html", ".ipynb")
    shown = {src for src in seen["images"] if f"/{notebook.stem}_files/" in src}
    if notebook.exists() and len(shown) != figures(notebook):
        problems.append(f"shows {len(shown)} of the notebook's {figures(notebook)} figures")
    return problems


def lesson_pages() -> list[str]:
    return [f"{nb.stem}.html" for nb in book.lesson_notebooks()]


@pytest.mark.parametrize("name", lesson_pages())
def test_lesson_chapter_loads_with_images_math_and_links(offline, server, artifacts, name):
    sources = chapter_sources(book.source_dir())
    assert name in sources, f"{name} is not in the book's SUMMARY"
    problems = check_chapter(offline, server, name, sources[name], artifacts)
    assert not problems, f"{name}:\n" + "\n".join(problems)


def test_every_other_page_of_the_book_loads_cleanly(offline, server, artifacts):
    """The introduction, the solutions, any other chapter of the SUMMARY, and index.html."""
    sources = chapter_sources(book.source_dir())
    others = {name: text for name, text in sources.items() if name not in lesson_pages()}
    others["index.html"] = sources.get("introduction.html", "")
    problems = [f"{name}: {p}" for name, text in others.items()
                for p in check_chapter(offline, server, name, text, artifacts)]
    assert not problems, "\n".join(problems)
