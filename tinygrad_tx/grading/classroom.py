"""Grading a class: one folder per student, every exercise, hidden checks too.

    submissions/
        ana/06_softmax.py  ana/03_unbroadcast.py ...
        bruno/...

A student's file is looked for at the top of their folder, then anywhere below
it (a submitted copy of the whole release folder works); links are never
followed. Students are graded in parallel (`jobs`, one per core by default),
each in their own processes (see `runner`), and `on_student` is called after
each one, so the results so far can be saved. Stopping (Ctrl-C: KeyboardInterrupt)
kills the running student processes and returns what was graded, marked
incomplete. Every hidden check of the run draws from one seed, recorded.
"""

from __future__ import annotations

import concurrent.futures
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import exports
from .exercises import Exercise, discover, find
from .release import strip_solutions
from .runner import ExerciseReport, new_seed, run_exercise
from .sandbox import Isolation, Limits
from .similarity import suspected_copies


@dataclass
class StudentGrades:
    student: str
    reports: list[ExerciseReport]
    flags: list[str] = field(default_factory=list)  # suspected copies

    @property
    def total(self) -> int:
        return sum(r.score for r in self.reports)

    @property
    def max_total(self) -> int:
        return sum(r.total_max for r in self.reports)

    @property
    def public_total(self) -> int:
        return sum(r.public_score for r in self.reports)

    @property
    def hidden_total(self) -> int:
        return sum(r.hidden_score for r in self.reports)

    @property
    def percent(self) -> float:
        return 100 * self.total / self.max_total if self.max_total else 0.0

    def to_dict(self) -> dict:
        return {
            "student": self.student,
            "total": self.total,
            "max": self.max_total,
            "public": self.public_total,
            "hidden": self.hidden_total,
            "flags": self.flags,
            "exercises": [r.to_dict() for r in self.reports],
        }


class Gradebook(list):
    """The graded students (a list of StudentGrades, sorted by name) and the
    run's facts: exercises, seed, language, isolation, completeness."""

    def __init__(self, exercises, seed, lang, students=()):
        super().__init__(students)
        self.exercises: list[Exercise] = exercises
        self.seed, self.lang = seed, lang
        self.complete = False

    @property
    def isolated(self) -> bool:
        return all(r.isolated for g in self for r in g.reports)


def grade_all(
    submissions: Path | str,
    exercise_ids: list[str] | None = None,
    timeout: float = 10.0,
    hidden: bool = True,
    directory: Path | str | None = None,
    progress: Callable | None = None,
    seed: int | None = None,
    lang: str = "en",
    isolation: Isolation | None = None,
    jobs: int | None = None,
    on_student: Callable | None = None,
    limits: Limits | None = None,
) -> Gradebook:
    """Grade every student folder in `submissions` (sorted by name). progress:
    called as progress(done, count, student_grades) after each student."""
    folders = student_folders(Path(submissions))
    exercises = _select(exercise_ids, directory)
    isolation = isolation or Isolation()
    hide = [Path(submissions).resolve(), *{e.file.parent.resolve() for e in exercises}]
    isolation.hide = list(dict.fromkeys([*isolation.hide, *hide]))
    book = Gradebook(exercises, new_seed() if seed is None else seed, lang)
    grading = _ClassGrading(book, folders, isolation, (timeout, hidden, limits))
    grading.run(jobs or os.cpu_count() or 1, progress, on_student)
    return book


class _ClassGrading:
    """Students graded in a pool of threads (each one's code in its own
    processes); results published into the gradebook as each one finishes."""

    def __init__(self, book: Gradebook, folders, isolation, options):
        self.book, self.folders, self.isolation = book, folders, isolation
        self.timeout, self.hidden, self.limits = options
        self.names = dict(zip(folders, student_names(folders)))
        self.done: dict[Path, StudentGrades] = {}

    def student(self, folder: Path) -> StudentGrades:
        reports = []
        for exercise in self.book.exercises:
            if self.isolation.stop.is_set():
                raise _Stopped
            report = run_exercise(
                exercise,
                _locate(folder, exercise),
                self.timeout,
                self.hidden,
                self.book.seed,
                self.book.lang,
                self.isolation,
                self.limits,
            )
            reports.append(report)
        return StudentGrades(self.names[folder], reports)

    def run(self, workers: int, progress, on_student) -> None:
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=workers)
        futures = {pool.submit(self.student, f): f for f in self.folders}
        try:
            for future in concurrent.futures.as_completed(futures):
                grades = future.result()
                self.done[futures[future]] = grades
                _publish(self.book, self.done, self.folders)
                if progress:
                    progress(len(self.done), len(self.folders), grades)
                if on_student:
                    on_student(self.book)
        except BaseException:  # Ctrl-C, or an error of the grader itself
            self.isolation.stop_all()
            pool.shutdown(wait=True, cancel_futures=True)
            _publish(self.book, self.done, self.folders)
            raise
        pool.shutdown(wait=True)
        self.book.complete = True


