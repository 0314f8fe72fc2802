"""Progress bars that leave their finished state in a saved notebook.

tqdm's notebook bar is a widget. A notebook saved after the run stores only the text the bar
had when it was first shown (``0%| 0/6``), and that is all GitHub, the book, or JupyterLab
without a kernel can show. :func:`progress_bar` shows the same widget under a display id and,
when the bar closes, replaces the stored text with the finished bar
(``runs: 100%|██████████| 6/6 [...]``). Outside a notebook it is tqdm's usual text bar:

>>> bar = progress_bar(total=3, desc="steps", disable=True)
>>> for _ in range(3):
...     bar.update(1)
>>> bar.close()
"""

from __future__ import annotations

from typing import Iterable

from tqdm.auto import tqdm as auto_tqdm
from tqdm.notebook import tqdm as notebook_tqdm

__all__ = ["WIDGET_VIEW", "widget_view", "progress_bar"]

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"  # the MIME type of a live widget


def widget_view(model_id: str) -> dict:
    """A notebook output's reference to a live widget, built as ipywidgets 8 builds it (7 has
    no ``_repr_mimebundle_`` to borrow it from); progress bars and explorers add their text
    and picture beside it for readers without a kernel."""
    return {WIDGET_VIEW: {"version_major": 2, "version_minor": 0, "model_id": model_id}}


class _Shown:
    """What a notebook stores for a bar: the live widget and its current text."""

    def __init__(self, bar: notebook_tqdm):
        self.bar = bar

    def _repr_mimebundle_(self, **kwargs) -> dict:
        return {**widget_view(self.bar.container.model_id), "text/plain": str(self.bar)}


class NotebookBar(notebook_tqdm):
    """tqdm's notebook bar whose stored text is refreshed when it closes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **{**kwargs, "display": False})
        self._handle = None
        if not self.disable:
            from IPython.display import display

            self._handle = display(_Shown(self), display_id=True)
            self.displayed = True

    def close(self) -> None:
        super().close()
        if self._handle is not None:
            self._handle.update(_Shown(self))
            self._handle = None


def progress_bar(iterable: Iterable | None = None, **options) -> auto_tqdm:
    """``tqdm(iterable, **options)``: a widget in a notebook (finished state saved), text elsewhere."""
    if issubclass(auto_tqdm, notebook_tqdm):
        return NotebookBar(iterable, **options)
    return auto_tqdm(iterable, **options)
