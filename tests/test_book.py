"""The mdBook build: every notebook becomes a chapter, with its figures."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from alexnet_course import book


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.images: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs["src"])
        elif tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])


@pytest.fixture(scope="module")
def html(tmp_path_factory) -> Path:
    return book.build(tmp_path_factory.mktemp("book"))


def _figures(notebook: Path) -> int:
    cells = json.loads(notebook.read_text())["cells"]
    return sum("image/png" in out.get("data", {})
               for c in cells if c["cell_type"] == "code" for out in c["outputs"])


@pytest.mark.parametrize("notebook", book.lesson_notebooks(), ids=lambda p: p.name)
def test_every_notebook_is_a_chapter_with_its_figures(html, notebook):
    page = html / f"{notebook.stem}.html"
    assert page.is_file(), f"{notebook.name} did not become a page"
    parser = _Links()
    parser.feed(page.read_text())
    # mdBook 0.5 writes each image twice (inline and in its zoom overlay): count distinct files.
    local = {src for src in parser.images if not re.match(r"https?:|data:", src)}
    assert len(local) == _figures(notebook)
    for src in local:
        assert (page.parent / src).is_file(), f"{page.name} shows a missing image {src}"


def test_table_of_contents_follows_the_lessons(html):
    toc = (html / "toc.html").read_text() if (html / "toc.html").exists() else ""
    toc += (html / "index.html").read_text()
    positions = [toc.find(f"{nb.stem}.html") for nb in book.lesson_notebooks()]
    assert all(p >= 0 for p in positions) and positions == sorted(positions)


def test_internal_links_resolve(html):
    for page in html.glob("*.html"):
        parser = _Links()
        parser.feed(page.read_text())
        for href in parser.links:
            target = href.split("#")[0]
            if target and not re.match(r"[a-z]+:", target):
                assert (page.parent / target).exists(), f"{page.name} links to missing {href}"


def _text_outside_code(page: Path) -> str:
    text = re.sub(r"<(pre|code)\b.*?</\1>", "", page.read_text(), flags=re.DOTALL)
    return re.sub(r"<[^>]+>", "", text)


@pytest.mark.parametrize("notebook", book.lesson_notebooks(), ids=lambda p: p.name)
def test_formulas_are_rendered_at_build_time_with_no_network(html, notebook):
    page = html / f"{notebook.stem}.html"
    source = "".join(c["source"] if isinstance(c["source"], str) else "".join(c["source"])
                     for c in json.loads(notebook.read_text())["cells"]
                     if c["cell_type"] == "markdown")
    text = page.read_text()
    assert text.count('class="katex"') >= len(book.mathrender.find_math(source))
    assert "katex-error" not in text
    assert not re.search(r"\$[^$\s][^$\n]*\$", _text_outside_code(page)), "raw TeX left"
    # Nothing the page needs comes from the network (links to Colab are fine).
    assert not re.search(r"<(script|link)[^>]+(src|href)=\"https?:", text)
    assert re.search(r'<link rel="stylesheet" href="(\.\./)*katex/katex\.min\.css">', text)
    assert (html / "katex" / "katex.min.css").is_file()
    assert list((html / "katex" / "fonts").glob("KaTeX_Main-Regular.woff2"))


@pytest.mark.parametrize("notebook", book.lesson_notebooks(), ids=lambda p: p.name)
def test_each_chapter_links_to_its_notebook_on_colab(html, notebook):
    text = (html / f"{notebook.stem}.html").read_text()
    assert f'href="{book.colab.badge_url(notebook.name)}"' in text
    assert "google.colab" not in text  # the set-up cell itself is for Colab, not the book


def test_solutions_are_a_separate_section_after_the_lessons(html):
    toc = (html / "toc.html").read_text()
    last_lesson = max(toc.rfind(f"{nb.stem}.html") for nb in book.lesson_notebooks())
    assert toc.rfind("solutions.html") > last_lesson
    solutions = (html / "solutions.html").read_text()
    assert solutions.count("Answer:") >= 2 * len(book.lesson_notebooks())
