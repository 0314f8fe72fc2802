"""Checkpoints that never lose work: written atomically, verified when read, one run per folder.

A checkpoint is a ``torch.save`` file of plain tensors and numbers (so
``torch.load(weights_only=True)`` reads it: no pickled code runs) carrying a SHA-256 of
its own content. Writing goes to a temporary file that is renamed over the old one only
once complete, so a crash mid-write leaves the previous checkpoint intact; a failed write
(a full disk, no permission) names the file and the cause.

A run claims its folder with :func:`run_folder` before any work: the folder is created or
checked for writing, locked against every other process (the lock file holds the owner's
PID, and the OS releases it when the process ends, even on ``kill -9``), and refused when it
holds something a fresh run would overwrite.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import signal
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import torch

FORMAT = "alexnet-course-checkpoint/1"
CHECKPOINT_NAME = "last.pt"
LOCK_NAME = ".lock"
_CLAIMED: set[Path] = set()  # folders this process holds (the CLI claims before fit does)


class CheckpointError(RuntimeError):
    """A checkpoint that cannot be trusted or does not fit the model it is loaded into."""


class RunFolderError(CheckpointError):
    """A checkpoint folder this run may not use: unwritable, in use, or holding other files."""


class CheckpointWriteError(OSError):
    """A checkpoint (or its history) could not be written; the previous one is intact."""

    def __init__(self, path: Path, cause: OSError):
        reason = os.strerror(cause.errno).lower() if cause.errno else str(cause)
        super().__init__(cause.errno, f"could not write {path}: {reason}; the previous "
                         "checkpoint (if any) was left intact", str(path))

    def __str__(self) -> str:
        return self.strerror


def _os_error(err: BaseException | None) -> OSError | None:
    """The OSError behind ``err``: torch.save reports a failed write (ENOSPC) as a
    RuntimeError "unexpected pos", with the OSError only in its context."""
    while err is not None and not isinstance(err, OSError):
        err = err.__cause__ or err.__context__
    return err


@contextmanager
def naming_write_errors(path: str | os.PathLike) -> Iterator[None]:
    """Turn an OSError while writing ``path`` into a :class:`CheckpointWriteError` naming it."""
    try:
        yield
    except Exception as err:
        cause = _os_error(err)
        if cause is None:
            raise
        raise CheckpointWriteError(Path(path), cause) from err


@contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Hold SIGINT / SIGTERM until the block ends, then deliver them: a checkpoint being
    written is finished rather than abandoned. (Only the main thread may set handlers.)"""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    signals = (signal.SIGINT, signal.SIGTERM)
    previous = {s: signal.signal(s, lambda number, _frame: caught.append(number)) for s in signals}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        if caught:
            signal.raise_signal(caught[0])  # now its usual handler runs (KeyboardInterrupt)


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
    """Write ``state`` to ``path`` atomically (temporary file, fsync, rename).

    A failed write raises :class:`CheckpointWriteError` (an OSError) naming ``path`` and the
    cause, e.g. "no space left on device"; the previous checkpoint is left as it was.
    """
    path = Path(path)
    payload = {"format": FORMAT, "state": state, "sha256": _digest(state)}
    with naming_write_errors(path):
        path.parent.mkdir(parents=True, exist_ok=True)
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


@contextmanager
def run_folder(folder: str | os.PathLike | None, *, resume: bool,
               must_resume: bool = False) -> Iterator[Path | None]:
    """Claim ``folder`` for one run; yields its checkpoint's path (None without a folder).

    The folder is created (or checked) with a probe write, locked against other processes,
    and its content checked: a fresh run (or ``resume=True`` with no checkpoint yet) needs
    a new or empty folder, so that nothing in it is overwritten; ``must_resume=True``
    refuses a folder without a checkpoint. Claiming a folder this process already holds
    checks nothing again. Every refusal is a :class:`RunFolderError`.
    """
    if folder is None:
        yield None
        return
    if not str(folder).strip():
        raise RunFolderError("the checkpoint folder name is empty; name a folder, e.g. checkpoints/run1")
    folder = Path(folder)
    key = folder.resolve()
    if key in _CLAIMED:
        yield folder / CHECKPOINT_NAME
        return
    if must_resume and not (folder / CHECKPOINT_NAME).is_file():
        raise RunFolderError(f"nothing to resume: {_contents(folder)}; drop --resume to start a fresh run")
    lock = _lock(folder)
    try:
        _probe(folder)  # under the lock: another run's contents check never sees the probe
        _check_contents(folder, resume)
        _CLAIMED.add(key)
        yield folder / CHECKPOINT_NAME
    finally:
        _CLAIMED.discard(key)
        os.close(lock)  # releases the flock


@contextmanager
def _writing_in(folder: Path) -> Iterator[None]:
    """An OSError while creating or writing in ``folder`` as a one-line refusal naming it."""
    try:
        yield
    except OSError as err:
        reason = os.strerror(err.errno).lower() if err.errno else str(err)
        raise RunFolderError(f"cannot write in checkpoint folder {folder}: {reason}") from None


def _lock(folder: Path) -> int:
    """Create ``folder`` if needed and hold an exclusive ``flock`` on ``folder/.lock``, which
    then holds our PID; its descriptor. Refused, naming the holder's PID, while another
    process holds it."""
    if folder.exists() and not folder.is_dir():
        raise RunFolderError(f"checkpoint folder {folder} is a file, not a folder")
    with _writing_in(folder):
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _holder(fd)
        os.close(fd)
        raise RunFolderError(f"checkpoint folder {folder} is in use by another run (PID {holder}); "
                             "wait for it to end, or choose another folder") from None
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    return fd


def _probe(folder: Path) -> None:
    """Prove that a new file in ``folder`` can be written and synced, as a checkpoint is."""
    with _writing_in(folder):
        fd, probe = tempfile.mkstemp(prefix=".probe-", dir=folder)
        try:
            os.write(fd, b"probe")
            os.fsync(fd)
        finally:
            os.close(fd)
            os.unlink(probe)


def _holder(fd: int) -> str:
    """The PID in a lock file; a holder that locked a moment ago may not have written it yet."""
    for _ in range(20):
        pid = os.pread(fd, 32, 0).decode(errors="replace").strip()
        if pid:
            return pid
        time.sleep(0.05)
    return "unknown"


def _contents(folder: Path) -> str:
    """What ``folder`` holds, for a message."""
    if not folder.is_dir():
        return f"{folder} does not exist"
    names = sorted(p.name for p in folder.iterdir() if p.name != LOCK_NAME)
    if not names:
        return f"{folder} is empty"
    return f"{folder} holds {', '.join(names[:5])}{'…' if len(names) > 5 else ''}"


def _check_contents(folder: Path, resume: bool) -> None:
    ckpt = folder / CHECKPOINT_NAME
    if ckpt.exists():
        if not resume:
            raise RunFolderError(f"{ckpt} already holds a run; pass resume=True (--resume) to "
                                 "continue it, or choose another checkpoint directory "
                                 "(nothing was overwritten)")
    elif any(p.name != LOCK_NAME for p in folder.iterdir()):
        raise RunFolderError(f"{_contents(folder)} but no {CHECKPOINT_NAME}: a new run would "
                             "overwrite them; choose a new or empty folder (nothing was overwritten)")