class _Stopped(Exception):
    """A student's grading abandoned because the whole run is stopping."""


def _publish(book: Gradebook, done: dict, folders) -> None:
    """The students graded so far, in name order, with their copy flags."""
    book[:] = [done[f] for f in folders if f in done]
    flag_copies(book, book.exercises)


def student_folders(submissions: Path) -> list[Path]:
    if not submissions.is_dir():
        raise FileNotFoundError(
            f"grade-all: submissions folder {submissions} not found"
        )
    folders = sorted(
        p for p in submissions.iterdir() if p.is_dir() and not p.is_symlink()
    )
    if not folders:
        raise ValueError(
            f"grade-all: {submissions} has no student folders (expected one "
            "folder per student, each holding that student's exercise files)"
        )
    return folders


def student_names(folders: list[Path]) -> list[str]:
    """Each folder's name as text the exports can hold: bytes that are not
    UTF-8 become U+FFFD, and a name that then repeats gets " (2)", " (3)"."""
    names, seen = [], set()
    for folder in folders:
        raw = os.fsencode(folder.name).decode("utf-8", "replace")
        name, n = raw, 1
        while name in seen:
            n += 1
            name = f"{raw} ({n})"
        seen.add(name)
        names.append(name)
    return names


def not_graded(submissions: Path) -> list[str]:
    """What sits in `submissions` but is not graded: links (a student's folder
    must be a real folder) and files, each named with the reason."""
    entries = []
    for path in sorted(submissions.iterdir()):
        if path.is_symlink():
            entries.append(f"{display(path.name)} (a link)")
        elif not path.is_dir():
            entries.append(f"{display(path.name)} (not a folder)")
    return entries


def display(name: str) -> str:
    """A name as the terminal shows it: control, bidirectional and other
    invisible characters become "?", so a folder name cannot move the cursor,
    reverse the text or start a fake line."""
    return "".join(c if c.isprintable() else "?" for c in str(name))


def _select(exercise_ids, directory) -> list[Exercise]:
    if not exercise_ids:
        return discover(directory)
    return [find(i, directory) for i in exercise_ids]


def _locate(folder: Path, exercise: Exercise) -> Path:
    top = folder / exercise.filename
    if top.is_file() and not top.is_symlink():
        return top
    below = sorted(
        p
        for p in folder.rglob(exercise.filename)
        if p.is_file() and not p.is_symlink() and not _through_link(p, folder)
    )
    return below[0] if below else top


def _through_link(path: Path, root: Path) -> bool:
    return any(
        parent.is_symlink()
        for parent in path.relative_to(root).parents
        if parent != Path(".")
    )


def flag_copies(book, exercises) -> None:
    """Mark suspected copies in each student's flags (the teacher decides)."""
    for g in book:
        g.flags = []
    by_student = {g.student: g for g in book}
    for i, exercise in enumerate(exercises):
        files = {g.student: _source(g.reports[i]) for g in book}
        stub = strip_solutions(
            exercise.file.read_text(encoding="utf-8"), exercise.filename
        )
        for student, reason in suspected_copies(files, exercise.file, stub).items():
            by_student[student].flags.append(f"{exercise.id} ({reason})")


def _source(report: ExerciseReport) -> Path:
    """The student's file a report graded (its path as it is on disk)."""
    return getattr(report, "source", None) or Path(report.path)


def write_csv(grades, path: Path | str) -> Path:
    """One row per student (see exports.write_csv)."""
    if not isinstance(grades, Gradebook):
        exercises = [find(r.exercise) for r in grades[0].reports] if grades else []
        grades = Gradebook(exercises, None, "en", grades)
    return exports.write_csv(grades, Path(path))[0]


def summary(book) -> str:
    """Per student: total and flags; per exercise: mean points, full marks, and
    how many students' code ran out of time (loops at load time included)."""
    if not book:
        return "no students graded"
    lines = ["student totals:"]
    width = max(len(display(g.student)) for g in book)
    for g in book:
        flags = f"  suspected copy: {display('; '.join(g.flags))}" if g.flags else ""
        name = display(g.student)
        lines.append(f"  {name:<{width}}  {g.total}/{g.max_total}{flags}")
    lines.append("exercises (mean points, full marks, students with time-outs):")
    id_width = max(len(r.exercise) for r in book[0].reports)
    for i, first in enumerate(book[0].reports):
        reports = [g.reports[i] for g in book]
        mean = sum(r.score for r in reports) / len(reports)
        full = sum(r.score == r.total_max for r in reports)
        slow = sum(any(c.outcome in _TIME_OUTCOMES for c in r.results) for r in reports)
        lines.append(
            f"  {first.exercise:<{id_width}}  {mean:5.1f}/{first.total_max:<3} "
            f"{full}/{len(reports)} full, {slow} timed out"
        )
    return "\n".join(lines)


_TIME_OUTCOMES = ("timeout", "load-timeout", "budget")
