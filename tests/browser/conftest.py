"""Fixtures for the real-browser tests: Debian's headless Chromium driven by Playwright, and one
JupyterLab server (from this environment, on a free localhost port) for the whole session.

Nothing here downloads anything: Playwright launches the system Chromium (``/usr/bin/chromium``,
installed by ``make`` through apt-get; ``CHROMIUM`` overrides the path) and every Chromium feature
that would reach the network is switched off. Where Chromium or Playwright is missing the tests
skip, saying which. Screenshots go to ``_build/test-artifacts/browser/``.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "_build" / "test-artifacts" / "browser"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
# Without the networking switches Chromium keeps dialling Google's hosts and stalls on the refusals.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-default-apps", "--disable-extensions"]
TIMEOUT_MS = 120_000  # JupyterLab's first load and a kernel's imports are slow on 2 shared cores
# JupyterLab settings for a reproducible page: every cell in the DOM, no autosave, no news.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False},
}


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session (Playwright gives it a fresh, empty profile)."""
    if not CHROMIUM.is_file():
        pytest.skip(f"no Chromium at {CHROMIUM}: `apt-get install chromium chromium-driver` "
                    "(make does this where it can) or set CHROMIUM to a Chromium binary")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed: `pip install -e '.[dev]'` (never `playwright install`)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                              headless=True, timeout=TIMEOUT_MS)
        yield chromium
        chromium.close()


def new_context(browser):
    """A fresh browser context (its own cookies and storage) with a tall window and generous waits."""
    context = browser.new_context(viewport={"width": 1400, "height": 1800})
    context.set_default_timeout(TIMEOUT_MS)
    return context


def new_page(context):
    """A page whose console errors and uncaught exceptions are collected in ``page.errors``."""
    page = context.new_page()
    page.errors = []
    page.on("console", lambda msg: msg.type == "error" and page.errors.append(f"console: {msg.text}"))
    page.on("pageerror", lambda error: page.errors.append(f"uncaught: {error}"))
    return page


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_http(url: str, process: subprocess.Popen, log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"JupyterLab did not answer {url} within {timeout} s:\n{log.read_text()[-3000:]}")


def _fresh_copy(notebook: Path, folder: Path) -> None:
    """The notebook without outputs or saved widget state, so the page shows only what runs live,
    and up to its last explorer cell: what follows (training runs, exercises) would add a minute
    on two cores and nothing the explorers need."""
    nb = nbformat.read(notebook, as_version=4)
    explorers = [i for i, cell in enumerate(nb.cells) if "_explorer(" in cell.source]
    if explorers:
        nb.cells = nb.cells[:explorers[-1] + 1]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, folder / notebook.name)


@pytest.fixture(scope="session")
def jupyter_lab(tmp_path_factory, browser):
    """A JupyterLab server on a free port whose root holds fresh copies of the lessons' notebooks.

    Copies, not the committed files, so that running them never touches the working tree.
    Yields ``(base_url, token)``; the kernels run in the ``smoke`` profile.
    """
    home = tmp_path_factory.mktemp("jupyter")
    root, settings = home / "root", home / "settings"
    root.mkdir()
    for notebook in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        _fresh_copy(notebook, root)
    for name, values in LAB_SETTINGS.items():
        (settings / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / name).write_text(json.dumps(values))
    port, token = free_port(), secrets.token_hex(16)
    env = {**os.environ, "ALEXNET_COURSE_PROFILE": "smoke", "JUPYTER_CONFIG_DIR": str(home / "config"),
           "JUPYTER_DATA_DIR": str(home / "data"), "JUPYTER_RUNTIME_DIR": str(home / "runtime")}
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               f"--ServerApp.token={token}", f"--ServerApp.root_dir={root}",
               "--ServerApp.port_retries=0", "--LabApp.expose_app_in_browser=True",
               f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={home / 'workspaces'}",
               "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    log = home / "jupyterlab.log"
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for_http(f"{base}/api/status?token={token}", process, log)
        yield base, token
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # its own session: the server and its kernels
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if ARTIFACTS.is_dir():  # the server's log beside the screenshots, for a failure's post-mortem
            shutil.copy(log, ARTIFACTS / "jupyterlab.log")
