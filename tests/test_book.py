"""The mdBook build: every notebook becomes a chapter with its figures, formulas, outputs set
apart from code, and a link to Colab; an introduction maps the lessons; links resolve."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from alexnet_course.lessons import LESSONS
from tools import book
from tools.explorer import EXPLORER_DIV


class _Page(HTMLParser):
    """The images, links and tables of a page, and the classes of the blocks around each table."""

    def __init__(self):
        super().__init__()
        self.images: list[str] = []
        self.links: list[str] = []
        self.tables_outside_a_frame = 0
        self._open: list[str] = []  # class attributes of the open div elements

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs["src"])
        elif tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "div":
            self._open.append(attrs.get("class") or "")
        elif tag == "table" and not any("nb-html" in c or "table-wrapper" in c for c in self._open):
            self.tables_outside_a_frame += 1

    def handle_endtag(self, tag):
        if tag == "div" and self._open:
            self._open.pop()


def _parse(page: Path) -> _Page:
    parser = _Page()
    parser.feed(page.read_text())
    return parser


@pytest.fixture(scope="module")
def html(tmp_path_factory) -> Path:
    return book.build(tmp_path_factory.mktemp("book"))


def _text_outside_code(page: Path) -> str:
    text = re.sub(r"<(pre|code)\b.*?</\1>", "", page.read_text(), flags=re.DOTALL)
    return re.sub(r"<[^>]+>", "", text)


def _chapter_problems(html: Path, notebook: Path) -> list[str]:
    page = html / f"{notebook.stem}.html"
    if not page.is_file():
        return ["did not become a page"]
    nb = nbformat.read(notebook, as_version=4)
    text, parsed, problems = page.read_text(), _parse(page), []
    # mdBook 0.5 writes each image twice (inline and in its zoom overlay): count distinct files.
    local = {src for src in parsed.images if not re.match(r"https?:|data:", src)}
    if len(local) != book.chapter_figures(nb):
        problems.append(f"shows {len(local)} figures, the notebook holds {book.chapter_figures(nb)}")
    problems += [f"missing image {src}" for src in local if not (page.parent / src).is_file()]
    markdown = "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    if text.count('class="katex"') < len(book.mathrender.find_math(markdown)):
        problems.append("fewer rendered formulas than the notebook's markdown holds")
    if "katex-error" in text or re.search(r"\$[^$\s][^$\n]*\$", _text_outside_code(page)):
        problems.append("a formula did not render")
    # Nothing the page needs comes from the network (links to Colab are fine).
    if re.search(r"<(script|link)[^>]+(src|href)=\"https?:", text):
        problems.append("loads a script or stylesheet from the network")
    if f'href="{book.colab.badge_url(notebook.name)}"' not in text or "google.colab" in text:
        problems.append("no Colab link, or the Colab set-up cell shown")
    if parsed.tables_outside_a_frame:
        problems.append(f"{parsed.tables_outside_a_frame} tables not in a scrolling frame")
    outputs = sum(len(c.outputs) for c in nb.cells if c.cell_type == "code")
    if outputs and 'class="nb-output' not in text:
        problems.append("outputs are not marked as outputs")
    return problems


def test_every_notebook_is_a_chapter_with_its_figures_formulas_and_colab_link(html):
    problems = [f"{nb.name}: {p}" for nb in book.lesson_notebooks()
                for p in _chapter_problems(html, nb)]
    assert not problems, "\n".join(problems)
    assert (html / "katex" / "katex.min.css").is_file()
    assert list((html / "katex" / "fonts").glob("KaTeX_Main-Regular.woff2"))


def test_table_of_contents_follows_the_lessons_with_one_number_each(html):
    toc = (html / "toc.html").read_text()
    positions = [toc.find(f"{nb.stem}.html") for nb in book.lesson_notebooks()]
    assert all(p >= 0 for p in positions) and positions == sorted(positions)
    assert toc.rfind("solutions.html") > max(positions)  # solutions after the lessons
    # The titles carry the lesson number; mdBook must not add its own "1." in front.
    assert not re.search(r"<strong[^>]*>\d+\.</strong>", toc)


def test_introduction_says_what_the_course_is_and_maps_every_lesson(html):
    intro = (html / "introduction.html").read_text()
    for phrase in ("make lab", "Colab", "GPU", "Who it is for"):
        assert phrase in intro
    for item in LESSONS:
        row = re.search(rf'<tr><td><a href="(\./)?{item.notebook.removesuffix(".ipynb")}\.html">'
                        rf'{item.number}</a></td><td>([^<]+)</td>', intro)
        assert row and row.group(2) == item.title, f"lesson {item.number} missing from the map"


def test_lesson_01_embeds_the_javascript_explorer(html):
    page = (html / "01_output_size_arithmetic.html").read_text()
    assert EXPLORER_DIV in page
    assert re.search(r'<script src="[^"]*output_size_explorer[^"]*\.js"', page)


def test_internal_links_resolve(html):
    for page in html.glob("*.html"):
        for href in _parse(page).links:
            target = href.split("#")[0]
            if target and not re.match(r"[a-z]+:", target):
                assert (page.parent / target).exists(), f"{page.name} links to missing {href}"


def test_solutions_are_worked_for_every_lesson(html):
    solutions = (html / "solutions.html").read_text()
    assert solutions.count("Answer:") >= 2 * len(book.lesson_notebooks())
