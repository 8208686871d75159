"""Running checks on a student's file: one result per check, never a crash.

Each check loads the student's file afresh and calls the check on it. Whatever
goes wrong becomes that check's failure message, and the next check runs:

    the answer is wrong        the check's own message (CheckFailure)
    a part is not written      "not done yet: ..." (NotImplementedError)
    the code raises            the exception and the line of the student's file
    it runs too long           "stopped after N s" (only with a time limit)
    the process dies           "the process running your code ended (exit code)"

With a time limit the checks run in a child process (forked, so starting it is
cheap); a check that runs past the limit is killed, and a new child carries on
with the checks that are left. Without one they run here, in this process: that
is faster, for trusted code such as the answer key.
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .checks import Check, CheckFailure
from .exercises import Exercise, load_checks, load_module


@dataclass
class CheckResult:
    name: str
    points: int  # earned: all of max_points or none
    max_points: int
    passed: bool
    message: str = ""  # what went wrong (empty when passed)
    hint: str = ""  # the author's hint, shown with a failure
    hidden: bool = False


@dataclass
class ExerciseReport:
    exercise: str
    lesson: int
    title: str
    path: str
    results: list[CheckResult] = field(default_factory=list)

    @property
    def score(self) -> int:
        return sum(r.points for r in self.results)

    @property
    def max_score(self) -> int:
        return sum(r.max_points for r in self.results)

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results)

    def to_dict(self) -> dict:
        data = asdict(self)
        data.update(score=self.score, max_score=self.max_score, passed=self.passed)
        return data

    def format(self) -> str:
        """The report as a student reads it: one line per check, hints under
        the failures, then the total."""
        lines = [f"{self.exercise} (lesson {self.lesson}): {self.title}"]
        lines.append(f"  file: {self.path}")
        width = max((len(r.name) for r in self.results), default=0)
        for r in self.results:
            status = "PASS" if r.passed else "FAIL"
            tag = " (hidden)" if r.hidden else ""
            lines.append(
                f"  {status}  {r.name:<{width}}  {r.points}/{r.max_points}{tag}"
            )
            if not r.passed:
                lines += _indented(r.message, "why:  ")
                if r.hint:
                    lines += _indented(r.hint, "hint: ")
        lines.append(f"  total {self.score}/{self.max_score}")
        return "\n".join(lines)


def _indented(text: str, label: str) -> list[str]:
    pad = " " * (8 + len(label))
    first, *rest = text.splitlines() or [""]
    return [f"        {label}{first}"] + [pad + line for line in rest]


# ------------------------------------------------------------------ one check


def run_check(check: Check, student_file: Path, hidden: bool = False) -> CheckResult:
    """Run one check on a fresh load of the student's file, in this process."""
    student_file = Path(student_file)
    out = io.StringIO()  # the student's prints are not part of the report
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            module = _load_student(student_file)
            check(module)
    except CheckFailure as exc:
        return _failed(check, hidden, str(exc))
    except _LoadError as exc:
        return _failed(check, hidden, str(exc))
    except NotImplementedError as exc:
        return _failed(check, hidden, f"not done yet: {exc}".rstrip(": "))
    except (Exception, SystemExit) as exc:
        return _failed(check, hidden, _describe(exc, student_file))
    return CheckResult(check.name, check.points, check.points, True, hidden=hidden)


class _LoadError(Exception):
    pass


def _load_student(path: Path):
    if not path.is_file():
        raise _LoadError(f"file not found: {path}")
    try:
        return load_module(path, prefix="student")
    except SyntaxError as exc:
        raise _LoadError(
            f"could not load {path.name}: {exc.msg} (line {exc.lineno})"
        ) from exc
    except NotImplementedError:
        raise
    except (Exception, SystemExit) as exc:
        raise _LoadError(f"could not load {path.name}: {_describe(exc, path)}") from exc


def _describe(exc: BaseException, student_file: Path) -> str:
    """The exception, and where in the student's file it came from (or the
    innermost line of any file when the student's file is not on the stack)."""
    frames = traceback.extract_tb(exc.__traceback__)
    mine = [f for f in frames if Path(f.filename).name == student_file.name]
    frame = mine[-1] if mine else (frames[-1] if frames else None)
    what = f"{type(exc).__name__}: {exc}".rstrip(": ")
    if frame is None:
        return f"your code raised {what}"
    place = f"{Path(frame.filename).name}, line {frame.lineno}, in {frame.name}"
    if mine and frame.line:
        place += f": {frame.line.strip()}"
    return f"your code raised {what}\n({place})"


