"""Self-grading exercises: discover them, grade a file, release student copies.

    from tinygrad_tx.grading import grade
    report = grade("softmax", "my_exercises/06_softmax.py")
    print(report.format())          # each check, its points, hints; the total
    report.score, report.max_score, report.to_dict()

Exercises live in `lessons/exercises/` (see `grading.exercises` for the layout);
check files are written with `grading.checks`; `grading.release` writes the
students' copies and `grading.classroom` grades a whole class.
"""

from __future__ import annotations

from pathlib import Path

from .checks import Check, CheckFailure, check
from .classroom import StudentGrades, grade_all, summary, write_csv
from .exercises import Exercise, discover, find
from .release import release, strip_solutions
from .runner import CheckResult, ExerciseReport, run_exercise


def grade(
    exercise_id: str,
    path: Path | str,
    timeout: float | None = 10.0,
    hidden: bool = False,
    directory: Path | str | None = None,
) -> ExerciseReport:
    """Grade one exercise. `path` is the student's file, or a folder holding it
    under the exercise's file name (e.g. 06_softmax.py). timeout: seconds per
    check (None: run in this process, no limit). hidden: also run the teacher's
    hidden checks."""
    exercise = find(exercise_id, directory)
    path = Path(path)
    if path.is_dir():
        path = path / exercise.filename
    return run_exercise(exercise, path, timeout=timeout, hidden=hidden)


__all__ = [
    "Check",
    "CheckFailure",
    "CheckResult",
    "Exercise",
    "ExerciseReport",
    "StudentGrades",
    "check",
    "discover",
    "find",
    "grade",
    "grade_all",
    "release",
    "run_exercise",
    "strip_solutions",
    "summary",
    "write_csv",
]
