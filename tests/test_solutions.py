"""Exercises: every lesson ends with 2–4 self-checking exercises, and the book's solutions
are worked by the same checks that grade learners (tools/solutions.py)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import nbformat
import pytest

import alexnet_course.exercises as exercises
from alexnet_course.exercises.core import Feedback
from tools import book, solutions


def _all_checks():
    for info in pkgutil.iter_modules(exercises.__path__):
        module = importlib.import_module(f"{exercises.__name__}.{info.name}")
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("check_") and function.__module__ == module.__name__ \
                    and info.name != "core":
                yield name, function


CHECKS = dict(_all_checks())


def test_every_lesson_ends_with_two_to_four_exercises():
    for path in book.lesson_notebooks():
        nb = nbformat.read(path, as_version=4)
        found = solutions.lesson_exercises(nb)
        assert all(exercise.question.startswith("**") for exercise in found)
        if path.name == "11_spot_the_mistake.ipynb":
            # Lesson 11 is built of mistakes, each section with its own exercise.
            assert len(found) == 7
            continue
        assert 2 <= len(found) <= 4, f"{path.name} has {len(found)} exercises"
        last_code = [c for c in nb.cells if c.cell_type == "code"][-1]
        assert found[-1].check in last_code.source, path.name  # the exercises end the lesson


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_every_check_gives_the_book_its_worked_answer(name):
    """The book prints ``check(None).solution``: the answer, then how it is computed. (That the
    answer is right is tested against hand derivations in tests/test_exercises*.py.)"""
    unanswered = CHECKS[name](None)
    assert isinstance(unanswered, Feedback) and not unanswered
    value, _, derivation = unanswered.solution.partition(": ")
    if isinstance(unanswered.expected, str):  # a choice: the right option
        assert value == unanswered.expected
    else:
        assert float(value.replace(",", "")) == pytest.approx(unanswered.expected, rel=1e-5)
    assert derivation == unanswered.explanation and derivation


def test_find_check_names_what_is_missing():
    with pytest.raises(LookupError, match="check_nothing"):
        solutions.find_check("check_nothing")


def test_solutions_chapter_lists_every_exercise_with_its_answer():
    lessons = [(p.stem, nbformat.read(p, as_version=4)) for p in book.lesson_notebooks()]
    text = solutions.solutions_markdown(lessons)
    total = sum(len(solutions.lesson_exercises(nb)) for _, nb in lessons)
    assert text.count("> **Answer:**") == total
    assert all(f"## {stem}" in text for stem, nb in lessons if solutions.lesson_exercises(nb))


def answer_forms(value: float) -> set[str]:
    """The ways a notebook may print ``value``: an integer (100 or more) with or without
    thousands separators; any other number rounded to 2–6 significant digits, to 1–4
    decimals, or as a percentage (below 100, with its decimal point or percent sign)."""
    if float(value).is_integer():
        whole = int(value)
        return {str(whole), f"{whole:,}", f"{whole:_}", f"{whole:,}".replace(",", " ")} \
            if abs(whole) >= 100 else set()
    forms = {f"{value:.{digits}g}" for digits in range(2, 7)}
    forms |= {f"{value:.{decimals}f}" for decimals in range(1, 5)}
    forms |= {f"{value:.{decimals}%}" for decimals in range(0, 3)}
    # A rounding to one significant digit ("0.1" for 0.0707) is another number, not the answer;
    # and a rounding to a small whole number ("11" for 11.30) is as common in outputs as any
    # small integer (the rule for integer answers above).
    return {form for form in forms if len(form.strip("-%").replace(".", "").lstrip("0")) >= 2
            and ("." in form or "%" in form or abs(value) >= 100)}


def _printed(cell) -> str:
    return "".join("".join(out.get("text", "")) + "".join(out.get("data", {}).get("text/plain", ""))
                   + "".join(out.get("data", {}).get("text/html", "")) for out in cell.get("outputs", []))


def answers_printed_above(nb) -> list[str]:
    """``check_name: form`` for every exercise whose answer an earlier output shows."""
    found, printed = [], ""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for name in solutions._CALL.findall(cell.source):
            expected = solutions.find_check(name)(None).expected
            if isinstance(expected, str):  # a choice between named options: nothing to leak
                continue
            shown = [form for form in answer_forms(expected)
                     if re.search(rf"(?<![\d.]){re.escape(form)}(?![\d])", printed)]
            found += [f"{name}: {form}" for form in sorted(shown)]
        printed += _printed(cell)
    return found


def test_answer_forms_cover_the_ways_numbers_are_printed():
    assert {"663936", "663,936"} <= answer_forms(663_936) and answer_forms(55) == set()
    assert {"0.0707", "0.07065", "7.07%"} <= answer_forms(0.0706508)
    assert "11.3" in answer_forms(11.3037) and "11" not in answer_forms(11.3037)


@pytest.mark.parametrize("path", book.lesson_notebooks(), ids=lambda p: p.name[:2])
def test_no_exercise_answer_is_printed_above_it(path):
    leaked = answers_printed_above(nbformat.read(path, as_version=4))
    assert not leaked, f"{path.name}: answers printed before their exercise: {leaked}"
