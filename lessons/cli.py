"""The `lesson` commands of cli.py: list, run, notebook, jupyter.

    python cli.py lesson list --lang pt
    python cli.py lesson run 1 --lang pt          # a script; outputs in out/lessons/01
    python cli.py lesson notebook --all --lang pt --to my_notebooks/pt
    python cli.py lesson jupyter --lang pt        # the notebooks, opened in JupyterLab

The language is --lang, else the locale (LANG=pt_BR.UTF-8 gives Portuguese),
else English.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
from pathlib import Path

import click

from tinygrad_tx.cli_errors import clear_errors

from .catalog import catalog, find_lesson
from .i18n import course_text, languages, lesson_script, resolve_language
from .utils import WORK, output_dir


def _language(ctx, param, value):
    try:
        return resolve_language(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from None


_lang_option = click.option(
    "--lang",
    callback=_language,
    help=f"Language of the texts: {', '.join(languages())} "
    "(default: the locale's, else en).",
)


_to_option = click.option(
    "--to",
    "folder",
    type=click.Path(file_okay=False),
    help="Folder for the notebooks (default: my_notebooks/<lang>).",
)


def _number(number: int) -> None:
    """A clear usage error for a lesson that does not exist."""
    try:
        lesson_script(number)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="NUMBER") from None


@click.group()
def lesson():
    """The course: numbered lessons from what a language model is to a trained
    translator, in English and Brazilian Portuguese."""


@lesson.command("list")
@_lang_option
def lesson_list(lang):
    """Print each lesson's number, title and one-line summary."""
    with clear_errors():
        lessons = catalog(lang)
    for info in lessons:
        note = "" if info.language == lang else f"  [{info.language}]"
        click.echo(f"{info.number:>2}  {info.title}{note}")
        click.echo(f"    {info.summary}")


# "-1" is a number here, not an option: ignore_unknown_options lets it through.
@lesson.command("run", context_settings={"ignore_unknown_options": True})
@click.argument("number", type=int)
@click.option(
    "--fast",
    is_flag=True,
    help="Smaller workloads (sets TINYGRAD_TX_FAST=1): the same checks, sooner.",
)
@_lang_option
def lesson_run(number, fast, lang):
    """Run lesson NUMBER as a script and say where its figures went.

    Outputs go to out/lessons/NN/ (figures, graphs, results.json). BLAS runs
    on one thread unless OPENBLAS_NUM_THREADS is set: the lessons' matrices
    are small, and extra threads only slow them down on a busy machine.
    """
    _number(number)
    with clear_errors():
        info = find_lesson(number, lang)
        folder = output_dir(number)  # a clear error now if it cannot be written
        say = course_text(lang)
    env = {**os.environ, "TINYGRAD_TX_LANG": lang}
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    if fast:
        env["TINYGRAD_TX_FAST"] = "1"
    click.echo(say("run_header", number=number, title=info.title, file=info.path.name))
    if info.language != lang:
        click.echo(say("not_written_in", number=number, language=info.language))
    returncode = _run_script(info.path, env)
    if returncode in (130, -signal.SIGINT):
        click.echo(say("run_interrupted", number=number), err=True)
        sys.exit(130)  # the shell's code for SIGINT
    if returncode != 0:
        raise click.ClickException(
            f"lesson {number} stopped with exit code {returncode}; the "
            "message above says where"
        )
    files = ", ".join(sorted(p.name for p in folder.iterdir()))
    click.echo(say("run_outputs", folder=folder, files=files))


def _run_script(path: Path, env: dict) -> int:
    """Run a lesson script; its exit code. Ctrl-C reaches the script from the
    terminal, and this process waits for it: the script may save before it stops
    (lesson 14 saves its training) instead of being killed a quarter second later,
    as subprocess.run does to its child when its parent is interrupted."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        return subprocess.run([sys.executable, str(path)], cwd=WORK, env=env).returncode
    finally:
        signal.signal(signal.SIGINT, previous)


def _notebooks(numbers: list[int], lang: str, folder: str | None, force: bool) -> Path:
    """Write the notebooks of `numbers` into `folder` (default: my_notebooks/<lang>),
    keeping those that exist unless `force`. Returns the folder."""
    from .notebooks import write_notebook

    folder = Path(folder or Path("my_notebooks") / lang)
    say = course_text(lang)
    for number in numbers:
        try:
            with clear_errors():
                path, written_in, written = write_notebook(number, folder, lang, force)
        except ImportError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(say("notebook_written" if written else "notebook_kept", path=path))
        if written_in != lang:
            click.echo(say("not_written_in", number=number, language=written_in))
    return folder


@lesson.command("notebook", context_settings={"ignore_unknown_options": True})
@click.argument("number", type=int, required=False)
@click.option("--all", "all_lessons", is_flag=True, help="Every lesson.")
@_lang_option
@_to_option
@click.option(
    "--force",
    is_flag=True,
    help="Replace notebooks that exist (the edits you made in them are lost).",
)
def lesson_notebook(number, all_lessons, lang, folder, force):
    """Write lesson NUMBER (or --all) as a Jupyter notebook in one language.

    A notebook that exists is kept, since your work is in it; --force
    replaces it."""
    if (number is None) == (not all_lessons):
        raise click.UsageError("give one lesson NUMBER or --all (not both)")
    if number is not None:
        _number(number)
    with clear_errors():
        numbers = [number] if number is not None else [i.number for i in catalog(lang)]
    _notebooks(numbers, lang, folder, force)


@lesson.command("jupyter")
@_lang_option
@_to_option
def lesson_jupyter(lang, folder):
    """Open the course in JupyterLab: write the notebooks you do not have yet
    (yours are kept as they are), then start JupyterLab in their folder."""
    if importlib.util.find_spec("jupyterlab") is None:
        raise click.ClickException(
            "JupyterLab is not installed: run `uv run --group course python cli.py "
            "lesson jupyter` (or pip install jupyterlab ipykernel jupytext)"
        )
    with clear_errors():
        numbers = [info.number for info in catalog(lang)]
    folder = _notebooks(numbers, lang, folder, force=False)
    command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={folder}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # a container's root user
        command.append("--allow-root")
    click.echo(" ".join(command))
    subprocess.run(command, check=False)
