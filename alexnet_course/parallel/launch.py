"""Starting ``torchrun`` from Python: its command line on one machine or on a cluster, and a
measured 1-vs-N-process scaling run of ``alexnet-course train``.

On one machine ``--standalone`` lets torchrun pick a free local port for the rendezvous. On a
cluster every node runs the same command; they find each other at one host:port they can all
reach (``--rdzv-endpoint``) and agree on a job name (``--rdzv-id``):

>>> " ".join(torchrun_command(2, ["train", "--profile", "smoke"], launcher=("torchrun",)))
'torchrun --standalone --nproc-per-node 2 -m alexnet_course.cli train --profile smoke'
>>> " ".join(torchrun_command(8, ["train"], nnodes=2, rdzv_endpoint="node0:29400",
...                           rdzv_id="alexnet42", launcher=("torchrun",)))  # doctest: +NORMALIZE_WHITESPACE
'torchrun --nnodes 2 --rdzv-backend c10d --rdzv-endpoint node0:29400 --rdzv-id alexnet42
 --nproc-per-node 8 -m alexnet_course.cli train'
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Sequence

import torch

from ..history import History
from ..paths import results_dir
from .data_parallel import TORCHRUN_VARIABLES

__all__ = ["torchrun_command", "measure_scaling", "with_speedups", "scaling_verdict", "machine",
           "recorded_scaling"]


def torchrun_command(nproc_per_node: int, cli_args: Sequence[str], *, nnodes: int | str = 1,
                     rdzv_endpoint: str | None = None, rdzv_id: str = "alexnet-course",
                     launcher: Sequence[str] | None = None) -> list[str]:
    """The command that starts ``alexnet-course <cli_args>`` on ``nproc_per_node`` processes
    of each of ``nnodes`` machines (``"1:4"``: elastic, between 1 and 4 machines).

    ``launcher`` defaults to this Python's ``-m torch.distributed.run`` (what ``torchrun`` runs).
    """
    if nproc_per_node < 1:
        raise ValueError(f"nproc_per_node must be at least 1, not {nproc_per_node}")
    launcher = [sys.executable, "-m", "torch.distributed.run"] if launcher is None else list(launcher)
    if str(nnodes) == "1" and rdzv_endpoint is None:
        where = ["--standalone"]
    elif rdzv_endpoint is None:
        raise ValueError(f"nnodes={nnodes!r} needs rdzv_endpoint, the host:port of a node that "
                         "every node can reach (e.g. 'node0:29400')")
    else:
        where = ["--nnodes", str(nnodes), "--rdzv-backend", "c10d", "--rdzv-endpoint",
                 rdzv_endpoint, "--rdzv-id", rdzv_id]
    return [*launcher, *where, "--nproc-per-node", str(nproc_per_node), "-m", "alexnet_course.cli",
            *cli_args]


def _cores() -> int:
    """CPU cores this process may use (a container may allow fewer than the machine has)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def machine() -> dict:
    """What a timing depends on: CPU, usable cores, GPUs, versions."""
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
                 if line.startswith("model name")]
        cpu = names[0] if names else cpu
    return {"cpu": cpu, "usable_cores": _cores(), "logical_cpus": os.cpu_count(),
            "gpus": [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())],
            "python": platform.python_version(), "torch": torch.__version__,
            "platform": platform.platform()}