def _failed(check: Check, hidden: bool, message: str) -> CheckResult:
    return CheckResult(check.name, 0, check.points, False, message, check.hint, hidden)


# ------------------------------------------------------------------ an exercise


def run_exercise(
    exercise: Exercise,
    student_file: Path | str,
    timeout: float | None = 10.0,
    hidden: bool = False,
) -> ExerciseReport:
    """Every check of `exercise` on `student_file`. timeout: seconds per check,
    run in a child process; None runs them here without a limit."""
    student_file = Path(student_file)
    report = ExerciseReport(
        exercise.id, exercise.lesson, exercise.title, str(student_file)
    )
    checks = exercise.checks(hidden)
    if not student_file.is_file():
        message = f"file not found: {student_file}"
        report.results = [_failed(c, h, message) for c, h in checks]
    elif timeout is None:
        report.results = [run_check(c, student_file, h) for c, h in checks]
    else:
        report.results = _run_isolated(exercise, checks, student_file, timeout)
    return report


def _run_isolated(exercise, checks, student_file, timeout) -> list[CheckResult]:
    """Run the checks in child processes, each check under `timeout` seconds."""
    files = [exercise.hidden_file if h else exercise.checks_file for _, h in checks]
    todo = [(str(f), c.name, h) for f, (c, h) in zip(files, checks)]
    context = _context()
    if not _loads_in_time(context, student_file, timeout):
        message = (
            f"loading {student_file.name} did not finish in {timeout:g} s: does "
            "code at the top of the file run forever (a loop, input())? Put "
            'trials under `if __name__ == "__main__":`'
        )
        return [_failed(c, h, message) for c, h in checks]
    results: list[CheckResult] = []
    while len(results) < len(todo):
        start = len(results)
        receiver, sender = context.Pipe(duplex=False)
        child = context.Process(
            target=_child, args=(sender, todo[start:], str(student_file)), daemon=True
        )
        child.start()
        sender.close()
        results += _collect(receiver, child, checks[start:], timeout)
        receiver.close()
    return results


def _loads_in_time(context, student_file, timeout) -> bool:
    """Does the student's file load (or fail to load) within the time limit?
    Without this test, a file that hangs on load would cost every check its
    full time limit."""
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_probe, args=(sender, str(student_file)))
    child.daemon = True
    child.start()
    sender.close()
    finished = receiver.poll(timeout)
    child.kill()
    child.join()
    receiver.close()
    return finished


def _probe(sender, student_file) -> None:
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            load_module(student_file, prefix="student")
    except (Exception, SystemExit):
        pass  # the checks report load errors themselves
    sender.send(True)
    sender.close()


def _collect(receiver, child, checks, timeout) -> list[CheckResult]:
    """Results from one child until it finishes, hangs or dies."""
    results = []
    for check, hidden in checks:
        if not receiver.poll(timeout):
            child.kill()
            child.join()
            message = (
                f"stopped after {timeout:g} s: the code did not finish in time "
                "(an infinite loop, or far too much work?)"
            )
            return [*results, _failed(check, hidden, message)]
        try:
            results.append(receiver.recv())
        except EOFError:
            child.join()
            message = (
                "the process running your code ended without a result "
                f"(exit code {child.exitcode}): did it call os._exit or crash?"
            )
            return [*results, _failed(check, hidden, message)]
    child.join()
    return results


def _child(sender, todo, student_file) -> None:
    """In the child: run the checks in order, sending each result at once."""
    loaded: dict[str, dict[str, Check]] = {}
    for checks_file, name, hidden in todo:
        if checks_file not in loaded:
            loaded[checks_file] = {c.name: c for c in load_checks(Path(checks_file))}
        result = run_check(loaded[checks_file][name], Path(student_file), hidden)
        sender.send(result)
    sender.close()


def _context():
    """Fork where the platform has it (fast: nothing is imported again)."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")
