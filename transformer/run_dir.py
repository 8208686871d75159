"""A training run owns its output folder.

    runs/toy-translation/.tinygrad-tx-run    the mark of a run's folder, and its lock

The mark says "this folder was made by train-toy-translation": only a folder
that has it is ever moved aside (to runs/toy-translation.previous-N) by a new
run, so a folder of someone's own files is never touched. While a run trains,
it holds an exclusive lock on the mark (flock; released by the operating
system even when the process is killed), and writes in it who holds it: a
second run into the same folder is refused, naming the first. On each start,
temporary files a killed run left behind (`.model.safetensors.x1y2.tmp`) are
removed.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys
import time
from pathlib import Path

from tinygrad_tx.files import writable_folder

from .checkpoint import STATE_FILE, CheckpointError, json_bytes
from .commands import command

MARKER = ".tinygrad-tx-run"
_SHOWN = 5  # entries named when a folder is not empty


class RunFolder:
    """The lock on a run's folder: held from `claim_*` until `release()` (or
    the end of a `with` block, or the process)."""

    def __init__(self, path: Path, fd: int):
        self.path, self._fd = path, fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the file releases the lock
            self._fd = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.release()
        return False


def is_run(folder: str | os.PathLike) -> bool:
    """True when `folder` carries the mark of a training run's folder."""
    return (Path(folder) / MARKER).is_file()


def check_out(out: str | os.PathLike) -> Path:
    """The output folder as an absolute path, or a CheckpointError for a name
    that cannot be one (empty, or an existing file). Touches nothing."""
    if not str(out).strip():
        raise CheckpointError(
            "the output folder is empty (--out ''): name a folder, e.g. --out runs/my-run"
        )
    path = Path(out).expanduser().resolve()
    if path.exists() and not path.is_dir():
        raise CheckpointError(
            f"--out {out} is a file, not a folder: choose a folder with --out DIR"
        )
    return path


def claim_new(out: str | os.PathLike, echo=print) -> RunFolder:
    """Take `out` for a new run: a previous run there is moved aside; a folder
    holding anything else is refused; a run still training there is refused."""
    path = check_out(out)
    old = None
    if path.exists() and is_run(path):
        _refuse_current_folder(path)
        old = _lock(path, sign=False)  # the old run's mark stays as it was
        backup = _move_aside(path)
        echo(f"{path} held a previous run: moved it to {backup}")
    elif path.exists() and any(path.iterdir()):
        _refuse_foreign(path)
    _prepare(path)
    try:
        return _lock(path)
    finally:
        if old is not None:
            old.release()


def claim_existing(out: str | os.PathLike, echo=print) -> RunFolder:
    """Take the folder of a run to resume (it must hold a saved state)."""
    path = require_state(out)
    folder = _lock(path)
    for stale in remove_stale_temps(path):
        echo(f"removed {stale.name}: a file a stopped run had not finished writing")
    return folder


# The files a command may replace: how their names end, how they begin.
FILE_KINDS = {
    "a PNG picture": ((".png",), (b"\x89PNG\r\n\x1a\n",)),
    "an HTML page": ((".html", ".htm"), (b"<!DOCTYPE html", b"<!doctype html", b"<html")),
}


def check_replaceable(path: str | os.PathLike, kind: str) -> None:
    """Refuse to write a picture or a page (`kind`, a key of FILE_KINDS) under
    a name that says another kind of file, over a file of a training run, or
    over a file of another kind: only an earlier PNG picture or HTML page is
    replaced."""
    path, (suffixes, signatures) = Path(path), FILE_KINDS[kind]
    if path.is_dir():
        raise CheckpointError(f"{path} is a folder: name the file to write")
    if path.exists() and is_run(path.resolve().parent):
        raise CheckpointError(
            f"{path} is a file of the training run in {path.resolve().parent}: it is "
            "not replaced; write to another folder, e.g. out/"
        )
    if path.is_file() and not _first_bytes(path).startswith(signatures):
        raise CheckpointError(
            f"{path} exists and is not {kind}, so it is not replaced: choose another "
            "name, or move that file away first"
        )
    if path.suffix.lower() not in suffixes:
        raise CheckpointError(
            f"{path} does not end in {suffixes[0]}, but what is written there is "
            f"{kind}: name it e.g. {path.with_suffix(suffixes[0]).name}"
        )


