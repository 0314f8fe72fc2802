"""Where the course's own files live: ``data/`` (photos, Fashion-MNIST) and ``results/``.

They sit beside the package in the course's checkout, which is where ``make`` installs it
(``pip install -e .``). A copy installed elsewhere (``pip install .``, a wheel) finds the
checkout through ``$ALEXNET_COURSE_ROOT``, else through the working folder or one of its
parents (a notebook runs in ``notebooks/``, one level below):

>>> (course_root() / "data" / "photos").is_dir()
True
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["ROOT_VAR", "course_root", "data_dir", "results_dir"]

ROOT_VAR = "ALEXNET_COURSE_ROOT"
_MARKER = Path("data") / "photos"  # a checkout has it; a site-packages folder does not


def _is_root(folder: Path) -> bool:
    return (folder / _MARKER).is_dir()


def course_root() -> Path:
    """The course's checkout: ``$ALEXNET_COURSE_ROOT``, else the folder above the package,
    else the working folder or a parent of it holding ``data/photos``."""
    if os.environ.get(ROOT_VAR):
        named = Path(os.environ[ROOT_VAR]).expanduser()
        if not _is_root(named):
            raise FileNotFoundError(f"${ROOT_VAR}={named} is not the course's folder: it has no "
                                    f"{_MARKER}/. Point it at the checkout that holds data/ and notebooks/.")
        return named
    beside_package = Path(__file__).resolve().parent.parent
    here = Path.cwd().resolve()
    for folder in (beside_package, here, *here.parents):
        if _is_root(folder):
            return folder
    raise FileNotFoundError(
        f"Cannot find the course's folder (the one holding {_MARKER}/): the package is installed "
        f"outside the checkout and neither the working folder nor its parents hold it. Run from "
        f"the checkout, or set ${ROOT_VAR} to it.")


def data_dir() -> Path:
    """The course's ``data/`` folder."""
    return course_root() / "data"


def results_dir() -> Path:
    """The course's ``results/`` folder (measured runs, committed)."""
    return course_root() / "results"
