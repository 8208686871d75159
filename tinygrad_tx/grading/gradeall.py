"""`exercise grade-all`: outputs checked first, a progress bar, saved as it goes.

1. every output path is checked before any student is graded (folders can be
   written, nothing is replaced without --force);
2. students are graded in parallel with a progress bar on stderr;
3. after each student, every export is rewritten (atomically) with the students
   graded so far, so a crash, a kill or Ctrl-C loses at most the students being
   graded at that moment; Ctrl-C also writes them, marked incomplete, and exits
   with status 130.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..cli_errors import clear_errors
from . import exports, i18n, messages
from .classroom import display, grade_all, not_graded, student_folders, summary
from .sandbox import Isolation


def run_grade_all(submissions, **options) -> None:
    """The command: `options` are grade-all's, as click parsed them."""
    with clear_errors():
        setup = _Setup(submissions, options)
        count = len(student_folders(Path(submissions)))
    bar = click.progressbar(
        length=count, label="grading", file=sys.stderr, item_show_func=lambda s: s
    )
    try:
        with bar, clear_errors(param="--exercise"):
            book = grade_all(
                submissions,
                exercise_ids=list(options["exercise_ids"]) or None,
                timeout=options["timeout"] or None,
                hidden=not options["no_hidden"],
                progress=lambda done, n, grades: bar.update(1, display(grades.student)),
                seed=options["seed"],
                lang=setup.lang,
                isolation=setup.isolation,
                jobs=options["jobs"],
                on_student=setup.save,
                directory=options["answer_key"],
            )
    except KeyboardInterrupt:
        click.echo("\ninterrupted: the students graded so far are saved", err=True)
        sys.exit(130)
    setup.save(book)
    _report(book, setup)


class _Setup:
    """Everything decided before the first student is graded: the outputs
    (checked now), the roster, the language, the isolation."""

    def __init__(self, submissions, options):
        out, csv_path, json_path = (
            options["out"],
            options["csv_path"],
            options["json_path"],
        )
        self.submissions = submissions
        chosen = _formats(options["formats"], csv_path, json_path)
        _refuse_inside(Path(out), Path(submissions))
        overrides = {"csv": csv_path, "json": json_path}
        self.plan = exports.plan(out, chosen, options["force"], overrides)
        roster = options["roster"]
        self.roster = exports.load_roster(roster) if roster else {}
        self.lang = i18n.resolve(options["lang"])
        self.isolation = Isolation(options["isolation"], hide=[Path(out).resolve()])
        self.isolation.bwrap()  # fails now if --isolation bwrap and it is missing

    def save(self, book) -> None:
        exports.write_all(book, self.plan, self.roster)


def _formats(formats, csv_path, json_path) -> list[str]:
    chosen = [f.strip() for text in formats for f in text.split(",") if f.strip()]
    unknown = [f for f in chosen if f not in exports.FORMATS]
    if unknown:
        raise click.BadParameter(
            f"unknown format {unknown[0]!r}; choose from {', '.join(exports.FORMATS)}",
            param_hint="--format",
        )
    chosen = chosen or ["csv", "json"]
    if csv_path and "csv" not in chosen:
        chosen.append("csv")
    if json_path and "json" not in chosen:
        chosen.append("json")
    return list(dict.fromkeys(chosen))


def _refuse_inside(out: Path, submissions: Path) -> None:
    out, submissions = out.resolve(), submissions.resolve()
    if out == submissions or submissions in out.parents:
        raise ValueError(
            f"--out {out} is inside the submissions folder {submissions}: it would "
            "be graded as a student; choose a folder outside it"
        )


def _report(book, setup: _Setup) -> None:
    click.echo(summary(book))
    click.echo(f"hidden checks seed: {book.seed} (pass --seed {book.seed} to repeat)")
    skipped = not_graded(Path(setup.submissions))
    if skipped:
        click.echo(f"not graded: {', '.join(skipped)}")
    if setup.roster:
        folders = {exports.composed(g.student) for g in book}
        missing = [f for f in setup.roster if f not in folders]
        if missing:
            names = ", ".join(display(m) for m in sorted(missing))
            click.echo(f"in the roster but without a folder: {names}")
        unknown = [
            g.student for g in book if not exports.roster_entry(g.student, setup.roster)
        ]
        if unknown:
            names = ", ".join(display(u) for u in sorted(unknown))
            click.echo(
                f"folders not in the roster (their Canvas and Moodle rows have no "
                f"ID, so those systems cannot match them): {names}"
            )
    if not book.isolated:
        with i18n.language(setup.lang):
            click.echo(f"note: {messages.ISOLATION}", err=True)
    for fmt, path in setup.plan.paths.items():
        click.echo(f"{fmt}: {path}")
