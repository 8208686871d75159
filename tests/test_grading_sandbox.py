"""The operating system's fence around a student's process, piece by piece.

test_grading_attacks.py and test_grading_hostile.py attack the whole grader;
these tests pin down the parts those attacks rely on: what the student's
process may read and what it must never see, the user a root grader runs it
as, and a writer that cannot be blocked by a reader that stopped reading.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tinygrad_tx.grading import sandbox, wire


def test_proc_self_stays_a_name_for_the_students_process():
    """Resolved in the grader, /proc/self would name the grader's own entry
    (its environment, its memory): the worker resolves it to its own."""
    roots = sandbox.read_roots("/submission")
    assert "/proc/self" in roots
    assert f"/proc/{os.getpid()}" not in roots


def test_an_installed_copy_of_the_answer_key_is_never_visible(monkeypatch, tmp_path):
    """A non-editable install puts lessons/exercises (the answer key and the
    hidden checks) in site-packages, which the student's Python must read."""
    site = tmp_path / "site-packages"
    copy = site / "lessons" / "exercises"
    copy.mkdir(parents=True)
    monkeypatch.setattr(sandbox, "python_path", lambda: [str(site)])
    hidden = tmp_path / "answer_key"
    denied = sandbox.deny_roots([hidden])
    assert os.path.realpath(copy) in denied and os.path.realpath(hidden) in denied
    argv, _ = sandbox.command("/usr/bin/bwrap", tmp_path / "scratch", [])
    covered = [argv[i + 1] for i, a in enumerate(argv) if a == "--tmpfs"]
    assert os.path.realpath(copy) in covered


def test_a_reader_that_stops_reading_cannot_block_the_grader():
    read_end, write_end = os.pipe()
    try:
        deadline = time.monotonic() + 0.3
        with pytest.raises(TimeoutError):
            wire.write_frame(write_end, {"x": "y" * 500_000}, deadline)
    finally:
        os.close(read_end)
        os.close(write_end)


PROBE = """
import os, resource, threading
resource.setrlimit(resource.RLIMIT_NPROC, (0, 0))
for name, act in (
    ("fork", os.fork),
    ("thread", lambda: threading.Thread(target=print).start()),
    ("kill", lambda: os.kill(os.getppid(), 0)),
    ("write", lambda: open({target!r}, "w")),
):
    try:
        act()
        print(name, "allowed")
    except (OSError, RuntimeError) as exc:
        print(name, "refused", type(exc).__name__)
print("uid", os.getuid())
"""


@pytest.mark.skipif(
    os.name != "posix" or os.geteuid() != 0,
    reason="only a grader running as root runs students as users of their own",
)
def test_as_root_the_students_process_runs_as_a_user_of_its_own(tmp_path):
    uid = sandbox.new_uid()
    target = tmp_path / "teachers_file"
    argv = sandbox.unprivileged(
        [sys.executable, "-c", PROBE.format(target=str(target))], uid
    )
    if argv is None:
        pytest.skip("setpriv (util-linux) cannot start Python as another user here")
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd="/")
    said = done.stdout.splitlines()
    assert f"uid {uid}" in said, done.stdout + done.stderr
    assert "fork refused BlockingIOError" in said
    assert "thread refused RuntimeError" in said
    assert "kill refused PermissionError" in said
    assert "write refused PermissionError" in said
    assert not Path(target).exists()