def measure_scaling(process_counts: Sequence[int] = (1, 2), *, threads: int | None = None,
                    profile: str = "smoke", epochs: int = 2, device: str = "cpu",
                    extra_args: Sequence[str] = (), timeout: float = 900) -> list[dict]:
    """Train once per process count under torchrun; the training throughput of each.

    ``OMP_NUM_THREADS`` is set for every process: ``threads``, or by default the usable cores
    shared out (``cores // n``, at least 1), so that 1 process × 2 threads is compared with
    2 processes × 1 thread on 2 cores. The first epoch warms up and is left out of the
    reported median of images per second (over all processes).
    """
    rows = []
    for n in process_counts:
        threads_each = threads or max(1, _cores() // n)
        env = {k: v for k, v in os.environ.items() if k not in TORCHRUN_VARIABLES}
        env["OMP_NUM_THREADS"] = str(threads_each)
        with tempfile.TemporaryDirectory() as folder:
            args = ["train", "--profile", profile, "--epochs", str(epochs), "--device", device,
                    "--no-progress", "--checkpoint", folder, *extra_args]
            began = time.perf_counter()
            done = subprocess.run(torchrun_command(n, args), env=env, capture_output=True,
                                  text=True, timeout=timeout)
            wall = time.perf_counter() - began
            if done.returncode != 0:
                raise RuntimeError(f"torchrun with {n} processes failed:\n{done.stderr[-2000:]}")
            epochs_run = History.load(Path(folder) / "history.json").epochs
        timed = epochs_run[1:] or epochs_run
        rows.append({"processes": n, "omp_threads_per_process": threads_each, "device": device,
                     "train_images_per_s": statistics.median(r["train_images_per_s"] for r in timed),
                     "epoch_seconds": statistics.median(r["seconds"] for r in timed),
                     "wall_seconds": wall, "epochs": epochs, "steps_per_epoch": timed[-1]["steps"],
                     "test_top1": timed[-1]["test_top1"]})
    return rows


def with_speedups(rows: list[dict]) -> list[dict]:
    """Each row plus its speed-up over the first row and its efficiency (speed-up per process).

    >>> [r["speedup"] for r in with_speedups([{"processes": 1, "train_images_per_s": 100.0},
    ...                                        {"processes": 2, "train_images_per_s": 150.0}])]
    [1.0, 1.5]
    """
    if not rows:
        raise ValueError("rows is empty: nothing to compare")
    base = rows[0]["train_images_per_s"]
    return [{**r, "speedup": r["train_images_per_s"] / base,
             "efficiency": r["train_images_per_s"] / base / r["processes"] * rows[0]["processes"]}
            for r in rows]


def scaling_verdict(rows: list[dict]) -> str:
    """One sentence comparing 2 processes sharing the cores with 1 process using them all
    (and with 1 process on 1 core, when that layout was measured).

    >>> scaling_verdict([{"processes": 1, "omp_threads_per_process": 2, "train_images_per_s": 800.0},
    ...                  {"processes": 2, "omp_threads_per_process": 1, "train_images_per_s": 600.0},
    ...                  {"processes": 1, "omp_threads_per_process": 1,
    ...                   "train_images_per_s": 500.0}])  # doctest: +NORMALIZE_WHITESPACE
    '2 processes × 1 thread(s): 600 images/s, 0.75× 1 process × 2 threads (800 images/s);
     1.20× 1 process × 1 thread'
    """
    by = {(r["processes"], r["omp_threads_per_process"]): r["train_images_per_s"] for r in rows}
    cores = max(t for p, t in by if p == 1)
    shared = max(1, cores // 2)
    if (2, shared) not in by or (1, cores) not in by:
        raise ValueError(f"rows need 1 process × {cores} and 2 processes × {shared} threads, "
                         f"found {sorted(by)}")
    two, one = by[(2, shared)], by[(1, cores)]
    text = (f"2 processes × {shared} thread(s): {two:.0f} images/s, {two / one:.2f}× "
            f"1 process × {cores} threads ({one:.0f} images/s)")
    if (1, 1) in by and cores > 1:
        text += f"; {two / by[(1, 1)]:.2f}× 1 process × 1 thread"
    return text


RECORDED = "cpu_ddp_scaling.json"  # in the course's results/


def recorded_scaling() -> dict:
    """The measurement committed in ``results/cpu_ddp_scaling.json`` (runs and machine)."""
    path = results_dir() / RECORDED
    if not path.is_file():
        raise FileNotFoundError(f"no recorded scaling at {path}; run measure_scaling to make one")
    return json.loads(path.read_text())
