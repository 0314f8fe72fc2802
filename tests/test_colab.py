"""Colab readiness: every notebook opens with the Colab-only set-up cell, and the README
links every notebook to Colab."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager

from alexnet_course import book, colab

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = book.lesson_notebooks()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_notebook_starts_with_the_colab_cell(path):
    nb = nbformat.read(path, as_version=4)
    assert colab.has_first_cell(nb), f"run `python -m alexnet_course.colab notebooks/{path.name}`"
    assert nb.cells[0].outputs == []  # a no-op off Colab
    assert sum("google.colab" in cell.source for cell in nb.cells) == 1


def test_the_colab_cell_is_valid_ipython_and_a_no_op_elsewhere():
    python = TransformerManager().transform_cell(colab.first_cell_source())
    compile(python, "<colab cell>", "exec")
    namespace = {"get_ipython": lambda: pytest.fail("the cell ran a command off Colab")}
    exec(python, namespace)


def test_the_colab_cell_fetches_only_the_repository_and_registry_packages():
    source = colab.first_cell_source()
    urls = re.findall(r"https?://\S+", source)
    assert urls == [f"{colab.repository()}.git"]
    assert not re.search(r"\b(wget|curl|gdown|urlretrieve|download)\b", source)
    assert "--no-deps d2l==1.0.3" in source  # the same pin as pyproject's [tool.alexnet-course]


def test_stamp_inserts_the_cell_and_shifts_execution_counts(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 99 · Test"),
                nbformat.v4.new_code_cell("1 + 1", execution_count=1, outputs=[
                    nbformat.v4.new_output("execute_result", {"text/plain": "2"},
                                           execution_count=1)])]
    path = tmp_path / "99_test.ipynb"
    nbformat.write(nb, path)
    assert colab.stamp(path) and not colab.stamp(path)
    stamped = nbformat.read(path, as_version=4)
    assert colab.has_first_cell(stamped) and stamped.cells[0].execution_count == 1
    assert stamped.cells[2].execution_count == 2
    assert stamped.cells[2].outputs[0].execution_count == 2


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_readme_has_an_open_in_colab_badge_per_notebook(path):
    assert colab.badge_markdown(path.name) in (ROOT / "README.md").read_text()
