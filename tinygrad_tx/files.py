"""Writing files so that a crash never leaves half of one, and checking a folder
before the work that fills it starts.

An atomic write puts the bytes in a temporary file beside the target
(.NAME.RANDOM.tmp), flushes them to disk, then renames it over the target: a
reader, or a run that was killed, sees the old file or the new one, never a mix.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: str | os.PathLike, payload: bytes) -> Path:
    """Write `payload` to `path` so that readers see the old file or the new one.
    Returns the path."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
        )
    except OSError as exc:  # name the user's file, not our temporary one
        raise _cannot_write(path, exc) from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual mode
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return path


def _cannot_write(path: Path, exc: OSError) -> OSError:
    """The same kind of OSError (same errno), with a message naming `path`."""
    error = type(exc)(f"cannot write {path}: {exc.strerror or exc}")
    error.errno = exc.errno
    return error


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    """`text` as UTF-8 (newlines as written), atomically. Returns the path."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def writable_folder(folder: str | os.PathLike) -> Path:
    """Create `folder` if needed and check that a file can be written in it (a
    nameless temporary file, gone at once); an OSError otherwise. Callers turn
    it into their own message: which output, and which option to change."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile(dir=folder):
        pass
    return folder
