"""Starting a student's process: a scratch folder, limits, and Bubblewrap if present.

Every process that runs a student's code gets:

- a fresh temporary folder holding a copy of their file only;
- a scrubbed environment (no variables of the teacher's shell);
- its own session and process group, killed when grading is done with it;
- limits it sets on itself before loading the file (see `worker`): CPU time,
  memory (address space), file size, no new processes; and an audit hook that
  refuses processes, signals, sockets, ctypes and file access outside its folder
  and the Python installation;
- where Bubblewrap (`bwrap`) is installed, a sandbox in which only the
  submission and the Python environment are visible, read-only, with no network
  and its own process namespace (so nothing it starts can outlive it).

Without `bwrap` the limits and the hook still apply, and the report says once
that the filesystem was not isolated and how to install Bubblewrap. A grader
that runs as root without Bubblewrap (Gradescope's containers, CI machines)
also runs each student process as a user of its own (`unprivileged`), because
the kernel exempts root from the process limit and lets it signal and write
anything: that user can read like the grader, and nothing else.
"""

from __future__ import annotations

import functools
import json
import os
import secrets
import shutil
import subprocess
import sys
import threading
import weakref
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

INSTALL_BWRAP = (
    "the student code ran with time, memory and process limits but could see "
    "this machine's files: install Bubblewrap to isolate it "
    "(Debian/Ubuntu: sudo apt-get install bubblewrap)"
)
_BOOT = (
    "import sys, json; sys.path[:] = json.loads(sys.argv[1]); "
    "from tinygrad_tx.grading.worker import main; main()"
)
_PACKAGE = Path(__file__).resolve().parents[1]  # tinygrad_tx/
_ENV = {
    "PATH": "/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "MPLBACKEND": "Agg",
}


@dataclass
class Limits:
    """What one student process may use. memory_mb caps the address space
    (NumPy and the engine need about 150 MB of it)."""

    cpu_seconds: int = 60
    memory_mb: int = 1024
    file_mb: int = 1

    def as_rlimits(self) -> dict:
        return {
            "cpu": int(self.cpu_seconds),
            "as": int(self.memory_mb) * 2**20,
            "fsize": int(self.file_mb) * 2**20,
            "nproc": 0,
            "core": 0,
        }


@dataclass
class Isolation:
    """How student code is run. mode: "auto" (Bubblewrap when installed),
    "bwrap" (required) or "limits" (never Bubblewrap). `hide` are folders the
    student must never see (the answer key, the other students, the outputs)."""

    mode: str = "auto"
    hide: list[Path] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    live: weakref.WeakSet = field(default_factory=weakref.WeakSet)

    def stop_all(self) -> None:
        """Stop grading: kill every running student process, start no new one."""
        self.stop.set()
        for session in list(self.live):
            session.kill()

    def bwrap(self) -> str | None:
        if self.mode not in ("auto", "bwrap", "limits"):
            raise ValueError(f"isolation {self.mode!r}: choose auto, bwrap or limits")
        found = None if self.mode == "limits" else find_bwrap()
        if self.mode == "bwrap" and found is None:
            raise RuntimeError(f"Bubblewrap (bwrap) is not installed: {INSTALL_BWRAP}")
        return found