def _first_bytes(path: Path, count: int = 16) -> bytes:
    with path.open("rb") as f:
        return f.read(count)


def require_state(out: str | os.PathLike) -> Path:
    """The folder of a run that can be resumed, or a CheckpointError saying
    how to start one."""
    path = check_out(out)
    if not (path / STATE_FILE).is_file():
        raise CheckpointError(
            f"nothing to resume in {out}: there is no {STATE_FILE} (it is written at "
            f"each validation and on Ctrl-C). Start a run with "
            f"`{command('train-toy-translation')} --out {out}`"
        )
    return path


def remove_stale_temps(folder: Path) -> list[Path]:
    """Delete the temporary files of unfinished atomic writes (files.atomic_write_bytes
    names them .NAME.RANDOM.tmp). Call it only while holding the folder's lock."""
    stale = [p for p in folder.glob(".*.tmp") if p.is_file()]
    for path in stale:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    return stale


# ------------------------------------------------------------------ the lock


def _lock(path: Path, sign: bool = True) -> RunFolder:
    """Lock the mark of `path` (creating it if needed) and, if `sign`, write in
    it who holds it; or refuse, naming the run that holds it."""
    marker = path / MARKER
    fd = os.open(marker, os.O_RDWR | os.O_CREAT, 0o644)
    if not _try_lock(fd):
        os.close(fd)
        raise CheckpointError(
            f"{path} is in use by another training run ({_holder(marker)}): wait for "
            "it to finish or stop it, or choose another folder with --out DIR"
        )
    if sign:
        os.ftruncate(fd, 0)
        os.write(fd, json_bytes(_me()))
    return RunFolder(path, fd)


def _try_lock(fd: int) -> bool:
    """An exclusive lock on the open file `fd`, without waiting."""
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _me() -> dict:
    return {
        "program": "tinygrad_tx train-toy-translation",
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "command": " ".join(sys.argv),
    }


def _holder(marker: Path) -> str:
    """'pid 123 on host, started 2026-...' from the mark, as far as it says."""
    try:
        who = json.loads(marker.read_text(encoding="utf-8"))
        return f"pid {who['pid']} on {who['host']}, started {who['started']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "it has not said who it is yet"


# ------------------------------------------------------------------ the folder


def _refuse_current_folder(path: Path) -> None:
    here = Path.cwd().resolve()
    if path == here or path in here.parents:
        raise CheckpointError(
            f"{path} holds a previous run but is the current folder (or contains "
            "it), so it cannot be moved aside: continue it with --resume, or "
            "choose a new folder with --out DIR"
        )


def _refuse_foreign(path: Path) -> None:
    entries = sorted(p.name for p in path.iterdir())
    shown = ", ".join(entries[:_SHOWN]) + (", ..." if len(entries) > _SHOWN else "")
    raise CheckpointError(
        f"{path} is not empty and is not the folder of a training run (it holds "
        f"{shown}): nothing there is moved or overwritten; choose a new or empty "
        "folder with --out DIR"
    )


def _move_aside(path: Path) -> Path:
    """path -> path.previous-N (the first free N). Returns where it went."""
    n = 1
    while (backup := path.with_name(f"{path.name}.previous-{n}")).exists():
        n += 1
    remove_stale_temps(path)  # we hold its lock: nobody is writing them
    try:
        path.rename(backup)
    except OSError as exc:
        raise CheckpointError(
            f"{path} holds a previous run and it cannot be moved to {backup} "
            f"({exc.strerror or exc}); choose another folder with --out DIR"
        ) from None
    return backup


def _prepare(path: Path) -> None:
    """Create the folder if needed and check that files can be written in it."""
    try:
        writable_folder(path)
    except OSError as exc:
        raise CheckpointError(
            f"cannot write to the output directory {path}: "
            f"{exc.strerror or exc}; choose another one with --out DIR"
        ) from None
