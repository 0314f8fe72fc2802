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

import yaml

import alexnet_course
import tools

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
    assert re.search(r"-m pytest .*\btests$", made, flags=re.MULTILINE)
    assert re.search(r"/ruff check alexnet_course tests tools$", made, flags=re.MULTILINE)  # the lint
    # The notebooks are compared as the slower CI machines compute (tests nothing else does).
    assert re.search(r"^ONEDNN_MAX_CPU_ISA=AVX2 .*OMP_NUM_THREADS=1 .*-m pytest .*--nbval notebooks$",
                     made, flags=re.MULTILINE)


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


def _committed_problems(path: Path) -> list[str]:
    nb = json.loads(path.read_text())
    problems = [] if re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", path.name) else ["not NN_topic.ipynb"]
    code = [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]
    if [c["execution_count"] for c in code] != list(range(1, len(code) + 1)):
        problems.append("not executed top to bottom: run `make execute`")
    for cell in code:
        if any(o["output_type"] == "error" for o in cell["outputs"]):
            problems.append("an output is an error")
        tags = set(cell.get("metadata", {}).get("tags", []))
        if not tags <= {"nbval-ignore-output", "nbval-skip", "remove-cell"}:
            problems.append(f"unknown tags {tags}")
    # A notebook whose every output is ignored would test nothing.
    compared = [c for c in code if "nbval-ignore-output" not in c.get("metadata", {}).get("tags", [])]
    if len(compared) < len(code) // 2:
        problems.append("most cells must be compared strictly")
    if re.search(r"(/work/|/tmp/|/root/|/home/|C:\\\\)[\w.-]", path.read_text()):
        problems.append("holds a machine-specific path")
    return problems


def test_notebooks_are_committed_executed_in_order_and_portable():
    problems = [f"{path.name}: {p}" for path in NOTEBOOKS for p in _committed_problems(path)]
    assert not problems, "\n".join(problems)


def test_notebooks_import_the_package_not_each_other():
    for path in NOTEBOOKS:
        source = "".join("".join(c["source"]) for c in json.loads(path.read_text())["cells"]
                         if c["cell_type"] == "code")
        assert "import alexnet_course" in source or "from alexnet_course" in source
        assert "%run" not in source and "exec(" not in source


def _modules():
    for package in (alexnet_course, tools):
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            yield importlib.import_module(info.name)


def test_docstring_examples(monkeypatch):
    monkeypatch.delenv("ALEXNET_COURSE_PROFILE", raising=False)
    failed = {module.__name__: result.failed for module in _modules()
              if (result := doctest.testmod(module, optionflags=doctest.ELLIPSIS)).failed}
    assert not failed, f"doctest failures per module: {failed}"


def test_the_lesson_map_matches_the_notebooks_and_the_readme():
    from alexnet_course.lessons import LESSONS
    from tools.colab import badge_markdown

    assert [item.notebook for item in LESSONS] == [path.name for path in NOTEBOOKS]
    readme = (ROOT / "README.md").read_text()
    for item in LESSONS:
        row = f"| `{item.notebook.removesuffix('.ipynb')}` | {item.summary} | "
        assert row + badge_markdown(item.notebook) + " |" in readme, item.number
    tour = json.loads((ROOT / "notebooks" / LESSONS[0].notebook).read_text())
    shown = "".join("".join(out.get("data", {}).get("text/plain", ""))
                    for cell in tour["cells"] if cell["cell_type"] == "code"
                    for out in cell["outputs"])
    assert all(item.notebook in shown for item in LESSONS), "the tour's map misses a lesson"


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _unreadable_outputs(path: Path) -> list[str]:
    problems, pictures = [], []
    for cell in json.loads(path.read_text())["cells"]:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            text = "".join(data.get("text/plain", "")) + "".join(out.get("text", ""))
            if "(children=(" in text:
                problems.append(f"a widget's repr: {text[:60]}")
            if re.search(r"\b0%\|.*\| 0/\d+", text):
                problems.append(f"a progress bar frozen at 0 %: {text[:60]}")
            if WIDGET_VIEW in data and "image/png" not in data and not re.search(r"100%\|", text):
                problems.append("a widget with neither a picture nor a finished text")
            if "image/png" in data:
                pictures.append("".join(data["image/png"]))
    if len(pictures) != len(set(pictures)):
        problems.append("a figure shown twice")
    return problems


def test_committed_outputs_read_well_without_a_kernel():
    """Widgets carry a picture or their finished text; no bar frozen at 0 %; no figure twice."""
    problems = [f"{path.name}: {p}" for path in NOTEBOOKS for p in _unreadable_outputs(path)]
    assert not problems, "\n".join(problems)
