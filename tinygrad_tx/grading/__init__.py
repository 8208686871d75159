"""Self-grading exercises: discover them, grade a file, release student copies.

    from tinygrad_tx.grading import grade
    report = grade("softmax", "my_exercises/06_softmax.py")
    print(report.format())          # each check, its points, hints; the total
    report.score, report.total_max, report.to_dict()

The student's code runs in its own process (limits, a scratch folder, Bubblewrap
where installed) and sends back outputs only; the checks, expected values,
verdicts and points live in this process (`grading.runner`). Exercises live in
`lessons/exercises/` (see `grading.exercises` for the layout); check files are
written with `grading.checks`, `grading.expect` and `grading.expr`;
`grading.release` writes the students' copies and `grading.classroom` grades a
whole class.
"""

from __future__ import annotations

from pathlib import Path

from .checks import Check, CheckFailure, Hint, Run, check, hint
from .classroom import Gradebook, StudentGrades, grade_all, summary, write_csv
from .exercises import Exercise, discover, find
from .release import release, strip_solutions
from .runner import CheckResult, ExerciseReport, run_exercise
from .sandbox import Isolation, Limits


def grade(
    exercise_id: str,
    path: Path | str,
    timeout: float | None = 10.0,
    hidden: bool = False,
    directory: Path | str | None = None,
    seed: int | None = None,
    lang: str | None = None,
    isolation: Isolation | None = None,
    trusted: bool = False,
) -> ExerciseReport:
    """Grade one exercise. `path` is the student's file, or a folder holding it
    under the exercise's file name (e.g. 06_softmax.py). timeout: seconds per
    check (None: no limit). hidden: also run the teacher's hidden checks (inputs
    from `seed`). trusted: run the file in this process (only for code you
    trust, such as the answer key)."""
    exercise = find(exercise_id, directory)
    path = Path(path)
    if path.is_dir():
        path = path / exercise.filename
    if isolation is None and not trusted:
        isolation = Isolation(hide=[exercise.file.parent])
    return run_exercise(
        exercise,
        path,
        timeout=timeout,
        hidden=hidden,
        seed=seed,
        lang=lang,
        isolation=isolation,
        trusted=trusted,
    )


__all__ = [
    "Check",
    "CheckFailure",
    "CheckResult",
    "Exercise",
    "ExerciseReport",
    "Gradebook",
    "Hint",
    "Isolation",
    "Limits",
    "Run",
    "StudentGrades",
    "check",
    "discover",
    "find",
    "grade",
    "grade_all",
    "hint",
    "release",
    "run_exercise",
    "strip_solutions",
    "summary",
    "write_csv",
]
