"""Which package modules each lesson uses, read off the notebook's own imports: the README's
map from lesson to notebook to code (``python -m tools.lesson_map`` prints it; a test holds
the README to it).

>>> modules_of("04_local_response_normalization.ipynb")[:3]
['exercises/lrn', 'experiments/lrn', 'layers']
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import json
import types
from pathlib import Path

from alexnet_course.lessons import LESSONS

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
PACKAGE = "alexnet_course"


def _home(module: str, name: str) -> str:
    """The module that defines ``module.name``: a submodule itself, else where a function or
    class was written (``plots.image_grid`` lives in ``plots.shared``), else ``module``."""
    if importlib.util.find_spec(module).submodule_search_locations is not None and \
            importlib.util.find_spec(f"{module}.{name}") is not None:
        return f"{module}.{name}"  # a submodule, whether imported by the package yet or not
    found = getattr(importlib.import_module(module), name)
    if isinstance(found, types.ModuleType):
        return found.__name__
    home = getattr(found, "__module__", None)
    return home if isinstance(home, str) and home.startswith(PACKAGE) else module


def _imported(tree: ast.AST) -> set[str]:
    """Dotted names of the package's modules that ``tree`` imports (not the package itself)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith(f"{PACKAGE}.")}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(PACKAGE):
            for alias in node.names:
                found.add(_home(node.module, alias.name))
    return found - {PACKAGE}


def modules_of(notebook: str) -> list[str]:
    """The package modules whose code a notebook imports, as paths below ``alexnet_course/``
    without ``.py``, sorted."""
    cells = json.loads((NOTEBOOKS / notebook).read_text())["cells"]
    names = set()
    for cell in cells:
        if cell["cell_type"] == "code":
            # IPython magics and shell lines are not Python.
            code = "\n".join(line for line in "".join(cell["source"]).splitlines()
                             if not line.lstrip().startswith(("%", "!")))
            names |= _imported(ast.parse(code))
    return sorted(name.removeprefix(f"{PACKAGE}.").replace(".", "/") for name in names)


def readme_table() -> str:
    """The Markdown table: lesson, notebook, the modules it uses (its own topic's first)."""
    rows = ["| lesson | notebook | code it uses (in `alexnet_course/`) |", "|---|---|---|"]
    for item in LESSONS:
        modules = modules_of(item.notebook)
        own = [m for m in modules if item.topic in m.split("/")]
        shown = ", ".join(f"**`{m}`**" for m in own) + (", " if own else "")
        shown += ", ".join(f"`{m}`" for m in modules if m not in own)
        rows.append(f"| {item.number} {item.title} | `{item.notebook}` | {shown} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(readme_table())
