"""Colab readiness: every notebook opens with one cell that installs the course on Colab only.

Colab starts each notebook on a bare machine with PyTorch but without this package or its
data. The first cell clones the repository (code *and* ``data/``, so nothing else is
fetched), installs it, and moves into ``notebooks/``; anywhere else it does nothing. The
cell's text is generated here, so a test can hold every notebook to it and
``python -m tools.colab`` can stamp it into a new notebook:

>>> "google.colab" in first_cell_source()
True
>>> badge_url("01_output_size_arithmetic.ipynb").endswith(
...     "/blob/main/notebooks/01_output_size_arithmetic.ipynb")
True

The cell installs the package with ``--no-deps`` (its ``ipywidgets>=8.1``, ``jupyterlab``
and the like are for local set-ups), then only the dependencies Colab lacks. *Which* it may
install is decided here, from pyproject.toml, when the cell is generated (``[project]
dependencies`` less :data:`COLAB_STACK`, and the ``[tool.alexnet-course] no-deps`` pins), so
the cell lists them plainly and parses nothing. *Whether* to install each is decided when the
cell runs on Colab: only if ``importlib.util.find_spec`` cannot find its module.

>>> installs()[1]
{'d2l==1.0.3': 'd2l'}

Missing dependencies get their own dependencies too, but under constraints that hold Colab's
stack at the versions it has; the no-deps pins go in alone. Each step runs through
``subprocess``, and one that fails stops the cell with one message (what failed, the command,
the end of its output, what to do) instead of a traceback. The clone is renamed into place
only once complete, so running the cell again after a failure resumes it, and after success
changes nothing.
"""

from __future__ import annotations

import argparse
import json
import re
import tomllib
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"
CLONE = "/content/alexnet-course"  # in Colab's working folder, the one its file browser shows

# Colab's own Jupyter, widget and PyTorch stack (distribution names). The cell never installs
# any of it, nor lets pip upgrade it for another package: Colab's widget front-end broke when
# ipywidgets was upgraded under it (googlecolab/colabtools#3020).
COLAB_STACK = ("IPython", "ipykernel", "ipywidgets", "jupyter", "jupyter_client", "jupyterlab",
               "notebook", "torch", "torchvision", "numpy", "matplotlib")
# The dependencies whose module is not named after their distribution.
MODULES = {"scikit-image": "skimage", "pillow": "PIL"}

# The cell, filled in by first_cell_source(). %-placeholders, as the cell is full of braces.
CELL = r"""# On Colab only: install this course (its code and data) from its repository, once.
import importlib.metadata, importlib.util, os, shutil, subprocess, sys

if "google.colab" in sys.modules:
    def _colab_step(what, *command):  # a failure stops the cell with one message, no traceback
        print(f"Colab set-up: {what}")
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode:
            tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-10:])
            raise SystemExit(f"Colab set-up stopped: could not {what}.\n$ {' '.join(command)}\n"
                             f"{tail}\nCheck the connection and run this cell again: it goes on "
                             "where it stopped. If it fails again, use Runtime > Disconnect "
                             "and delete runtime, then run the notebook from the top.")

    def _lacking(modules):  # {requirement: module} -> the requirements whose module is missing
        return [r for r, module in modules.items() if importlib.util.find_spec(module) is None]

    repo = %(clone)s
    if not os.path.isdir(repo):  # the clone gets this name only once it is complete
        shutil.rmtree(repo + ".part", ignore_errors=True)  # one cut short before
        _colab_step("clone the course", "git", "clone", "--quiet", "--depth", "1",
                    %(url)s, repo + ".part")
        os.rename(repo + ".part", repo)
    pip = [sys.executable, "-m", "pip", "install", "--quiet"]
    if importlib.util.find_spec("alexnet_course") is None:
        _colab_step("install the course", *pip, "--no-deps", "-e", repo)
        sys.path.insert(0, repo)  # importable without a restart
    # Then only what Colab lacks, and never its own Jupyter, ipywidgets, torch, numpy or
    # matplotlib (googlecolab/colabtools#3020): left out here, held where they are below.
    lacking = _lacking({%(deps)s})
    if lacking:
        pins = os.path.join(repo, ".git", "colab-stack.txt")  # outside the work tree
        with open(pins, "w") as file:
            for name in (%(stack)s):
                if any(importlib.metadata.distributions(name=name)):  # installed
                    file.write(f"{name}=={importlib.metadata.version(name)}\n")
        _colab_step("install " + " ".join(lacking), *pip, "--constraint", pins, *lacking)
    lacking = _lacking({%(no_deps)s})
    if lacking:  # alone: their own dependencies' pins clash with Colab's (pyproject.toml)
        _colab_step("install " + " ".join(lacking), *pip, "--no-deps", *lacking)
    os.chdir(repo + "/notebooks")"""


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def repository() -> str:
    """The course's public repository (``[project.urls] Repository`` in pyproject.toml)."""
    return _pyproject()["project"]["urls"]["Repository"]


def _name(requirement: str) -> str:
    """A requirement's normalised distribution name (``Scikit_Image>=0.24``: ``scikit-image``)."""
    return re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9._-]+", requirement)[0]).lower()


def installs() -> tuple[dict[str, str], dict[str, str]]:
    """What the cell installs where the module is missing, as ``{requirement: module}``:
    pyproject's dependencies less :data:`COLAB_STACK`, and the no-deps pins."""
    project = _pyproject()
    stack = {_name(name) for name in COLAB_STACK}

    def modules(requirements: list[str]) -> dict[str, str]:
        return {requirement: MODULES.get(_name(requirement), _name(requirement).replace("-", "_"))
                for requirement in requirements if _name(requirement) not in stack}

    return (modules(project["project"]["dependencies"]),
            modules(project["tool"]["alexnet-course"]["no-deps"]))


def _wrapped(items: list[str], indent: int, width: int = 96) -> str:
    """``items`` joined by ", ", in lines of at most ``width`` that go on after ``indent``."""
    lines = [""]
    for item in items:
        if lines[-1] and indent + len(lines[-1]) + len(item) + 2 > width:
            lines[-1] += ","
            lines.append("")
        lines[-1] += (", " if lines[-1] else "") + item
    return ("\n" + " " * indent).join(lines)


def first_cell_source() -> str:
    """The Colab set-up cell: a no-op unless the kernel runs on Colab (see the module's notes)."""
    quoted = json.dumps  # "…", as the rest of the cell
    deps, no_deps = (_wrapped([f"{quoted(req)}: {quoted(module)}" for req, module in pairs.items()],
                              indent=len("    lacking = _lacking({"))
                     for pairs in installs())
    stack = _wrapped([quoted(name) for name in COLAB_STACK],
                     indent=len("            for name in ("))
    return CELL % dict(clone=quoted(CLONE), url=quoted(f"{repository()}.git"), deps=deps,
                       no_deps=no_deps, stack=stack)


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
    parser = argparse.ArgumentParser(prog="python -m tools.colab",
                                     description="Put the Colab set-up cell first in notebooks.")
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    for path in args.notebooks:
        print(f"{'stamped' if stamp(path) else 'up to date'}  {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
