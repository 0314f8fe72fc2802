"""Checkpoints that never lose work: written atomically, verified when read.

A checkpoint is a ``torch.save`` file of plain tensors and numbers (so
``torch.load(weights_only=True)`` reads it: no pickled code runs) carrying a SHA-256 of
its own content. Writing goes to a temporary file that is renamed over the old one only
once complete, so a crash mid-write leaves the previous checkpoint intact.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

import torch

FORMAT = "alexnet-course-checkpoint/1"


class CheckpointError(RuntimeError):
    """A checkpoint that cannot be trusted or does not fit the model it is loaded into."""


def _digest(obj, sha=None, path: str = "") -> str:
    """SHA-256 over every tensor's bytes and every plain value, in a fixed order."""
    sha = sha or hashlib.sha256()
    if isinstance(obj, torch.Tensor):
        tensor = obj.detach().cpu().contiguous()
        sha.update(f"{path}:{tensor.dtype}:{tuple(tensor.shape)}".encode())
        sha.update(tensor.reshape(-1).view(torch.uint8).numpy().tobytes())
    elif isinstance(obj, Mapping):
        for key in sorted(obj, key=str):
            _digest(obj[key], sha, f"{path}/{key}")
    elif isinstance(obj, (list, tuple)):
        for i, item in enumerate(obj):
            _digest(item, sha, f"{path}[{i}]")
    else:
        sha.update(f"{path}={obj!r}".encode())
    return sha.hexdigest()


def save_checkpoint(path: str | os.PathLike, state: dict) -> Path:
    """Write ``state`` to ``path`` atomically (temporary file, fsync, rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"format": FORMAT, "state": state, "sha256": _digest(state)}
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            torch.save(payload, fh)
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes owner-only files; keep the usual mode
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load_checkpoint(path: str | os.PathLike) -> dict:
    """Read and verify a checkpoint written by :func:`save_checkpoint`; return its state."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"no checkpoint at {path}")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # torch raises several types for truncated / non-zip files
        raise CheckpointError(
            f"{path} is not a readable checkpoint ({type(err).__name__}: {str(err)[:120]}); "
            "it is probably truncated or corrupt. Delete it to start afresh.") from err
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CheckpointError(f"{path} was not written by alexnet_course (format "
                              f"{payload.get('format') if isinstance(payload, dict) else '?'!r})")
    if _digest(payload["state"]) != payload.get("sha256"):
        raise CheckpointError(f"{path} fails its SHA-256 check: its content was altered or "
                              "damaged after it was written. Delete it to start afresh.")
    return payload["state"]


def check_compatible(model: torch.nn.Module, weights: Mapping[str, torch.Tensor],
                     path: str | os.PathLike = "checkpoint") -> None:
    """Refuse weights whose parameter names or shapes differ from ``model``'s, saying how."""
    expected = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    found = {k: tuple(v.shape) for k, v in weights.items()}
    missing = sorted(expected.keys() - found.keys())
    extra = sorted(found.keys() - expected.keys())
    resized = [f"{k}: checkpoint {found[k]} vs model {expected[k]}"
               for k in sorted(expected.keys() & found.keys()) if found[k] != expected[k]]
    if missing or extra or resized:
        parts = []
        if missing:
            parts.append(f"missing {missing[:3]}{'…' if len(missing) > 3 else ''}")
        if extra:
            parts.append(f"unexpected {extra[:3]}{'…' if len(extra) > 3 else ''}")
        if resized:
            parts.append("different shapes " + "; ".join(resized[:3]))
        raise CheckpointError(f"{path} does not fit this model: " + ", ".join(parts)
                              + ". Was it saved from another architecture or class count?")