def find_bwrap() -> str | None:
    """The bwrap program, if installed and able to start a sandbox here."""
    path = shutil.which("bwrap")
    if path is None:
        return None
    probe = [path, "--unshare-all", "--ro-bind", "/", "/", "--dev", "/dev", "true"]
    try:
        ok = subprocess.run(probe, capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        ok = False
    return path if ok else None


def python_path() -> list[str]:
    """The folders the student's Python imports from: this interpreter's own."""
    paths = [p for p in sys.path if p and os.path.isdir(p)]
    return list(dict.fromkeys(os.path.realpath(p) for p in paths))


def read_roots(scratch_view: str) -> list[str]:
    """What the audit hook lets the student's code read: Python, NumPy, the
    engine, the system libraries and its own folder."""
    roots = [sys.prefix, sys.base_prefix, str(_PACKAGE), scratch_view, np.__path__[0]]
    roots += [p for p in python_path() if not _is_repo_root(p)]
    roots += ["/usr", "/lib", "/lib64", "/dev/null", "/dev/urandom"]
    # "/proc/self" stays a name: resolved here it would be this grader's own
    # /proc entry (its environment, its memory); the worker resolves it to its own
    return [*dict.fromkeys(os.path.realpath(r) for r in roots), "/proc/self"]


def deny_roots(hide: list[Path]) -> list[str]:
    """What the student's code must never see, even inside a readable folder:
    the `hide` folders (answer key, submissions, outputs) and any copy of the
    exercises on the Python path (a non-editable install puts one,
    `lessons/exercises` with the answer key and hidden checks, in
    site-packages)."""
    copies = [Path(p) / "lessons" / "exercises" for p in python_path()]
    found = [*hide, *(c for c in copies if c.is_dir())]
    return list(dict.fromkeys(os.path.realpath(p) for p in found))


def _is_repo_root(path: str) -> bool:
    """The folder that holds the tinygrad_tx package (and, in a checkout, the
    lessons and their answer key): only the package inside it is shown."""
    return Path(path) == _PACKAGE.parent


def command(bwrap: str | None, scratch: Path, hide: list[Path]) -> tuple[list, str]:
    """(argv, the scratch folder as the student's process sees it)."""
    python = [sys.executable, "-I", "-B", "-c", _BOOT, json.dumps(python_path())]
    if bwrap is None:
        return python, str(scratch)
    argv = [bwrap, "--unshare-all", "--die-with-parent", "--new-session"]
    argv += ["--clearenv", "--hostname", "sandbox"]
    for key, value in {**_ENV, "HOME": "/tmp", "TMPDIR": "/tmp"}.items():
        argv += ["--setenv", key, value]
    argv += _system_binds()
    # /tmp first: a checkout or virtual environment under /tmp is bound on top
    argv += ["--size", str(64 * 2**20), "--tmpfs", "/tmp"]
    for root in _python_roots():
        argv += ["--ro-bind", root, root]
    for path in deny_roots(hide):  # a hidden folder inside a bound one is covered
        if any(_inside(Path(path), Path(r)) for r in _python_roots()):
            argv += ["--tmpfs", path]
    argv += ["--proc", "/proc", "--dev", "/dev"]
    argv += ["--ro-bind", str(scratch), "/submission", "--chdir", "/submission"]
    return argv + python, "/tmp"


# ------------------------------------------------------------------ not as root

UID_BASE = 3_000_000_000  # user ids no account has: one per student process
_SETPRIV = ("--clear-groups", "--no-new-privs")
_READ_ALL = (  # keep one power: reading files (Python may live in /root)
    "--inh-caps=-all,+dac_read_search",
    "--ambient-caps=+dac_read_search",
    "--bounding-set=-all,+dac_read_search",
)


def unprivileged(argv: list[str], uid: int) -> list[str] | None:
    """`argv` run as user `uid` (its own group, no supplementary ones), when
    this grader runs as root and `setpriv` (util-linux) can start Python that
    way here; None otherwise. Run so, the student's process cannot start
    processes or threads (the process limit applies again), signal the
    grader or another student, or write anything but its scratch folder."""
    options = _setpriv_options()
    if options is None:
        return None
    ids = [f"--reuid={uid}", f"--regid={uid}"]
    return [options[0], *ids, *options[1:], *argv]


def new_uid() -> int:
    return UID_BASE + secrets.randbelow(10**9)


@functools.lru_cache(maxsize=1)
def _setpriv_options() -> tuple | None:
    """setpriv and the options that start this Python as another user here
    (probed once: with the right to read every file, else without it)."""
    setpriv = shutil.which("setpriv")
    if os.name != "posix" or os.geteuid() != 0 or setpriv is None:
        return None
    boot = "import sys, json; sys.path[:] = json.loads(sys.argv[1]); import numpy"
    python = [sys.executable, "-I", "-B", "-c", boot, json.dumps(python_path())]
    uid = str(new_uid())
    for extra in (_READ_ALL, ()):
        options = (setpriv, *_SETPRIV, *extra)
        probe = [setpriv, f"--reuid={uid}", f"--regid={uid}", *options[1:], *python]
        try:
            done = subprocess.run(probe, capture_output=True, timeout=120, cwd="/")
        except (OSError, subprocess.TimeoutExpired):
            continue
        if done.returncode == 0:
            return options
    return None


def environment(scratch: Path) -> dict:
    return {**_ENV, "HOME": str(scratch), "TMPDIR": str(scratch)}


def _system_binds() -> list[str]:
    """/usr and the library folders, as links where the system has links."""
    argv = []
    for name in ("usr", "bin", "sbin", "lib", "lib32", "lib64", "etc/ld.so.cache"):
        path = Path("/") / name
        if path.is_symlink():
            argv += ["--symlink", os.readlink(path), str(path)]
        elif path.exists():
            argv += ["--ro-bind", str(path), str(path)]
    return argv


def _python_roots() -> list[str]:
    """Python itself, the virtual environment and every import folder, except
    that the package's checkout contributes the package alone."""
    roots = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix)}
    roots |= {p for p in python_path() if not _is_repo_root(p)}
    roots.add(str(_PACKAGE))
    roots.add(os.path.dirname(os.path.realpath(sys.executable)))
    system = ("/usr", "/bin", "/lib")
    ordered = sorted(r for r in roots if not r.startswith(system))
    return [
        r
        for r in ordered
        if not any(_inside(Path(r), Path(o)) and r != o for o in ordered)
    ]


def _inside(path: Path, root: Path) -> bool:
    path, root = Path(os.path.realpath(path)), Path(os.path.realpath(root))
    return path == root or root in path.parents
