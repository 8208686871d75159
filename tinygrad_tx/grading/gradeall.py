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
from .classroom import grade_all, summary
from .sandbox import Isolation


def run_grade_all(
    submissions,
    out,
    formats,
    csv_path,
    json_path,
    roster,
    force,
    timeout,
    exercise_ids,
    no_hidden,
    seed,
    jobs,
    lang,
    isolation,
    answer_key,
):
    with clear_errors():
        chosen = _formats(formats, csv_path, json_path)
        _refuse_inside(Path(out), Path(submissions))
        plan = exports.plan(out, chosen, force, {"csv": csv_path, "json": json_path})
        people = exports.load_roster(roster) if roster else {}
        lang = i18n.resolve(lang)
        mode = Isolation(isolation, hide=[Path(out).resolve()])
        mode.bwrap()  # fails now if --isolation bwrap and it is missing

    def save(book):
        exports.write_all(book, plan, people)

    with click.progressbar(length=1, label="grading", file=sys.stderr) as bar:

        def progress(done, count, grades):
            bar.length = count
            bar.label = f"grading ({done}/{count}, last: {grades.student})"
            bar.update(1)

        try:
            with clear_errors(param="--exercise"):
                book = grade_all(
                    submissions,
                    exercise_ids=list(exercise_ids) or None,
                    timeout=timeout or None,
                    hidden=not no_hidden,
                    progress=progress,
                    seed=seed,
                    lang=lang,
                    isolation=mode,
                    jobs=jobs,
                    on_student=save,
                    directory=answer_key,
                )
        except KeyboardInterrupt:
            click.echo("\ninterrupted: the students graded so far are saved", err=True)
            sys.exit(130)
    save(book)
    _report(book, plan, people, lang)


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


def _report(book, plan, people, lang) -> None:
    click.echo(summary(book))
    click.echo(f"hidden checks seed: {book.seed} (pass --seed {book.seed} to repeat)")
    missing = sorted(set(people) - {g.student for g in book})
    if missing:
        click.echo(f"in the roster but without a folder: {', '.join(missing)}")
    if not book.isolated:
        with i18n.language(lang):
            click.echo(f"note: {messages.ISOLATION}", err=True)
    for fmt, path in plan.paths.items():
        click.echo(f"{fmt}: {path}")
