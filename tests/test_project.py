"""The project's own contracts: install files agree, CI runs the README's test command,
notebooks are committed executed and portable, the docstring examples hold."""

from __future__ import annotations

import doctest
import importlib
import json
import pkgutil
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

import alexnet_course

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def _normalise(requirement: str) -> str:
    name, rest = re.match(r"([A-Za-z0-9_.\-]+)(.*)", requirement.strip()).groups()
    return re.sub(r"[-_.]+", "-", name).lower() + rest.replace(" ", "")


def test_environment_yml_matches_pyproject():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    from_env = {_normalise(r) for r in pip_section if not r.startswith("-e")}
    project = PYPROJECT["project"]
    from_pyproject = {_normalise(r) for r in project["dependencies"]
                      + project["optional-dependencies"]["dev"]}
    assert from_env == from_pyproject
    assert "-e ." in pip_section  # the package itself
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python="))
    minimum = re.search(r">=(\d+\.\d+)", project["requires-python"]).group(1)
    assert python.split("=")[1] >= minimum


def test_no_deps_pins_are_documented_everywhere_they_are_installed():
    pins = PYPROJECT["tool"]["alexnet-course"]["no-deps"]
    assert pins == ["d2l==1.0.3"]
    env_text = (ROOT / "environment.yml").read_text()
    for pin in pins:
        assert f"pip install --no-deps {pin}" in env_text
    # The Makefile reads the pins from pyproject.toml rather than repeating them.
    made = subprocess.run(["make", "-n", "--always-make", ".venv/.installed"], cwd=ROOT,
                          capture_output=True, text=True, check=True).stdout
    assert f"pip install -q --no-deps {' '.join(pins)}" in made


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    commands = re.findall(r"^make (\w+)\s+#", readme, flags=re.MULTILINE)
    assert commands[:2] == ["lab", "test"], "the quick start must be `make lab` then `make test`"
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, flags=re.MULTILINE)
    made = subprocess.run(["make", "-n", "test"], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout
    assert "pytest tests" in made and "pytest --nbval notebooks" in made


def test_console_script_is_declared():
    assert PYPROJECT["project"]["scripts"]["alexnet-course"] == "alexnet_course.cli:main"
    assert (ROOT / "alexnet_course" / "py.typed").exists()


def test_console_script_runs_and_rejects_bad_arguments():
    ok = subprocess.run([sys.executable, "-m", "alexnet_course.cli", "info", "--profile", "smoke"],
                        capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert "profile  Profile(name='smoke'" in ok.stdout and "data     data/fashion-mnist" in ok.stdout
    bad = subprocess.run([sys.executable, "-m", "alexnet_course.cli", "train-everything"],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "usage: alexnet-course" in bad.stderr


def test_data_command_verifies_every_file_and_fails_on_a_corrupt_one(tmp_path):
    ok = subprocess.run([sys.executable, "-m", "alexnet_course.cli", "data"],
                        capture_output=True, text=True)
    assert ok.returncode == 0 and ok.stdout.count("ok  ") == 4 + 5
    for spec in alexnet_course.data.FASHION_MNIST_FILES.values():
        (tmp_path / spec.name).write_bytes(b"\0\0\x08\x01" + bytes(8))
    bad = subprocess.run([sys.executable, "-m", "alexnet_course.cli", "data", "--root",
                          str(tmp_path)], capture_output=True, text=True)
    assert bad.returncode == 1
    assert "alexnet-course: error:" in bad.stderr and "does not hold the expected" in bad.stderr


NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_are_committed_executed_in_order(path):
    nb = json.loads(path.read_text())
    assert re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", path.name)
    code = [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]
    counts = [c["execution_count"] for c in code]
    assert counts == list(range(1, len(code) + 1)), "re-run the notebook top to bottom (make execute)"
    for cell in code:
        assert all(o["output_type"] != "error" for o in cell["outputs"])
        tags = set(cell.get("metadata", {}).get("tags", []))
        assert tags <= {"nbval-ignore-output", "nbval-skip", "remove-cell"}
    # A notebook whose every output is ignored would test nothing.
    compared = [c for c in code if "nbval-ignore-output" not in c.get("metadata", {}).get("tags", [])]
    assert len(compared) >= len(code) // 2, f"{path.name}: most cells must be compared strictly"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_hold_no_machine_specific_paths(path):
    text = path.read_text()
    assert not re.search(r"(/work/|/tmp/|/root/|/home/|C:\\\\)[\w.-]", text)


def test_notebooks_import_the_package_not_each_other():
    for path in NOTEBOOKS:
        source = "".join("".join(c["source"]) for c in json.loads(path.read_text())["cells"]
                         if c["cell_type"] == "code")
        assert "import alexnet_course" in source or "from alexnet_course" in source
        assert "%run" not in source and "exec(" not in source


def _modules():
    for info in pkgutil.walk_packages(alexnet_course.__path__, "alexnet_course."):
        yield importlib.import_module(info.name)


@pytest.mark.parametrize("module", list(_modules()), ids=lambda m: m.__name__)
def test_docstring_examples(module, monkeypatch):
    monkeypatch.delenv("ALEXNET_COURSE_PROFILE", raising=False)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
