"""The explorers under ipywidgets 7.7, the version Colab pins, as well as under the venv's 8.

``make`` installs ipywidgets 7.7 into ``.venv/ipywidgets7`` (``pip --target``). The checks run
in a subprocess with that folder first on ``PYTHONPATH``, so it shadows the venv's ipywidgets 8
(one process cannot hold both), and once more without it, to hold both versions to one behaviour.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
IPYWIDGETS7 = ROOT / ".venv" / "ipywidgets7"

CHECKS = r"""
import base64, sys

import matplotlib

matplotlib.use("Agg")

import ipywidgets
from IPython.core.interactiveshell import InteractiveShell
from IPython.display import display
from IPython.utils.capture import capture_output

from alexnet_course.progress import WIDGET_VIEW
from alexnet_course.experiments.lrn import conv1_like_activations
from alexnet_course.widgets import lrn_explorer, output_size_explorer

assert ipywidgets.__version__.startswith(sys.argv[1]), ipywidgets.__file__
InteractiveShell.instance()  # display() publishes through a shell, captured below


def displayed(widget) -> dict:
    # What a notebook stores: ipywidgets 7 displays through _ipython_display_, 8 through
    # _repr_mimebundle_; either way exactly one output.
    with capture_output() as captured:
        display(widget)
    [output] = captured.outputs
    return output.data


def check(explorer, possible, impossible, move, to_impossible):
    assert explorer.update(**possible, draw=False).ok
    view = explorer.update(**impossible)
    assert not view.ok and view.text.startswith("Impossible: ") and view.figure is None

    before = explorer.message.value
    explorer.controls[move[0]].value = move[1]  # what dragging does: the observer refreshes
    assert explorer.message.value != before and explorer.message.value == explorer.view.html
    assert explorer.view.ok and bytes(explorer.picture.value).startswith(b"\x89PNG")
    for bundle in (explorer._repr_mimebundle_(), displayed(explorer)):
        assert bundle[WIDGET_VIEW]["model_id"] == explorer.model_id
        assert bundle["text/plain"] == explorer.view.text
        assert base64.b64decode(bundle["image/png"]) == bytes(explorer.picture.value)

    explorer.controls[to_impossible[0]].value = to_impossible[1]
    assert not explorer.view.ok and explorer.picture.layout.display == "none"
    bundle = displayed(explorer)
    assert "image/png" not in bundle and bundle["text/plain"].startswith("Impossible: ")


check(output_size_explorer(),
      possible=dict(n=227, kernel=11, stride=4, padding=0),
      impossible=dict(n=6, kernel=11, stride=4, padding=2),
      move=("n", 7), to_impossible=("kernel", 11))  # 7 + 2·1 < 11
check(lrn_explorer(conv1_like_activations("chelsea", size=48)),
      possible=dict(k=2.0, n=5, alpha=1e-4, beta=0.75),
      impossible=dict(k=0.0, n=5, alpha=1e-4, beta=0.75),
      move=("k", 3.0), to_impossible=("k", 0.0))
print("ok", ipywidgets.__version__)
"""


@pytest.mark.parametrize("version", ["7.7", "8"])
def test_explorers_build_update_and_display_the_picture(version):
    env = dict(os.environ, MPLBACKEND="Agg")
    if version == "7.7":
        if not (IPYWIDGETS7 / "ipywidgets").is_dir():
            pytest.skip(f"ipywidgets 7.7 is not in {IPYWIDGETS7}: `make` installs it "
                        "(in a venv made before that, `rm .venv/.installed` first)")
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(IPYWIDGETS7),
                                                          env.get("PYTHONPATH")]))
    result = subprocess.run([sys.executable, "-c", CHECKS, version], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.startswith(f"ok {version}"), result.stdout
