"""Progress bars leave their finished state in a saved notebook, never "0%| 0/N"."""

from __future__ import annotations

import re

from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from alexnet_course.progress import NotebookBar, progress_bar

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def test_the_notebook_bar_replaces_its_stored_text_with_the_finished_bar():
    InteractiveShell.instance()  # display() publishes through a shell, captured below
    with capture_output() as captured:
        for _ in NotebookBar(range(3), desc="runs", unit="run"):
            pass
    shown, *updates = captured.outputs
    assert re.search(r"runs:\s+0%\|.*\| 0/3", shown.data["text/plain"])  # as first displayed
    assert WIDGET_VIEW in shown.data
    [final] = updates  # one update, when the bar closes, to the same display
    assert final.update and final.transient["display_id"] == shown.transient["display_id"]
    assert re.search(r"runs: 100%\|\S+\| 3/3", final.data["text/plain"])
    assert final.data[WIDGET_VIEW] == shown.data[WIDGET_VIEW]  # the live widget is kept


def test_outside_a_notebook_it_is_tqdms_text_bar(capsys):
    for _ in progress_bar(range(2), desc="steps"):
        pass
    assert "steps: 100%" in capsys.readouterr().err
