"""Pick the fastest device there is: CUDA, then Apple's MPS, then the CPU.

>>> device("cpu")
device(type='cpu')
"""

from __future__ import annotations

import os
import platform

import torch

ENV_VAR = "ALEXNET_COURSE_DEVICE"


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend and backend.is_available())


def device(prefer: str | None = None) -> torch.device:
    """Return ``cuda``, ``mps`` or ``cpu``: the first available, or the one asked for.

    ``prefer`` (or the ``ALEXNET_COURSE_DEVICE`` variable) forces a choice; asking for
    a device this machine lacks is an error rather than a silent fallback, because a
    learner who asked for the GPU should know they are not getting it.
    """
    wanted = prefer or os.environ.get(ENV_VAR, "").strip() or None
    if wanted is None:
        if torch.cuda.is_available():
            return torch.device("cuda")
        if _mps_available():
            return torch.device("mps")
        return torch.device("cpu")
    kind = torch.device(wanted).type
    if kind == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(f"device {wanted!r} requested but CUDA is not available on this machine")
    if kind == "mps" and not _mps_available():
        raise RuntimeError(f"device {wanted!r} requested but Apple MPS is not available here")
    return torch.device(wanted)


def describe(dev: torch.device | None = None) -> str:
    """A one-line human description, e.g. ``'cuda: NVIDIA H100 80GB HBM3'`` or
    ``'cpu: x86_64, 2 threads'``."""
    dev = dev or device()
    if dev.type == "cuda":
        return f"cuda: {torch.cuda.get_device_name(dev)}"
    if dev.type == "mps":
        return f"mps: Apple {platform.machine()}"
    return f"cpu: {platform.machine()}, {torch.get_num_threads()} threads"


def processor() -> str:
    """The CPU's model name (``/proc/cpuinfo`` on Linux), e.g. ``'AMD EPYC'``; else what
    ``platform.processor()`` says, else the machine type."""
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()
