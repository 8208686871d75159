"""The `exercise` command group: list, check, release, grade-all, gradescope-package.

Attached to the course's command line in cli.py (`main.add_command(exercise)`);
each command parses its options, calls `tinygrad_tx.grading`, and prints.

Students:  python cli.py exercise release          (once: writes my_exercises/)
           python cli.py exercise check softmax    (after editing my_exercises/06_softmax.py)
Teachers:  python cli.py exercise check softmax --path lessons/exercises --hidden
           python cli.py exercise grade-all submissions/ --format csv,canvas
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..cli_errors import FiniteFloatRange, clear_errors
from ..languages import LANGUAGES
from .i18n import Text

STUDENT_FOLDER = "my_exercises"
_ALL = Text(
    "all exercises: {score}/{total} points",
    "todos os exercícios: {score}/{total} pontos",
)

_lang_option = click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default=None,
    help="Language of hints and messages (default: the locale, e.g. LANG=pt_BR.UTF-8 "
    "gives Portuguese; otherwise English).",
)
_timeout_option = click.option(
    "--timeout",
    default=10.0,
    show_default=True,
    type=FiniteFloatRange(min=0, max=86400),  # a day: CPU limits are C longs
    help="Seconds allowed per check (0: no limit; the code still runs in its own "
    "process).",
)
_key_option = click.option(
    "--answer-key",
    "answer_key",
    type=click.Path(exists=True, file_okay=False),
    help="Folder of the answer key and its checks (default: lessons/exercises).",
)
_isolation_option = click.option(
    "--isolation",
    type=click.Choice(["auto", "bwrap", "limits"]),
    default="auto",
    show_default=True,
    help="auto: Bubblewrap when installed; bwrap: require it; limits: never use it.",
)


@click.group()
def exercise():
    """Self-grading exercises: list them, check your work, release student
    copies, grade a class."""


@exercise.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@_lang_option
def exercise_list(as_json, lang):
    """List the exercises: id, lesson, public, hidden and total points, task."""
    from . import discover, i18n

    with clear_errors():
        lang = i18n.resolve(lang)
        rows = [
            {
                "id": e.id,
                "lesson": e.lesson,
                "public": e.public_points,
                "hidden": e.hidden_points,
                "points": e.points(hidden=True),
                "title": e.title_in(lang),
            }
            for e in discover()
        ]
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    width = max(len(r["id"]) for r in rows)
    click.echo(f"{'id':<{width}}  lesson  public  hidden  total  task")
    for r in rows:
        click.echo(
            f"{r['id']:<{width}}  {r['lesson']:>6}  {r['public']:>6}  "
            f"{r['hidden']:>6}  {r['points']:>5}  {r['title']}"
        )
    public, hidden = sum(r["public"] for r in rows), sum(r["hidden"] for r in rows)
    click.echo(
        f"{len(rows)} exercises: {public} public + {hidden} hidden = "
        f"{public + hidden} points"
    )


@exercise.command("check")
@click.argument("exercise_id", required=False)
@click.option("--all", "check_all", is_flag=True, help="Check every exercise.")
@click.option(
    "--path",
    default=STUDENT_FOLDER,
    show_default=True,
    type=click.Path(),
    help="The folder holding your exercise files (or one file). Teachers: "
    "lessons/exercises checks the answer key.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON report.")
@_timeout_option
@click.option(
    "--hidden", is_flag=True, help="Teachers: also run the hidden checks (answer key)."
)
@click.option("--seed", type=int, help="Seed of the hidden checks' inputs.")
@_lang_option
@_isolation_option
@_key_option
def exercise_check(
    exercise_id,
    check_all,
    path,
    as_json,
    timeout,
    hidden,
    seed,
    lang,
    isolation,
    answer_key,
):
    """Run the checks of EXERCISE_ID (or --all) on your file; exit status 1
    while any check fails."""
    from . import Isolation, discover, find, i18n, run_exercise

    if bool(exercise_id) == check_all:
        raise click.UsageError("give one EXERCISE_ID, or --all (see: exercise list)")
    with clear_errors(param="EXERCISE_ID"):
        lang = i18n.resolve(lang)
        exercises = (
            discover(answer_key) if check_all else [find(exercise_id, answer_key)]
        )
    files = _student_files(Path(path), exercises, required=not check_all)
    hide = [exercises[0].file.parent.resolve()]
    with clear_errors():
        reports = [
            run_exercise(
                e, f, timeout or None, hidden, seed, lang, Isolation(isolation, hide)
            )
            for e, f in zip(exercises, files)
        ]
    _print_reports(reports, as_json, lang)
    if not all(r.passed for r in reports):
        sys.exit(1)


def _print_reports(reports, as_json: bool, lang: str) -> None:
    from . import i18n, messages

    if as_json:
        data = {
            "score": sum(r.score for r in reports),
            "max_score": sum(r.max_score for r in reports),
            "total_max": sum(r.total_max for r in reports),
            "isolated": all(r.isolated for r in reports),
            "exercises": [r.to_dict() for r in reports],
        }
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    click.echo("\n\n".join(r.format() for r in reports))
    if len(reports) > 1:
        score = sum(r.score for r in reports)
        total = sum(r.total_max for r in reports)
        with i18n.language(lang):
            click.echo(f"\n{_ALL.format(score=score, total=total)}")
    if not all(r.isolated for r in reports):
        with i18n.language(lang):
            click.echo(f"\nnote: {messages.ISOLATION}", err=True)


def _student_files(path: Path, exercises, required: bool) -> list[Path]:
    """The student's file for each exercise under `path` (a folder or the file)."""
    if not path.exists():
        hint = (
            "run `python cli.py exercise release` first (it writes my_exercises/)"
            if str(path) == STUDENT_FOLDER
            else "pass --path with the folder you released the exercises to"
        )
        raise click.ClickException(f"{path} does not exist: {hint}")
    if path.is_file():
        return [path] * len(exercises)
    files = [path / e.filename for e in exercises]
    missing = [f for f in files if not f.is_file()]
    if (required and missing) or len(missing) == len(files):
        raise click.ClickException(
            f"no {missing[0].name} in {path.resolve()}: pass --path with the folder "
            "you released the exercises to (teachers: --path lessons/exercises checks "
            "the answer key)"
        )
    return files


