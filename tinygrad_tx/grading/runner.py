"""Running an exercise's checks on a student's file: one result per check, never a crash.

Every check starts with a fresh load of the student's file in the student's
process, then asks it for outputs and judges them here. Whatever goes wrong
becomes that check's failure message, and the next check runs:

    the answer is wrong        the check's message, and the hint for that mistake
    a part is not written      "not done yet: ..." (NotImplementedError)
    the code raises            the exception and the line of the student's file
    it runs too long           "stopped after N s" (the process is killed)
    loading it never ends      every check: "loading ... did not finish" (one wait)
    the process dies           "the process running your code ended ..."

An exercise has a time budget of two time limits: once earlier checks have
spent it (on loops), the remaining checks fail without running (honest code
runs a whole exercise in well under one).
"""

from __future__ import annotations

import os
import secrets
import time
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from . import i18n, messages, wire
from .checks import Check, CheckFailure, Run, clean, describe_error
from .exercises import Exercise
from .sandbox import Isolation, Limits
from .session import (
    NotStarted,
    Session,
    StudentDied,
    StudentGarbled,
    StudentTimeout,
    TrustedSession,
)

PUBLIC_SEED = 0  # the public checks draw the same inputs every time
MAX_FILE_BYTES = 2**20  # a submitted file larger than 1 MB is not run
BUDGET_LIMITS = 2  # an exercise may spend this many time limits in all


def new_seed() -> int:
    return secrets.randbelow(2**31)


@dataclass
class CheckResult:
    name: str
    points: int  # earned: all of max_points or none
    max_points: int
    passed: bool
    message: str = ""  # what went wrong (empty when passed)
    hint: str = ""  # the hint shown with a failure
    hidden: bool = False
    hint_id: str = ""  # which hint: the check's own, or one written for a mistake
    # passed, wrong, timeout, load-timeout, load-error, died, garbled, budget,
    # missing, too-large, not-started
    outcome: str = "passed"


@dataclass
class ExerciseReport:
    exercise: str
    lesson: int
    title: str
    path: str
    results: list[CheckResult] = field(default_factory=list)
    hidden_points: int = 0  # the exercise's hidden points, run or not
    hidden_run: bool = False
    seed: int | None = None  # the hidden checks' inputs come from this seed
    output: str = ""  # what the student's code printed (cleaned, truncated)
    isolated: bool = True  # False: no Bubblewrap (limits only)
    lang: str = "en"  # the language of the messages and hints

    @property
    def score(self) -> int:
        return sum(r.points for r in self.results)

    @property
    def max_score(self) -> int:
        """The points of the checks that ran."""
        return sum(r.max_points for r in self.results)

    @property
    def public_score(self) -> int:
        return sum(r.points for r in self.results if not r.hidden)

    @property
    def public_max(self) -> int:
        return sum(r.max_points for r in self.results if not r.hidden)

    @property
    def hidden_score(self) -> int:
        return sum(r.points for r in self.results if r.hidden)

    @property
    def total_max(self) -> int:
        """The exercise's points: public and hidden, the same number everywhere."""
        return self.public_max + self.hidden_points

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results)

    def to_dict(self) -> dict:
        data = asdict(self)
        for key in ("score", "max_score", "public_score", "public_max"):
            data[key] = getattr(self, key)
        data.update(
            hidden_score=self.hidden_score if self.hidden_run else None,
            hidden_max=self.hidden_points,
            total_max=self.total_max,
            passed=self.passed,
        )
        return data

    def format(self) -> str:
        """The report as a student reads it, in the current language."""
        from .report import format_report

        with i18n.language(self.lang):
            return format_report(self)


# ------------------------------------------------------------------ an exercise


def run_exercise(
    exercise: Exercise,
    student_file: Path | str,
    timeout: float | None = 10.0,
    hidden: bool = False,
    seed: int | None = None,
    lang: str | None = None,
    isolation: Isolation | None = None,
    limits: Limits | None = None,
    trusted: bool = False,
) -> ExerciseReport:
    """Every check of `exercise` on `student_file`, each under `timeout` seconds
    (None: no limit). hidden: the teacher's hidden checks too, with inputs drawn
    from `seed` (a new one when None; the report records it). trusted: run the
    file in this process (the answer key, tests), not in a sandbox."""
    student_file = Path(student_file)
    seed = new_seed() if hidden and seed is None else seed
    report = ExerciseReport(
        exercise.id,
        exercise.lesson,
        exercise.title_in(i18n.resolve(lang)),
        _shown(student_file),
        hidden_points=exercise.hidden_points,
        hidden_run=hidden,
        seed=seed if hidden else None,
        lang=i18n.resolve(lang),
    )
    report.source = student_file  # the file itself (path: as text for the exports)
    with i18n.language(report.lang):
        checks = exercise.checks(hidden)
        refused = _refuse_file(student_file)
        if refused is not None:
            message, kind = refused
            report.results = [_failed(c, h, message, kind=kind) for c, h in checks]
            return report
        with _session(student_file, timeout, isolation, limits, trusted) as session:
            report.results = _ChecksRun(exercise, session, timeout, seed).all(checks)
        report.output = clean(session.output, 4000)
        report.isolated = session.isolated
    return report


