"""The grading benchmark: a class of made-up students, graded as a teacher would.

    python cli.py exercise benchmark            (60 students, all 14 exercises)

Four kinds of students, in fixed shares: correct (the answer key), partly wrong
(some exercises left as the stub, some with sums turned into means), crashing
(an import that fails, an exception, os._exit), and looping (one exercise loops
while loading, another inside a function). The class is graded with every
hidden check, exactly as `exercise grade-all` does, and the wall time is
reported: a measurement, not a test.
"""

from __future__ import annotations

import random
import re
import tempfile
import time
from collections import Counter
from pathlib import Path

from .exercises import Exercise, discover
from .release import BEGIN, strip_solutions

KINDS = (("correct", 0.4), ("partly wrong", 0.3), ("crashing", 0.15), ("looping", 0.15))


def kinds_for(students: int) -> list[str]:
    """`students` kinds in the KINDS shares, rounded (correct takes the rest)."""
    counts = {kind: round(share * students) for kind, share in KINDS[1:]}
    counts["correct"] = students - sum(counts.values())
    return [kind for kind, _ in KINDS for _ in range(counts[kind])]


def generate_class(folder: Path, students: int = 60, seed: int = 0) -> Counter:
    """Write `students` folders of submissions; return how many of each kind."""
    rng = random.Random(seed)
    exercises = discover()
    kinds = kinds_for(students)
    for n, kind in enumerate(kinds):
        student = folder / f"student{n:02d}"
        student.mkdir(parents=True)
        for exercise, text in _submission(kind, exercises, rng).items():
            (student / exercise.filename).write_text(text, encoding="utf-8")
    return Counter(kinds)


def _submission(kind: str, exercises: list[Exercise], rng) -> dict:
    files = {e: e.file.read_text(encoding="utf-8") for e in exercises}
    if kind == "partly wrong":
        for e in rng.sample(exercises, 5):
            files[e] = strip_solutions(files[e], e.filename)
        for e in rng.sample(exercises, 4):
            files[e] = files[e].replace(".sum(", ".mean(")
    elif kind == "crashing":
        crashes = ["import a_module_that_does_not_exist\n", None, None]
        for e, crash in zip(rng.sample(exercises, 3), crashes):
            if crash:
                files[e] = crash + files[e]
            else:
                failure = rng.choice(
                    ['raise RuntimeError("bug")', "import os; os._exit(1)"]
                )
                files[e] = _into_solution(files[e], failure)
    elif kind == "looping":
        at_load, in_function = rng.sample(exercises, 2)
        files[at_load] = "while True:\n    pass\n" + files[at_load]
        files[in_function] = _into_solution(files[in_function], "while True: pass")
    return files


def _into_solution(source: str, line: str) -> str:
    """`line` as the first statement of the first solution block."""
    match = re.search(rf"^( *){re.escape(BEGIN)}\n", source, flags=re.M)
    indent = match.group(1)
    return source[: match.end()] + f"{indent}{line}\n" + source[match.end() :]


def run_benchmark(
    students: int = 60,
    timeout: float = 10.0,
    jobs: int | None = None,
    isolation=None,
    keep: Path | None = None,
    progress=None,
) -> dict:
    """Generate and grade the class; the measurements, for printing."""
    from .classroom import grade_all

    folder = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="grading_bench_"))
    kinds = generate_class(folder, students)
    start = time.monotonic()
    book = grade_all(
        folder, timeout=timeout, jobs=jobs, isolation=isolation, progress=progress
    )
    seconds = time.monotonic() - start
    by_kind: dict[str, list[int]] = {}
    for kind, grades in zip(kinds_for(students), book):
        by_kind.setdefault(kind, []).append(grades.total)
    return {
        "students": students,
        "exercises": len(book.exercises),
        "kinds": dict(kinds),
        "mean_points": {k: sum(v) / len(v) for k, v in by_kind.items()},
        "max_points": book[0].max_total if book else 0,
        "seconds": seconds,
        "isolated": book.isolated,
        "folder": str(folder),
    }
