"""The house is easy to walk: one name per lesson topic in every tree, imports that only go
down (notebooks → teaching layer → core → PyTorch), a README map that matches the notebooks,
and a package that finds its data without an editable checkout."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import alexnet_course
from alexnet_course.lessons import LESSONS
from tools import lesson_map

PACKAGE = Path(alexnet_course.__file__).parent
ROOT = PACKAGE.parent
TEACHING = ("experiments", "plots", "exercises")
SHARED = {"__init__", "common", "shared", "core"}  # what a tree's topics share
UPPER = ("plots", "widgets", "experiments", "exercises", "cli", "bench")


def _stems(tree: str) -> set[str]:
    return {p.stem for p in (PACKAGE / tree).glob("*.py")} - SHARED


def test_every_teaching_module_is_named_after_a_lesson_topic():
    topics = {item.topic for item in LESSONS}
    for tree in TEACHING:
        assert _stems(tree) <= topics, f"{tree}/ has modules named after no lesson: {_stems(tree) - topics}"


def test_a_topic_with_an_experiment_or_figures_has_exercises_of_the_same_name():
    for topic in _stems("experiments") | _stems("plots"):
        assert (PACKAGE / "exercises" / f"{topic}.py").is_file(), f"exercises/{topic}.py is missing"


def _imports(path: Path) -> set[str]:
    """Every package module ``path`` imports, at the top or inside a function."""
    module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against this module's package
                parts = module.split(".")[: -node.level]
                base = ".".join(parts + ([base] if base else []))
            found |= {f"{base}.{a.name}" for a in node.names} | {base}
    return {name for name in found if name.split(".")[0] in ("alexnet_course", "tools")}


def _layer(name: str) -> str | None:
    parts = name.split(".")
    if parts[0] == "tools":
        return "tools"
    return parts[1] if len(parts) > 1 and parts[1] in UPPER else None


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_only_go_down(path):
    rel = path.relative_to(PACKAGE).parts
    own = rel[0].removesuffix(".py")
    allowed = {  # which upper layers each layer may use
        "cli": {"experiments", "bench"}, "bench": set(), "widgets": {"plots"},
        "experiments": set(), "plots": set(), "exercises": {"experiments"},
    }.get(own, set())
    bad = {name for name in _imports(path) if (layer := _layer(name)) and layer != own
           and layer not in allowed}
    assert not bad, f"{'/'.join(rel)} imports {sorted(bad)}"


def test_readme_maps_every_lesson_to_its_modules():
    assert lesson_map.readme_table() in (ROOT / "README.md").read_text(), \
        "README's lesson map is stale: paste the output of `python -m tools.lesson_map`"


def test_the_package_finds_the_course_outside_an_editable_install(tmp_path):
    """A copy of the package elsewhere (as ``pip install .`` makes) finds data/ and results/
    from the notebooks folder, through $ALEXNET_COURSE_ROOT, or says how to point it there."""
    shutil.copytree(PACKAGE, tmp_path / "site" / "alexnet_course",
                    ignore=shutil.ignore_patterns("__pycache__"))
    probe = ("import alexnet_course, alexnet_course.data as d, alexnet_course.paths as p;"
             "assert alexnet_course.__file__.startswith(%r);"
             "print(p.course_root(), d.locate_fashion_mnist(), d.photo('chelsea').shape)"
             % str(tmp_path / "site"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALEXNET_COURSE_")}
    env["PYTHONPATH"] = str(tmp_path / "site")

    def run(cwd, **extra):
        return subprocess.run([sys.executable, "-c", probe], cwd=cwd, env={**env, **extra},
                              capture_output=True, text=True, timeout=120)

    from_notebooks = run(ROOT / "notebooks")
    assert from_notebooks.returncode == 0, from_notebooks.stderr
    assert from_notebooks.stdout.startswith(f"{ROOT} {ROOT / 'data'}")
    named = run(tmp_path, ALEXNET_COURSE_ROOT=str(ROOT))
    assert named.returncode == 0 and named.stdout.startswith(str(ROOT)), named.stderr
    lost = run(tmp_path)
    assert lost.returncode != 0 and "ALEXNET_COURSE_ROOT" in lost.stderr
    wrong = run(tmp_path, ALEXNET_COURSE_ROOT=str(tmp_path))
    assert wrong.returncode != 0 and "is not the course's folder" in wrong.stderr