def _shown(path: Path) -> str:
    """A path as text any export can hold: bytes that are not UTF-8 (possible in
    a folder name) become U+FFFD."""
    return os.fsencode(path).decode("utf-8", "replace")


def _refuse_file(path: Path) -> tuple[str, str] | None:
    """(message, outcome) when `path` is not a file the grader runs: missing, a
    link, a folder, or over MAX_FILE_BYTES (no copy of it is made)."""
    if path.is_symlink():
        return str(messages.FILE_IS_LINK).format(path=_shown(path)), "missing"
    if path.is_dir():
        return str(messages.FILE_IS_FOLDER).format(path=_shown(path)), "missing"
    if not path.is_file():
        return str(messages.FILE_MISSING).format(path=_shown(path)), "missing"
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        text = str(messages.FILE_TOO_LARGE)
        return text.format(file=path.name, size=size), "too-large"
    return None


def _session(student_file, timeout, isolation, limits, trusted):
    if trusted:
        return TrustedSession(student_file)
    return Session(student_file, limits or _limits(timeout), isolation or Isolation())


def _limits(timeout: float | None) -> Limits:
    cpu = 3600 if timeout is None else int(BUDGET_LIMITS * timeout) + 30
    return Limits(cpu_seconds=cpu)


class _ChecksRun:
    """The checks of one exercise on one file, in order, within the budget."""

    def __init__(self, exercise: Exercise, session, timeout, seed):
        self.exercise, self.session = exercise, session
        self.timeout, self.seed = timeout, seed
        self.load_failure = None  # a file that cannot load fails every check
        self.load_kind = "load-error"
        self.budget_end = (
            None if timeout is None else time.monotonic() + BUDGET_LIMITS * timeout
        )

    def all(self, checks) -> list[CheckResult]:
        return [self.one(check, hidden) for check, hidden in checks]

    def one(self, check: Check, hidden: bool) -> CheckResult:
        if self.load_failure is not None:
            return _failed(check, hidden, self.load_failure, kind=self.load_kind)
        now = time.monotonic()
        if self.budget_end is not None and now >= self.budget_end:
            spent = BUDGET_LIMITS * self.timeout
            message = str(messages.BUDGET).format(seconds=spent)
            return _failed(check, hidden, message, kind="budget")
        deadline = None if self.timeout is None else now + self.timeout
        seed = self.seed if hidden else PUBLIC_SEED
        run = Run(
            self.session,
            _rng(seed, self.exercise.id, check.name),
            deadline,
            reference=self.exercise.reference,
        )
        loaded = False
        try:
            loaded = self._load(deadline)
            check.fn(run)
        except CheckFailure as failure:
            kind = "wrong" if loaded else self.load_kind
            return _failed(check, hidden, str(failure), failure.hint, kind)
        except StudentTimeout:
            return self._timed_out(check, hidden, loaded)
        except StudentDied as died:
            return _failed(check, hidden, _died(died.returncode), kind="died")
        except (StudentGarbled, wire.WireError) as exc:
            message = str(messages.GARBLED).format(why=clean(exc, 100))
            return _failed(check, hidden, message, kind="garbled")
        except NotStarted as exc:
            message = str(messages.NOT_STARTED).format(why=clean(exc, 300))
            return _failed(check, hidden, message, kind="not-started")
        return CheckResult(check.name, check.points, check.points, True, hidden=hidden)

    def _load(self, deadline) -> bool:
        answer = self.session.request({"op": "load"}, deadline)
        if isinstance(answer, dict) and "error" in answer:
            self.load_failure = str(messages.CANNOT_LOAD).format(
                file=self.session.file.name, message=describe_error(answer["error"])
            )
            raise CheckFailure(self.load_failure)
        return True

    def _timed_out(self, check, hidden, loaded) -> CheckResult:
        if not loaded:
            self.load_failure = str(messages.LOAD_TIMEOUT).format(
                file=self.session.file.name, seconds=self.timeout
            )
            self.load_kind = "load-timeout"
            return _failed(check, hidden, self.load_failure, kind="load-timeout")
        message = str(messages.TIMEOUT).format(seconds=self.timeout)
        return _failed(check, hidden, message, kind="timeout")


def _rng(seed: int, exercise_id: str, check_name: str) -> np.random.Generator:
    parts = [seed, zlib.crc32(exercise_id.encode()), zlib.crc32(check_name.encode())]
    return np.random.default_rng(parts)


def _died(returncode) -> str:
    if returncode is None:
        how = "?"
    elif returncode < 0:
        how = f"signal {-returncode}"
    else:
        how = f"exit code {returncode}"
    return str(messages.DIED).format(how=how)


def _failed(check: Check, hidden: bool, message: str, hint=None, kind="wrong"):
    shown = hint or check.hint
    return CheckResult(
        check.name,
        0,
        check.points,
        False,
        message,
        str(shown),
        hidden,
        shown.id if str(shown) else "",
        kind,
    )
