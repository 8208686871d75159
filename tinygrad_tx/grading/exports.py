"""A graded class written out: CSV, JSON, Gradescope, Canvas, Moodle, feedback.

    out/grades/
        grades.csv                  one row per student: points per exercise, totals
        grades.json                 everything: every check, message, hint, seed
        canvas.csv                  Canvas gradebook import (Student, ID, SIS User ID,
                                    SIS Login ID, Section, one column per exercise)
        moodle.csv                  Moodle grade import (Username, Email address, ...)
        gradescope/<student>/results.json   Gradescope autograder results
        feedback/<student>.md       every check, points, message and hint

Every file is written atomically (a temporary file, then a rename), so a reader
never sees half a file, and every text cell of a CSV is escaped against formula
injection (a cell starting with = + - @ gets a leading apostrophe). Paths are
checked before grading starts (`plan`), and an existing file is replaced only
with force=True.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..files import atomic_write_text, writable_folder
from . import i18n, messages

FORMATS = ("csv", "json", "gradescope", "canvas", "moodle")
FILES = {
    "csv": "grades.csv",
    "json": "grades.json",
    "canvas": "canvas.csv",
    "moodle": "moodle.csv",
    "gradescope": "gradescope",
    "feedback": "feedback",
}
ROSTER_COLUMNS = (
    "folder",
    "name",
    "id",
    "sis_user_id",
    "sis_login_id",
    "section",
    "email",
    "username",
)


_PUBLIC_ONLY = i18n.Text(
    "{exercise}: public checks {public}/{public_max} (hidden checks: shown after "
    "the due date)",
    "{exercise}: verificações públicas {public}/{public_max} (ocultas: aparecem "
    "depois do prazo)",
)

# ------------------------------------------------------------------ safety


def escape_cell(value) -> str | int | float:
    """A CSV cell a spreadsheet will not run: text starting with = + - @ (or a
    tab or carriage return) gets a leading apostrophe. Numbers stay numbers."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv_text(rows: list[list]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([escape_cell(cell) for cell in row])
    return buffer.getvalue()


def safe_name(student: str) -> str:
    """A student's folder name as a file name: path separators, control and
    invisible characters become "_", leading dots and spaces go, and at most
    120 bytes remain (with ".md" and a temporary file's prefix it must stay
    under the 255 bytes a file name may have)."""
    name = "".join(
        "_" if c in "/\\" or not c.isprintable() else c for c in student
    ).lstrip(". ")
    name = name.encode("utf-8", "replace")[:120].decode("utf-8", "ignore")
    return name or "_"


def file_names(students) -> dict[str, str]:
    """A distinct file name for each student: `safe_name`, with a short hash of
    the folder name added where the name had to change or would collide with
    another (".ana" and "ana", "Ana" and "ana" on a case-blind disk), so one
    student's feedback never replaces another's."""
    names, taken = {}, set()
    for student in sorted(students):
        name = safe_name(student)
        if name != student or name.casefold() in taken:
            digest = hashlib.sha256(student.encode("utf-8", "replace")).hexdigest()
            name = f"{name}-{digest[:8]}"
        while name.casefold() in taken:
            name += "_"
        taken.add(name.casefold())
        names[student] = name
    return names


# ------------------------------------------------------------------ planning


@dataclass
class Plan:
    """Where each requested format goes (feedback always)."""

    paths: dict[str, Path]
    force: bool = False

    def __getitem__(self, fmt: str) -> Path:
        return self.paths[fmt]

    def __contains__(self, fmt: str) -> bool:
        return fmt in self.paths


def plan(out: Path | str, formats, force=False, overrides=None) -> Plan:
    """The output paths, checked now (before any grading): each folder can be
    created and written to, and nothing existing is replaced without force."""
    out = Path(out)
    paths = {fmt: out / FILES[fmt] for fmt in formats}
    paths.update({k: Path(v) for k, v in (overrides or {}).items() if v})
    paths["feedback"] = out / FILES["feedback"]
    for fmt, path in paths.items():
        _check_target(path, fmt, force)
    return Plan(paths, force)


def _check_target(path: Path, fmt: str, force: bool) -> None:
    is_folder = fmt in ("gradescope", "feedback")
    occupied = path.exists() and (not path.is_dir() or any(path.iterdir()))
    if occupied and not force:
        raise FileExistsError(
            f"{path} exists; pass --force to replace it, or choose another --out"
        )
    if path.exists() and is_folder != path.is_dir():
        kind = "a folder" if is_folder else "a file"
        raise FileExistsError(f"{path} should be {kind} for the {fmt} output")
    try:
        writable_folder(path if is_folder else path.parent)
    except OSError as exc:
        raise OSError(
            f"cannot write the {fmt} output to {path}: {exc.strerror or exc}; "
            "choose a folder you can write to (--out)"
        ) from None


# ------------------------------------------------------------------ roster


def load_roster(path: Path | str) -> dict[str, dict]:
    """folder -> {name, id, sis_user_id, ...} from a CSV whose header names some
    of ROSTER_COLUMNS (folder is required)."""
    path = Path(path)
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        header = [h.strip().lower() for h in reader.fieldnames or []]
        if "folder" not in header:
            raise ValueError(
                f"roster {path}: the header needs a 'folder' column (and any of "
                f"{', '.join(ROSTER_COLUMNS[1:])}); found {header}"
            )
        roster = {}
        for line, row in enumerate(reader, start=2):
            entry = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
            if not entry.get("folder"):
                raise ValueError(f"roster {path}, line {line}: the folder is empty")
            folder = composed(entry["folder"])
            if folder in roster:
                raise ValueError(f"roster {path}, line {line}: folder {folder!r} again")
            roster[folder] = entry
    return roster


