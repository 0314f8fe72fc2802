"""Colab readiness: every notebook opens with one cell that installs the course on Colab only.

Colab starts each notebook on a bare machine with PyTorch but without this package or its
data. The first cell clones the repository (code *and* ``data/``, so nothing else is
fetched), installs it, and moves into ``notebooks/``; anywhere else it does nothing. The
cell's text is generated here, so a test can hold every notebook to it and
``python -m alexnet_course.colab`` can stamp it into a new notebook:

>>> "google.colab" in first_cell_source()
True
>>> badge_url("01_output_size_arithmetic.ipynb").endswith("/blob/main/notebooks/01_output_size_arithmetic.ipynb")
True
"""

from __future__ import annotations

import argparse
import tomllib
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def repository() -> str:
    """The course's public repository (``[project.urls] Repository`` in pyproject.toml)."""
    return _pyproject()["project"]["urls"]["Repository"]


def first_cell_source() -> str:
    """The Colab set-up cell: a no-op unless the kernel runs on Colab without the package."""
    no_deps = " ".join(_pyproject()["tool"]["alexnet-course"]["no-deps"])
    return (
        "# On Colab only: install this course (its code and data) from the repository.\n"
        "import importlib.util, os, sys\n"
        "\n"
        'if "google.colab" in sys.modules and importlib.util.find_spec("alexnet_course") is None:\n'
        f"    !git clone --quiet --depth 1 {repository()}.git alexnet-course\n"
        "    %pip install --quiet -e alexnet-course\n"
        f"    %pip install --quiet --no-deps {no_deps}\n"
        '    sys.path.insert(0, os.path.abspath("alexnet-course"))  # importable without a restart\n'
        "    %cd alexnet-course/notebooks"
    )


def badge_url(notebook: str) -> str:
    """Colab's address for ``notebooks/<notebook>`` on the repository's main branch."""
    path = repository().removeprefix("https://github.com/")
    return f"https://colab.research.google.com/github/{path}/blob/main/notebooks/{notebook}"


def badge_markdown(notebook: str) -> str:
    """The "Open in Colab" badge for the README."""
    return f"[![Open In Colab]({BADGE_IMAGE})]({badge_url(notebook)})"


def has_first_cell(nb: nbformat.NotebookNode) -> bool:
    """Whether the notebook opens with the current Colab cell."""
    return bool(nb.cells) and nb.cells[0].cell_type == "code" and \
        nb.cells[0].source == first_cell_source()


def stamp(path: Path) -> bool:
    """Put the Colab cell first in the notebook at ``path`` (or refresh it); ``True`` if changed.

    The cell prints nothing off Colab, so stamping an executed notebook keeps its outputs:
    the other cells' execution counts move up by one, as if it had been run top to bottom.
    """
    nb = nbformat.read(path, as_version=4)
    if has_first_cell(nb):
        return False
    first = nb.cells[0] if nb.cells else None
    if first is not None and first.cell_type == "code" and "google.colab" in first.source:
        first.source = first_cell_source()
    else:
        for cell in nb.cells:
            if cell.cell_type == "code" and cell.execution_count is not None:
                cell.execution_count += 1
                for out in cell.outputs:
                    if "execution_count" in out:
                        out.execution_count = cell.execution_count
        cell = nbformat.v4.new_code_cell(first_cell_source(), execution_count=1)
        cell.id = "colab-setup"
        nb.cells.insert(0, cell)
    nbformat.write(nb, path)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m alexnet_course.colab",
                                     description="Put the Colab set-up cell first in notebooks.")
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    for path in args.notebooks:
        print(f"{'stamped' if stamp(path) else 'up to date'}  {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
