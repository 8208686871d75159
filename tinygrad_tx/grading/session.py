"""The grader's end of a student's process: send a request, wait, take the answer.

A `Session` serves one student's file for one exercise. It starts the process
when first needed (see `sandbox`), and whatever goes wrong on the other side
becomes an exception here, never a crash of the grader:

    StudentTimeout   no answer before the deadline (the process is killed)
    StudentDied      the process ended without answering (exit code or signal)
    StudentGarbled   bytes that are not a well-formed answer (the process is killed)
    NotStarted       the process could not be started (the machine is out of
                     processes or memory, or Python cannot start in the sandbox)

After any of them the next request starts a fresh process. `close()` kills the
process group and keeps what the student's code printed (`output`).

`TrustedSession` answers the same requests in this process, for code the teacher
trusts (the answer key, tests): no isolation, no time limit, same answers.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
import warnings
from pathlib import Path

from . import sandbox, wire
from .worker import Handler

OUTPUT_KEPT = 4000  # characters of the student's prints kept for the report
STARTUP_SECONDS = 120.0  # Python and NumPy starting on a busy machine


class StudentTimeout(Exception):
    pass


class StudentDied(Exception):
    def __init__(self, returncode):
        super().__init__(returncode)
        self.returncode = returncode


class StudentGarbled(Exception):
    pass


class NotStarted(Exception):
    """No process could be started for the student's code (not their fault)."""


class GradingStopped(Exception):
    """The teacher stopped grading (Ctrl-C): no new student process starts."""


class Session:
    def __init__(
        self, file: Path, limits: sandbox.Limits, isolation: sandbox.Isolation
    ):
        self.file = Path(file)
        self.limits, self.isolation = limits, isolation
        self.bwrap = isolation.bwrap()
        self.process = None
        self.starts = 0
        self.limits_refused: list[str] = []  # limits this system would not set
        self.uid: int | None = None  # the user the process runs as, if not ours
        self._output = io.BytesIO()
        self._dir = Path(tempfile.mkdtemp(prefix="tinygrad_tx_grading_"))

    @property
    def isolated(self) -> bool:
        return self.bwrap is not None

    def request(self, message: dict, deadline: float | None) -> dict:
        """Send `message`; return the answer that carries its id (a fresh random
        number), so a stale or forged frame is never taken for this answer."""
        if self.process is None:
            self._start()
        ask = secrets.randbits(62)
        try:
            stdin = self.process.stdin.fileno()
            wire.write_frame(stdin, {**message, "id": ask}, deadline)
            answer = wire.read_frame(self.process.stdout.fileno(), deadline)
            if not isinstance(answer, dict) or answer.pop("id", None) != ask:
                raise wire.WireError("an answer to another question")
            return answer
        except TimeoutError:
            self._kill()
            raise StudentTimeout from None
        except (EOFError, BrokenPipeError):
            code = self._kill()
            raise StudentDied(code) from None
        except wire.WireError as exc:
            self._kill()
            raise StudentGarbled(str(exc)) from None

    def _start(self) -> None:
        """A fresh scratch folder with a copy of the file, and the process."""
        if self.isolation.stop.is_set():
            raise GradingStopped
        if self.file.is_symlink():
            raise StudentGarbled("a link, not a file: links are not graded")
        self.isolation.live.add(self)
        self.starts += 1
        scratch = self._dir / f"run{self.starts}"
        scratch.mkdir(mode=0o755)
        shutil.copyfile(self.file, scratch / self.file.name)
        argv, view = sandbox.command(self.bwrap, scratch, self.isolation.hide)
        if self.bwrap is None:
            argv = self._as_own_user(argv, scratch)
        self._capture = open(self._dir / f"output{self.starts}", "w+b")  # noqa: SIM115
        try:
            self.process = subprocess.Popen(
                argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._capture,
                cwd=scratch,
                env=sandbox.environment(scratch),
                start_new_session=True,
                close_fds=True,
            )
        except OSError as exc:
            self._capture.close()
            raise NotStarted(exc.strerror or str(exc)) from None
        seen = "/submission" if self.isolated else str(scratch)
        self._handshake(seen, view)

    def _as_own_user(self, argv: list, scratch: Path) -> list:
        """Without Bubblewrap, a grader running as root runs the student's
        process as a user of its own, owner of its scratch folder only."""
        uid = sandbox.new_uid()
        dropped = sandbox.unprivileged(argv, uid)
        if dropped is None:
            return argv
        self._dir.chmod(0o711)  # the way in to the scratch folder, no listing
        os.chown(scratch, uid, uid)
        self.uid = uid
        return dropped

    def _handshake(self, seen: str, scratch_view: str) -> None:
        """Send the process its file, limits and readable folders; wait for it."""
        config = {
            "file": f"{seen}/{self.file.name}",
            "limits": self.limits.as_rlimits(),
            "scratch": scratch_view,
            "read_roots": sandbox.read_roots(seen),
            "deny": sandbox.deny_roots(self.isolation.hide),
        }
        try:
            wire.write_frame(self.process.stdin.fileno(), config)
            deadline = time.monotonic() + STARTUP_SECONDS
            ready = wire.read_frame(self.process.stdout.fileno(), deadline)
        except (TimeoutError, EOFError, BrokenPipeError, wire.WireError) as exc:
            ready = type(exc).__name__
        if not (isinstance(ready, dict) and ready.get("ready") is True):
            self._kill()
            raise NotStarted(f"{ready}; its output: {self.output[-300:]!r}")
        self.limits_refused = list(ready.get("limits_refused") or [])

    def kill(self) -> None:
        """Kill the student's process now (from another thread)."""
        process = self.process
        if process is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)

    def _kill(self):
        """Kill the whole process group; return the exit code (None if unknown)."""
        process, self.process = self.process, None
        if process is None:
            return None
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        code = process.wait()
        for stream in (process.stdin, process.stdout):
            with contextlib.suppress(OSError):
                stream.close()
        self._keep_output()
        return code

    def _keep_output(self) -> None:
        self._capture.seek(0)
        self._output.write(self._capture.read(OUTPUT_KEPT + 1))
        self._capture.close()

    @property
    def output(self) -> str:
        return self._output.getvalue().decode("utf-8", "replace")

    def close(self) -> None:
        self._kill()
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class TrustedSession:
    """The same answers, computed here: for the answer key and the tests."""

    isolated = True  # nothing to isolate from
    starts = 1

    def __init__(self, file: Path):
        self.file = Path(file)
        self.handler = Handler(self.file)
        self._output = io.StringIO()

    def request(self, message: dict, deadline: float | None) -> dict:
        message = json.loads(json.dumps(message))
        out = self._output
        quiet = warnings.catch_warnings()  # the student's warnings stay theirs
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out), quiet:
            warnings.simplefilter("ignore")
            answer = self.handler.handle(message)
        try:  # the same trip through JSON as a real answer
            return json.loads(wire.frame(answer)[8:])
        except wire.WireError:
            return {"error": {"type": "answer too large"}}

    @property
    def output(self) -> str:
        return self._output.getvalue()[: OUTPUT_KEPT + 1]

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