def roster_entry(student: str, roster: dict) -> dict:
    """The roster's line for a student folder (names compared in Unicode's
    composed form, so "José" typed on a Mac matches "José" typed elsewhere)."""
    return roster.get(composed(student), {})


def composed(name: str) -> str:
    """`name` in Unicode's composed form (NFC): é as one character, not e + ´."""
    return unicodedata.normalize("NFC", name)


# ------------------------------------------------------------------ writers


def write_all(book, plan: Plan, roster: dict | None = None) -> list[Path]:
    """Every planned output for the students graded so far."""
    roster = roster or {}
    written = []
    writers = {
        "csv": lambda p: write_csv(book, p),
        "json": lambda p: write_json(book, p),
        "canvas": lambda p: write_canvas(book, p, roster),
        "moodle": lambda p: write_moodle(book, p, roster),
        "gradescope": lambda p: write_gradescope(book, p),
        "feedback": lambda p: write_feedback(book, p),
    }
    for fmt, path in plan.paths.items():
        written += writers[fmt](path)
    return written


def write_csv(book, path) -> list[Path]:
    """student, points per exercise, public, hidden, total, max, percent, flags."""
    ids = [e.id for e in book.exercises]
    rows = [["student", *ids, "public", "hidden", "total", "max", "percent", "flags"]]
    for g in book:
        rows.append(
            [
                g.student,
                *[r.score for r in g.reports],
                g.public_total,
                g.hidden_total,
                g.total,
                g.max_total,
                f"{g.percent:.1f}",
                "; ".join(g.flags),
            ]
        )
    return [atomic_write_text(path, _csv_text(rows))]


def write_json(book, path) -> list[Path]:
    data = {
        "complete": book.complete,
        "seed": book.seed,
        "lang": book.lang,
        "isolated": book.isolated,
        "exercises": [
            {
                "id": e.id,
                "lesson": e.lesson,
                "title": e.title,
                "public_points": e.public_points,
                "hidden_points": e.hidden_points,
            }
            for e in book.exercises
        ],
        "students": [g.to_dict() for g in book],
    }
    return [atomic_write_text(path, json.dumps(data, indent=2, ensure_ascii=False))]


def _identity(student: str, roster: dict) -> dict:
    entry = roster_entry(student, roster)
    return {k: entry.get(k, "") for k in ROSTER_COLUMNS} | {"folder": student}


def write_canvas(book, path, roster) -> list[Path]:
    """Canvas's gradebook layout: Student, ID, SIS User ID, SIS Login ID, Section,
    then one column per exercise; the second row gives the points possible."""
    ids = [e.id for e in book.exercises]
    header = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *ids]
    possible = [
        "    Points Possible",
        "",
        "",
        "",
        "",
        *[e.points(True) for e in book.exercises],
    ]
    rows = [header, possible]
    for g in book:
        who = _identity(g.student, roster)
        rows.append(
            [
                who["name"] or g.student,
                who["id"],
                who["sis_user_id"],
                who["sis_login_id"],
                who["section"],
                *[r.score for r in g.reports],
            ]
        )
    return [atomic_write_text(path, _csv_text(rows))]


def write_moodle(book, path, roster) -> list[Path]:
    """Moodle's grade import: a user column to map (username or email address),
    then one column per exercise and the total."""
    ids = [e.id for e in book.exercises]
    rows = [["Username", "Email address", *ids, "Total"]]
    for g in book:
        who = _identity(g.student, roster)
        rows.append(
            [
                who["username"] or g.student,
                who["email"],
                *[r.score for r in g.reports],
                g.total,
            ]
        )
    return [atomic_write_text(path, _csv_text(rows))]


def write_gradescope(book, folder) -> list[Path]:
    """One Gradescope results.json per student, as the autograder spec documents:
    score, tests (name, number, score, max_score, status, visibility, output)."""
    written, names = [], file_names(g.student for g in book)
    for g in book:
        with i18n.language(book.lang):
            data = gradescope_results(g, book)
        path = Path(folder) / names[g.student] / "results.json"
        written.append(
            atomic_write_text(path, json.dumps(data, indent=2, ensure_ascii=False))
        )
    return written


def gradescope_results(g, book) -> dict:
    tests = []
    for number, report in enumerate(g.reports, start=1):
        for n, r in enumerate(report.results, start=1):
            output = "" if r.passed else f"{i18n.WHY}{r.message}\n{i18n.HINT}{r.hint}"
            tests.append(
                {
                    "name": f"{report.exercise}: {r.name}",
                    "number": f"{number}.{n}",
                    "score": r.points,
                    "max_score": r.max_points,
                    "status": "passed" if r.passed else "failed",
                    "visibility": "after_due_date" if r.hidden else "visible",
                    "output": output.strip(),
                }
            )
    # The top-level output is always visible: it must not give the hidden checks
    # away before the tests that hold them are shown (after the due date).
    summary = "\n".join(
        _PUBLIC_ONLY.format(
            exercise=r.exercise, public=r.public_score, public_max=r.public_max
        )
        for r in g.reports
    )
    if not book.isolated:
        summary += f"\n{messages.ISOLATION}"
    return {
        "score": g.total,
        "output": summary,
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {"seed": book.seed, "flags": g.flags},
    }


def write_feedback(book, folder) -> list[Path]:
    from .feedback import feedback_markdown

    written, names = [], file_names(g.student for g in book)
    for g in book:
        with i18n.language(book.lang):
            text = feedback_markdown(g)
        path = Path(folder) / f"{names[g.student]}.md"
        written.append(atomic_write_text(path, text))
    return written
