"""Grading a class: one folder per student, every exercise, hidden checks too.

    submissions/
        ana/06_softmax.py  ana/03_unbroadcast.py ...
        bruno/...

A student's file is looked for at the top of their folder, then anywhere below
it (a submitted copy of the whole release folder works). Each check runs in a
child process under a time limit, so one student's infinite loop costs that
check its time limit and nothing more.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .exercises import Exercise, discover, find
from .runner import ExerciseReport, run_exercise


@dataclass
class StudentGrades:
    student: str
    reports: list[ExerciseReport]

    @property
    def total(self) -> int:
        return sum(r.score for r in self.reports)

    @property
    def max_total(self) -> int:
        return sum(r.max_score for r in self.reports)


def grade_all(
    submissions: Path | str,
    exercise_ids: list[str] | None = None,
    timeout: float = 10.0,
    hidden: bool = True,
    directory: Path | str | None = None,
    progress: Callable[[str, ExerciseReport], None] | None = None,
) -> list[StudentGrades]:
    """Grade every student folder in `submissions` (sorted by name)."""
    submissions = Path(submissions)
    if not submissions.is_dir():
        raise FileNotFoundError(
            f"grade-all: submissions folder {submissions} not found"
        )
    students = sorted(p for p in submissions.iterdir() if p.is_dir())
    if not students:
        raise ValueError(
            f"grade-all: {submissions} has no student folders (expected one "
            "folder per student, each holding that student's exercise files)"
        )
    exercises = _select(exercise_ids, directory)
    grades = []
    for folder in students:
        reports = []
        for exercise in exercises:
            path = _locate(folder, exercise)
            report = run_exercise(exercise, path, timeout=timeout, hidden=hidden)
            if progress:
                progress(folder.name, report)
            reports.append(report)
        grades.append(StudentGrades(folder.name, reports))
    return grades


def _select(exercise_ids, directory) -> list[Exercise]:
    if not exercise_ids:
        return discover(directory)
    return [find(i, directory) for i in exercise_ids]


def _locate(folder: Path, exercise: Exercise) -> Path:
    top = folder / exercise.filename
    if top.is_file():
        return top
    below = sorted(folder.rglob(exercise.filename))
    return below[0] if below else top


def write_csv(grades: list[StudentGrades], path: Path | str) -> Path:
    """One row per student: points per exercise, total, maximum, percent."""
    path = Path(path)
    ids = [r.exercise for r in grades[0].reports] if grades else []
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["student", *ids, "total", "max", "percent"])
        for g in grades:
            percent = 100 * g.total / g.max_total if g.max_total else 0.0
            scores = [r.score for r in g.reports]
            writer.writerow(
                [g.student, *scores, g.total, g.max_total, f"{percent:.1f}"]
            )
    return path


def summary(grades: list[StudentGrades]) -> str:
    """Per student: total; per exercise: mean points and checks that timed out."""
    if not grades:
        return "no students graded"
    lines = ["student totals:"]
    width = max(len(g.student) for g in grades)
    for g in grades:
        lines.append(f"  {g.student:<{width}}  {g.total}/{g.max_total}")
    lines.append("exercises (mean points, full marks, time-outs):")
    id_width = max(len(r.exercise) for r in grades[0].reports)
    for i, first in enumerate(grades[0].reports):
        reports = [g.reports[i] for g in grades]
        mean = sum(r.score for r in reports) / len(reports)
        full = sum(r.passed for r in reports)
        timeouts = sum(
            1
            for r in reports
            for c in r.results
            if c.message.startswith("stopped after")
        )
        lines.append(
            f"  {first.exercise:<{id_width}}  {mean:5.1f}/{first.max_score:<3} "
            f"{full}/{len(reports)} full, {timeouts} timed out"
        )
    return "\n".join(lines)
