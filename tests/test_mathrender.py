"""The book's formulas: found outside code, rendered by KaTeX, safe inside markdown."""

from __future__ import annotations

import shutil

import pytest

from tools import mathrender


def test_finds_inline_and_display_math_but_not_code():
    text = ("Size $o = n$ and `$HOME` and\n```\necho $PATH $USER\n```\n"
            "$$\\frac{a}{b}\n+ 1$$ then $x_1$.")
    found = mathrender.find_math(text)
    assert [(m.tex, m.display) for m in found] == [
        ("o = n", False), ("\\frac{a}{b}\n+ 1", True), ("x_1", False)]
    assert all(text[m.start:m.end].startswith("$") for m in found)


def test_inline_math_does_not_cross_a_blank_line_or_start_with_a_space():
    assert mathrender.find_math("costs $ 5 and $6") == []
    assert mathrender.find_math("$a\n\nb$") == []
    assert [m.tex for m in mathrender.find_math("$a\nb$")] == ["a\nb"]


def test_protect_escapes_markdown_only_between_tags():
    html = '<span class="mord mathnormal">a_b*c</span><span style="x:1">[d]</span>'
    protected = mathrender._protect(html)
    assert 'class="mord mathnormal"' in protected and 'style="x:1"' in protected
    assert "_" not in protected.split(">", 1)[1] and "*" not in protected
    assert "&#95;" in protected and "&#42;" in protected and "&#91;d&#93;" in protected


needs_node = pytest.mark.skipif(not (shutil.which("node") and shutil.which("npm")),
                                reason="KaTeX runs under Node.js; node/npm are not installed")


@pytest.fixture(scope="module")
def katex():
    return mathrender.install_katex()


@needs_node
def test_katex_is_the_pinned_release(katex):
    import json

    assert json.loads((katex / "package.json").read_text())["version"] == mathrender.katex_version()
    assert (katex / "dist" / "katex.min.css").is_file()


@needs_node
def test_render_markdown_replaces_every_formula(katex):
    [out] = mathrender.render_markdown(
        ["$o = \\lfloor (n - k)/s \\rfloor + 1$ and\n\n$$\\sum_{i=1}^{n} a_i^2$$\n\n`$x$`"], katex)
    assert out.count('class="katex"') == 2 and out.count('class="katex-display"') == 1
    assert "`$x$`" in out  # code untouched
    assert "$o" not in out and "$$" not in out


@needs_node
def test_a_formula_katex_cannot_parse_is_refused_by_name(katex):
    with pytest.raises(mathrender.MathError, match=r"\\notacommand"):
        mathrender.render([("\\notacommand{x}", False)], katex)
