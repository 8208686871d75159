"""The `exercise` command group: list, check, release, grade-all.

Attached to the course's command line in cli.py (`main.add_command(exercise)`);
each command parses its options, calls `tinygrad_tx.grading`, and prints.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..cli_errors import clear_errors


@click.group()
def exercise():
    """Self-grading exercises: list them, check your work, release student
    copies, grade a class."""


@exercise.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def exercise_list(as_json):
    """List the exercises: id, lesson, points and task."""
    from . import discover

    with clear_errors():
        rows = [
            {"id": e.id, "lesson": e.lesson, "points": e.points(), "title": e.title}
            for e in discover()
        ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    width = max(len(r["id"]) for r in rows)
    click.echo(f"{'id':<{width}}  lesson  points  task")
    for r in rows:
        click.echo(
            f"{r['id']:<{width}}  {r['lesson']:>6}  {r['points']:>6}  {r['title']}"
        )
    click.echo(f"{len(rows)} exercises, {sum(r['points'] for r in rows)} points")


@exercise.command("check")
@click.argument("exercise_id", required=False)
@click.option("--all", "check_all", is_flag=True, help="Check every exercise.")
@click.option(
    "--path",
    default=".",
    show_default=True,
    type=click.Path(exists=True),
    help="The folder holding your exercise files (or one file). "
    "Teachers: lessons/exercises checks the answer key.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON report.")
@click.option(
    "--timeout",
    default=10.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Seconds allowed per check; 0 runs the checks here with no limit.",
)
def exercise_check(exercise_id, check_all, path, as_json, timeout):
    """Run the checks of EXERCISE_ID (or --all) on your file; exit status 1
    while any check fails."""
    from . import discover, find, run_exercise

    if bool(exercise_id) == check_all:
        raise click.UsageError("give one EXERCISE_ID, or --all (see: exercise list)")
    if check_all:
        with clear_errors():
            exercises = discover()
    else:
        with clear_errors(param="EXERCISE_ID"):
            exercises = [find(exercise_id)]
    files = [_student_file(Path(path), e, required=not check_all) for e in exercises]
    if not any(f.is_file() for f in files):
        raise click.ClickException(f"no exercise files found in {path}")
    limit = timeout or None
    with clear_errors():
        reports = [run_exercise(e, f, timeout=limit) for e, f in zip(exercises, files)]
    score = sum(r.score for r in reports)
    max_score = sum(r.max_score for r in reports)
    if as_json:
        data = {
            "score": score,
            "max_score": max_score,
            "exercises": [r.to_dict() for r in reports],
        }
        click.echo(json.dumps(data, indent=2))
    else:
        click.echo("\n\n".join(r.format() for r in reports))
        if len(reports) > 1:
            click.echo(f"\nall exercises: {score}/{max_score}")
    if not all(r.passed for r in reports):
        sys.exit(1)


def _student_file(path, exercise, required: bool):
    """The student's file for `exercise` under `path` (a folder or the file)."""
    if path.is_file():
        return path
    file = path / exercise.filename
    if required and not file.is_file():
        raise click.ClickException(
            f"no {exercise.filename} in {path.resolve()}: pass --path with the "
            "folder you released the exercises to (teachers: --path "
            "lessons/exercises checks the answer key)"
        )
    return file


@exercise.command("release")
@click.option(
    "--to",
    "to",
    required=True,
    type=click.Path(file_okay=False),
    help="The folder to write the student files into.",
)
@click.option("--force", is_flag=True, help="Write into a folder that is not empty.")
def exercise_release(to, force):
    """Write the student versions: solutions replaced by NotImplementedError,
    plus the public checks and a README (never the hidden checks)."""
    from . import release

    with clear_errors():
        written = release(to, force=force)
    stubs = [p for p in written if p.suffix == ".py" and p.parent.name != "checks"]
    click.echo(f"wrote {len(stubs)} exercises, their checks and README.md to {to}")


@exercise.command("grade-all")
@click.argument("submissions", type=click.Path(exists=True, file_okay=False))
@click.option(
    "--csv",
    "csv_path",
    default="out/grades.csv",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="Where to write one row per student.",
)
@click.option(
    "--json",
    "json_path",
    type=click.Path(dir_okay=False),
    help="Also write every check's result and message here.",
)
@click.option(
    "--timeout",
    default=10.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds allowed per check.",
)
@click.option(
    "--exercise",
    "exercise_ids",
    multiple=True,
    help="Grade only this exercise (repeat for more); default: all.",
)
@click.option("--no-hidden", is_flag=True, help="Skip the teacher's hidden checks.")
def exercise_grade_all(
    submissions, csv_path, json_path, timeout, exercise_ids, no_hidden
):
    """Grade a class: SUBMISSIONS holds one folder per student with their
    exercise files. Hidden checks run too; each check has a time limit."""
    from . import grade_all, summary, write_csv

    def progress(student, report):
        click.echo(
            f"  {student:<16} {report.exercise:<30} {report.score}/{report.max_score}"
        )

    with clear_errors(param="--exercise"):
        grades = grade_all(
            submissions,
            exercise_ids=list(exercise_ids) or None,
            timeout=timeout,
            hidden=not no_hidden,
            progress=progress,
        )
    Path(csv_path).parent.mkdir(parents=True, exist_ok=True)
    write_csv(grades, csv_path)
    if json_path:
        data = {g.student: [r.to_dict() for r in g.reports] for g in grades}
        Path(json_path).parent.mkdir(parents=True, exist_ok=True)
        Path(json_path).write_text(json.dumps(data, indent=2), encoding="utf-8")
    click.echo(summary(grades))
    click.echo(f"grades written to {csv_path}")