@exercise.command("release")
@click.option(
    "--to",
    "to",
    default=STUDENT_FOLDER,
    show_default=True,
    type=click.Path(file_okay=False),
    help="The folder to write the student files into.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Replace files that differ from the stubs (each kept as FILE.bak first).",
)
@_lang_option
def exercise_release(to, force, lang):
    """Write the student versions: solutions replaced by NotImplementedError, the
    public checks and a README (never the hidden checks or the answer key). A
    file you have already changed is never replaced without --force."""
    from . import i18n, release

    with clear_errors():
        result = release(to, force=force, lang=i18n.resolve(lang))
    click.echo(
        f"wrote {len(result.written)} files to {to} ({len(result.kept)} already "
        "up to date)"
    )
    for path in result.backups:
        click.echo(f"  your previous version is kept as {path}")
    if result.changed:
        click.echo(
            f"kept {len(result.changed)} file(s) you changed: "
            f"{', '.join(p.name for p in result.changed)}; pass --force to replace "
            "them with the stubs (a .bak copy of each is kept)"
        )


@exercise.command("grade-all")
@click.argument("submissions", type=click.Path(exists=True, file_okay=False))
@click.option(
    "--out",
    default="out/grades",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder for the exports and feedback/<student>.md.",
)
@click.option(
    "--format",
    "formats",
    multiple=True,
    help="csv, json, gradescope, canvas, moodle (repeat or separate with commas; "
    "default csv and json).",
)
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False), help="CSV path.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="JSON path.")
@click.option(
    "--roster",
    type=click.Path(exists=True, dir_okay=False),
    help="CSV mapping folder to name, id, sis_user_id, sis_login_id, section, "
    "email, username (for Canvas and Moodle).",
)
@click.option("--force", is_flag=True, help="Replace existing output files.")
@_timeout_option
@click.option(
    "--exercise",
    "exercise_ids",
    multiple=True,
    help="Grade only this exercise (repeat for more); default: all.",
)
@click.option("--no-hidden", is_flag=True, help="Skip the teacher's hidden checks.")
@click.option("--seed", type=int, help="Seed of the hidden checks (default: new).")
@click.option("--jobs", type=click.IntRange(min=1), help="Students graded at once.")
@_lang_option
@_isolation_option
@_key_option
def exercise_grade_all(submissions, **options):
    """Grade a class: SUBMISSIONS holds one folder per student with their exercise
    files. Hidden checks run too, every check has a time limit, results are
    saved after each student (and on Ctrl-C)."""
    from .gradeall import run_grade_all

    run_grade_all(submissions, **options)


@exercise.command("gradescope-package")
@click.option(
    "--to", required=True, type=click.Path(file_okay=False), help="Output folder."
)
@click.option("--force", is_flag=True, help="Replace an existing package.")
@_lang_option
def exercise_gradescope_package(to, force, lang):
    """Write a Gradescope autograder: setup.sh, run_autograder, the course's
    code with the exercises, and autograder.zip holding them at its root."""
    from . import i18n
    from .gradescope import write_package

    with clear_errors():
        zip_path = write_package(Path(to), force=force, lang=i18n.resolve(lang))
    click.echo(f"wrote {zip_path}: upload it as the assignment's autograder")


@exercise.command("benchmark")
@click.option("--students", default=60, show_default=True, type=click.IntRange(min=1))
@_timeout_option
@click.option("--jobs", type=click.IntRange(min=1), help="Students graded at once.")
@click.option(
    "--keep", type=click.Path(file_okay=False), help="Write the class here (kept)."
)
@_isolation_option
def exercise_benchmark(students, timeout, jobs, keep, isolation):
    """Grade a made-up class (correct, partly wrong, crashing and looping
    students) on every exercise with the hidden checks, and report the time."""
    import os

    from . import Isolation
    from .bench import run_benchmark

    bar = click.progressbar(length=students, label="grading", file=sys.stderr)
    with bar, clear_errors():
        result = run_benchmark(
            students,
            timeout or None,
            jobs,
            Isolation(isolation),
            keep,
            progress=lambda done, count, grades: bar.update(1),
        )
    minutes, seconds = divmod(result["seconds"], 60)
    cores = os.cpu_count()
    click.echo(
        f"{result['students']} students x {result['exercises']} exercises graded in "
        f"{int(minutes)} min {seconds:.0f} s on {cores} cores "
        f"(jobs {jobs or cores}, timeout {timeout:g} s, "
        f"{'Bubblewrap' if result['isolated'] else 'limits only'})"
    )
    for kind, count in result["kinds"].items():
        mean = result["mean_points"][kind]
        click.echo(
            f"  {kind:<13} {count:>3} students, mean {mean:.1f}/{result['max_points']}"
        )
    click.echo(f"class folder: {result['folder']}")
