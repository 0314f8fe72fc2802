"""The book's solutions section, read off the notebooks and worked by the checks themselves.

An exercise is a notebook cell that calls ``check_<name>(answer_<n>)``; its question is the
markdown just above it. The answer and its derivation come from the same ``check_*``
function that grades the learner (:attr:`Feedback.solution`), so a solution can never
disagree with its check:

>>> find_check("check_zfnet_conv1_size")(None).solution.split(":")[0]
'109'
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass

import nbformat

from alexnet_course.exercises.core import Feedback

_CALL = re.compile(r"\b(check_\w+)\(\s*answer_\w+")
_QUESTION = re.compile(r"\*\*(?:Exercise )?\d+\.\*\*")


@dataclass(frozen=True)
class Exercise:
    """One exercise of a lesson: its question (markdown) and the check that grades it."""

    question: str
    check: str

    def solution(self) -> Feedback:
        return find_check(self.check)(None)


def find_check(name: str):
    """The ``check_*`` function called ``name``, from whichever topic module of
    ``alexnet_course.exercises`` defines it."""
    from alexnet_course import exercises

    for info in pkgutil.iter_modules(exercises.__path__):
        module = importlib.import_module(f"{exercises.__name__}.{info.name}")
        found = getattr(module, name, None)
        if callable(found) and found.__module__ == module.__name__:
            return found
    raise LookupError(f"no exercise check called {name!r} in alexnet_course.exercises")


def _question(markdown: str) -> str:
    """The last numbered question (``**N.**`` or ``**Exercise N.**``) of a markdown cell,
    else all of it."""
    starts = [m.start() for m in _QUESTION.finditer(markdown)]
    return markdown[starts[-1]:].strip() if starts else markdown.strip()


def lesson_exercises(nb: nbformat.NotebookNode) -> list[Exercise]:
    """The exercises of one notebook, in order."""
    found, last_markdown = [], ""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            last_markdown = cell.source
        elif cell.cell_type == "code":
            for name in _CALL.findall(cell.source):
                found.append(Exercise(_question(last_markdown), name))
    return found


def solutions_markdown(lessons: list[tuple[str, nbformat.NotebookNode]]) -> str:
    """The solutions chapter: for each ``(title, notebook)``, every question and its answer."""
    parts = ["# Solutions\n\nTry each exercise in its notebook first: the checks there give "
             "hints without giving the answer away. Every answer below is computed by the "
             "same function that grades yours.\n"]
    for title, nb in lessons:
        exercises = lesson_exercises(nb)
        if not exercises:
            continue
        parts.append(f"## {title}\n")
        for exercise in exercises:
            answer = re.sub(r"([\\`*_\[\]$])", r"\\\1", exercise.solution().solution)
            parts.append(f"{exercise.question}\n\n> **Answer:** {answer}\n")
    return "\n".join(parts)
