"""Colab readiness: every notebook opens with the Colab-only set-up cell (the README's
badges are checked with the lesson map in test_project). The cell itself is run here on a pretend
Colab: a fake ``google.colab`` module, and git and pip replaced by a fake ``subprocess.run`` (no network)."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import re
import subprocess
import sys
import types
from pathlib import Path

import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager

from tools import book, colab

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = book.lesson_notebooks()


def test_every_notebook_starts_with_the_colab_cell():
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        assert colab.has_first_cell(nb), f"run `python -m tools.colab notebooks/{path.name}`"
        assert nb.cells[0].outputs == []  # a no-op off Colab
        assert sum("google.colab" in cell.source for cell in nb.cells) == 1


def test_the_colab_cell_is_valid_ipython_and_a_no_op_elsewhere(monkeypatch):
    python = TransformerManager().transform_cell(colab.first_cell_source())
    compile(python, "<colab cell>", "exec")
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: pytest.fail("the cell ran a command"))
    monkeypatch.setattr(os, "chdir", lambda *a: pytest.fail("the cell changed folder off Colab"))
    namespace = {"get_ipython": lambda: pytest.fail("the cell ran a command off Colab")}
    exec(python, namespace)


def test_the_colab_cell_fetches_only_the_repository_and_registry_packages():
    source = colab.first_cell_source()
    urls = re.findall(r"https?://[^\s\"']+", source)
    assert urls == [f"{colab.repository()}.git"]
    assert not re.search(r"\b(wget|curl|gdown|urlretrieve|download)\b", source)
    assert '{"d2l==1.0.3": "d2l"}' in source  # the same pin as pyproject's [tool.alexnet-course]


def test_the_cell_may_install_pyprojects_dependencies_less_colabs_stack():
    deps, no_deps = colab.installs()
    names = {colab._name(requirement) for requirement in [*deps, *no_deps]}
    assert names.isdisjoint(colab._name(name) for name in colab.COLAB_STACK)
    assert {"tqdm", "scikit-image", "d2l"} <= names and no_deps == {"d2l==1.0.3": "d2l"}
    for module in [*deps.values(), *no_deps.values()]:  # right import names: all installed here
        assert importlib.util.find_spec(module) is not None, module


class PretendColab:
    """A Colab machine for the cell: ``google.colab`` imported, the modules in ``missing`` not
    installed, git and pip faked (``fail`` maps "git" or a pip argument to a failure's stderr)."""

    def __init__(self, clone: Path, monkeypatch):
        self.clone, self.commands, self.chdirs, self.fail = clone, [], [], {}
        deps, no_deps = colab.installs()
        self.module_of = {**deps, **no_deps}
        self.missing = {"alexnet_course", "skimage", "d2l"}
        source = colab.first_cell_source()
        assert source.count(json.dumps(colab.CLONE)) == 1
        self.python = TransformerManager().transform_cell(
            source.replace(json.dumps(colab.CLONE), json.dumps(str(clone))))
        find_spec = importlib.util.find_spec
        monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
        monkeypatch.setattr(importlib.util, "find_spec",
                            lambda name, *a: None if name in self.missing else find_spec(name, *a))
        monkeypatch.setattr(subprocess, "run", self._run)
        monkeypatch.setattr(os, "chdir", self.chdirs.append)
        monkeypatch.setattr(sys, "path", list(sys.path))

    def run_cell(self) -> None:
        exec(self.python, {})

    def stopped(self) -> str:
        """Run the cell, which must stop with its one message; the message."""
        with pytest.raises(SystemExit) as stop:
            self.run_cell()
        return str(stop.value)

    def _run(self, command, **kwargs) -> subprocess.CompletedProcess:
        self.commands.append(list(command))
        error = next((stderr for arg, stderr in self.fail.items() if arg in command), None)
        if error is None and command[0] == "git":
            target = Path(command[-1])
            if target.exists() and any(target.iterdir()):  # as git does
                error = f"fatal: destination path '{target}' already exists and is not empty"
            else:
                (target / ".git").mkdir(parents=True)
                (target / "notebooks").mkdir()
        elif error is None:  # pip: what it installed can be imported now
            self.missing -= {"alexnet_course"} if "-e" in command else \
                {self.module_of[arg] for arg in command if arg in self.module_of}
        return subprocess.CompletedProcess(command, 1 if error else 0, "", error or "")


@pytest.fixture
def pretend_colab(tmp_path, monkeypatch) -> PretendColab:
    return PretendColab(tmp_path / "alexnet-course", monkeypatch)


def test_on_colab_a_failed_clone_stops_with_one_message_before_installing(pretend_colab):
    pretend_colab.fail["git"] = "fatal: unable to access 'https://github.com/': Could not resolve"
    message = pretend_colab.stopped()
    assert message.startswith("Colab set-up stopped: could not clone the course.")
    assert f"$ git clone --quiet --depth 1 {colab.repository()}.git" in message
    assert "Could not resolve" in message and "run this cell again" in message
    assert [command[0] for command in pretend_colab.commands] == ["git"]  # no pip after it
    assert pretend_colab.chdirs == [] and str(pretend_colab.clone) not in sys.path
    assert not pretend_colab.clone.exists()


def test_on_colab_a_failed_install_stops_with_its_message_and_a_rerun_resumes(pretend_colab):
    pretend_colab.fail["-e"] = "ERROR: No matching distribution found for setuptools>=68"
    message = pretend_colab.stopped()
    assert message.startswith("Colab set-up stopped: could not install the course.")
    assert f"-m pip install --quiet --no-deps -e {pretend_colab.clone}" in message
    assert "No matching distribution found for setuptools>=68" in message
    assert pretend_colab.chdirs == [] and str(pretend_colab.clone) not in sys.path

    del pretend_colab.fail["-e"]
    pretend_colab.commands.clear()
    pretend_colab.run_cell()
    assert pretend_colab.commands[0][-3:] == ["--no-deps", "-e", str(pretend_colab.clone)]
    assert not any(command[0] == "git" for command in pretend_colab.commands)  # clone kept
    assert pretend_colab.chdirs == [f"{pretend_colab.clone}/notebooks"]


def test_on_colab_the_cell_installs_only_what_is_missing_and_never_colabs_stack(pretend_colab):
    part = pretend_colab.clone.with_name("alexnet-course.part")
    part.mkdir()
    (part / "half-written").touch()  # a clone cut short: removed and done again
    pretend_colab.run_cell()
    git, course, deps, pinned = pretend_colab.commands
    assert git[:2] == ["git", "clone"] and git[-1] == str(part)
    assert course[-3:] == ["--no-deps", "-e", str(pretend_colab.clone)]
    pins = pretend_colab.clone / ".git" / "colab-stack.txt"
    assert deps[-3:] == ["--constraint", str(pins), "scikit-image>=0.24"]
    assert pinned[-2:] == ["--no-deps", "d2l==1.0.3"]
    stack = re.compile(r"(ipython|ipykernel|ipywidgets|jupyter|notebook|torch|numpy|matplotlib)",
                       re.IGNORECASE)
    assert not any(stack.match(arg) for command in pretend_colab.commands for arg in command)
    # The constraints hold Colab's stack where it is.
    assert f"ipywidgets=={importlib.metadata.version('ipywidgets')}" in pins.read_text().split()
    assert f"torch=={importlib.metadata.version('torch')}" in pins.read_text().split()
    assert pretend_colab.chdirs == [f"{pretend_colab.clone}/notebooks"]
    assert sys.path[0] == str(pretend_colab.clone) and not part.exists()

    pretend_colab.run_cell()  # again, after success: nothing to do
    assert len(pretend_colab.commands) == 4 and sys.path.count(str(pretend_colab.clone)) == 1
    assert pretend_colab.chdirs == [f"{pretend_colab.clone}/notebooks"] * 2


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

