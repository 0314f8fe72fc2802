"""Formulas for the book, rendered once at build time with KaTeX, so readers need no network.

mdBook's own math support loads MathJax from a CDN; offline, readers would see raw TeX.
Instead :func:`render_markdown` replaces every ``$...$`` and ``$$...$$`` of a notebook's
markdown with KaTeX's HTML (the page then needs only ``katex.min.css`` and its fonts, shipped
beside the book). KaTeX comes from the npm registry, pinned in ``pyproject.toml``
(``[tool.alexnet-course] katex``), and runs under Node.js once per book.

Finding the formulas is pure Python and skips code:

>>> [(m.tex, m.display) for m in find_math("$o = n$, `$HOME`, and $$\\\\frac{a}{b}$$")]
[('o = n', False), ('\\\\frac{a}{b}', True)]
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Code spans and fenced blocks first, so a `$` inside code is never taken for math; then
# display math (may span lines), then inline math (no blank line inside, no space after the
# opening `$`, as in Jupyter).
_TOKENS = re.compile(
    r"(?P<fence>^```.*?^```)|(?P<code>`[^`\n]+`)"
    r"|\$\$(?P<display>.+?)\$\$"
    r"|\$(?P<inline>[^\s$](?:[^$\n]|\n(?!\s*\n))*?)\$",
    flags=re.DOTALL | re.MULTILINE)

# Markdown would read these inside the HTML's text; as character references it cannot.
_MARKDOWN_SPECIAL = {c: f"&#{ord(c)};" for c in "\\`*_[]|~$"}

_RENDER_JS = r"""
const katex = require("katex");
const items = JSON.parse(require("fs").readFileSync(0, "utf8"));
const out = items.map(([tex, display]) => {
  try {
    return katex.renderToString(tex, {displayMode: display, throwOnError: true});
  } catch (e) {
    return {error: String(e.message)};
  }
});
process.stdout.write(JSON.stringify(out));
"""


class MathError(RuntimeError):
    """KaTeX is not available, or a formula does not parse."""


@dataclass(frozen=True)
class Math:
    """One formula of a markdown text: its TeX, display or inline, and where it sits."""

    tex: str
    display: bool
    start: int
    end: int


def find_math(markdown: str) -> list[Math]:
    """Every formula of ``markdown`` outside code, in order."""
    found = []
    for m in _TOKENS.finditer(markdown):
        if m["display"] is not None:
            found.append(Math(m["display"].strip(), True, m.start(), m.end()))
        elif m["inline"] is not None:
            found.append(Math(m["inline"].strip(), False, m.start(), m.end()))
    return found


def katex_version() -> str:
    """The KaTeX release the book is built with (pinned in ``pyproject.toml``)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return config["tool"]["alexnet-course"]["katex"]


def install_katex(folder: Path = ROOT / "_build" / "katex") -> Path:
    """The pinned KaTeX package, installed from npm into ``folder`` once; its directory."""
    version = katex_version()
    package = folder / "node_modules" / "katex"
    manifest = package / "package.json"
    if manifest.exists() and json.loads(manifest.read_text())["version"] == version:
        return package
    npm = shutil.which("npm")
    if not npm or not shutil.which("node"):
        raise MathError("the book renders formulas with KaTeX under Node.js: install `nodejs` "
                        "and `npm` (e.g. `apt-get install nodejs npm`) and run `make book` again")
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([npm, "install", "--prefix", str(folder), "--no-audit", "--no-fund",
                           "--no-save", f"katex@{version}"], capture_output=True, text=True)
    if done.returncode != 0 or not manifest.exists():
        raise MathError(f"`npm install katex@{version}` failed:\n{done.stderr[-2000:]}")
    return package


def render(formulas: list[tuple[str, bool]], katex: Path) -> list[str]:
    """KaTeX's HTML for each ``(tex, display)``, in one Node.js run."""
    if not formulas:
        return []
    done = subprocess.run(["node", "-e", _RENDER_JS], input=json.dumps(formulas),
                          capture_output=True, text=True,
                          env={**os.environ, "NODE_PATH": str(katex.parent)})
    if done.returncode != 0:
        raise MathError(f"KaTeX did not run:\n{done.stderr[-2000:]}")
    html = json.loads(done.stdout)
    errors = [f"  {tex!r}: {out['error']}" for (tex, _), out in zip(formulas, html)
              if isinstance(out, dict)]
    if errors:
        raise MathError("formulas KaTeX cannot render:\n" + "\n".join(errors))
    return html


def _protect(html: str) -> str:
    """Escape the markdown-special characters in the text between HTML tags."""
    return re.sub(r">([^<]+)<",
                  lambda m: ">" + "".join(_MARKDOWN_SPECIAL.get(c, c) for c in m[1]) + "<", html)


def render_markdown(texts: list[str], katex: Path) -> list[str]:
    """``texts`` with every formula replaced by its rendered HTML (one KaTeX run for all)."""
    found = [find_math(t) for t in texts]
    html = iter(render([(m.tex, m.display) for ms in found for m in ms], katex))
    out = []
    for text, formulas in zip(texts, found):
        pieces, last = [], 0
        for m in formulas:
            pieces += [text[last:m.start], _protect(next(html))]
            last = m.end
        out.append("".join(pieces) + text[last:])
    return out


def copy_stylesheet(katex: Path, dest: Path) -> Path:
    """Copy ``katex.min.css`` and its fonts into ``dest``; the stylesheet's path."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(katex / "dist" / "katex.min.css", dest / "katex.min.css")
    shutil.copytree(katex / "dist" / "fonts", dest / "fonts", dirs_exist_ok=True)
    return dest / "katex.min.css"
