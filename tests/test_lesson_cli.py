"""The `lesson` commands (lessons/cli.py, attached to cli.py): list, run,
notebook and jupyter, their languages, and their one-line errors; and the
exercise commands the lessons tell students to run, run exactly as written."""

from __future__ import annotations

import json
import os
import re
import signal

import pytest
from click.testing import CliRunner

from cli import main
from lessons import cli as lesson_cli
from lessons import i18n
from lessons.catalog import catalog
from lessons.i18n import course_text, read_lesson_text

LESSONS = catalog("en")


@pytest.fixture(autouse=True)
def _no_language_from_the_machine(monkeypatch):
    """Each test says its language: no locale, no earlier choice leaks in."""
    for name in ("TINYGRAD_TX_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(i18n, "_chosen", None)


def invoke(*args, **kwargs):
    return CliRunner().invoke(main, list(args), **kwargs)


def test_list_names_every_lesson_in_each_language():
    english = invoke("lesson", "list")
    assert english.exit_code == 0, english.output
    for info in LESSONS:
        assert f"{info.number:>2}  {info.title}" in english.output
    portuguese = invoke("lesson", "list", "--lang", "pt")
    assert " 1  Por que atenção?" in portuguese.output
    assert " 0  Modelos de linguagem" in portuguese.output
    for info in catalog("pt"):
        if not info.bilingual:  # not converted yet: its English title, marked
            assert f"{info.number:>2}  {info.title}  [en]" in portuguese.output


def test_the_locale_chooses_the_language_when_lang_is_not_given(monkeypatch):
    monkeypatch.setenv("LANG", "pt_BR.UTF-8")
    listed = invoke("lesson", "list").output
    assert " 2  Tensores e diferenciação automática" in listed
    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")
    assert " 2  Tensors and autograd" in invoke("lesson", "list").output
    assert " 2  Tensores" in invoke("lesson", "list", "--lang", "pt").output


def test_an_unknown_language_is_a_clear_error():
    result = invoke("lesson", "list", "--lang", "fr")
    assert result.exit_code == 2
    assert "unknown course language 'fr'; the course is written in en, pt" in (
        result.output
    )


@pytest.mark.parametrize("number", ["99", "-1"])
def test_run_a_lesson_that_does_not_exist(number, monkeypatch):
    monkeypatch.setenv("UV_RUN_RECURSION_DEPTH", "1")  # started by `uv run`
    result = invoke("lesson", "run", number)
    assert result.exit_code == 2, result.output
    assert f"there is no lesson {number}; the lessons are 0 to " in result.output
    assert "No such option" not in result.output
    assert "(uv run python cli.py lesson list)" in result.output  # the pasteable hint


def test_run_says_where_outputs_went_in_its_language(tmp_path, monkeypatch):
    monkeypatch.setenv("TINYGRAD_TX_LESSON_OUT", str(tmp_path))
    result = invoke("lesson", "run", "2", "--fast", "--lang", "pt")
    assert result.exit_code == 0, result.output
    assert "aula 2: Tensores e diferenciação automática" in result.output
    assert f"saídas em {tmp_path / '02'}" in result.output
    assert "results.json" in result.output
    results = json.loads((tmp_path / "02" / "results.json").read_text())
    assert results["grads_by_engine"]["w1"] == pytest.approx(1.0, abs=1e-6)


def test_ctrl_c_reaches_the_lesson_and_run_waits_for_it(tmp_path):
    """Ctrl-C goes to the whole foreground group: the lesson script decides
    (lesson 14 saves its training first); `lesson run` neither dies nor kills it."""
    done = tmp_path / "saved"
    script = tmp_path / "lesson.py"
    script.write_text(
        "import os, signal, time\n"
        "os.kill(os.getppid(), signal.SIGINT)  # the terminal's Ctrl-C, to the parent\n"
        "time.sleep(0.6)  # longer than subprocess.run's 0.25 s grace\n"
        f"open({str(done)!r}, 'w').write('ok')\n"
    )
    assert lesson_cli._run_script(script, dict(os.environ)) == 0
    assert done.read_text() == "ok"


def test_ctrl_c_during_the_lessons_training_stops_the_lesson(tmp_path, monkeypatch):
    import transformer.train
    from lessons import utils

    monkeypatch.setenv("TINYGRAD_TX_LESSON_OUT", str(tmp_path))
    stopped = {"interrupted": True, "signal": "Ctrl-C", "step": 3}
    monkeypatch.setattr(transformer.train, "train", lambda *a, **k: stopped)
    with pytest.raises(KeyboardInterrupt, match="training stopped by Ctrl-C"):
        utils.train_lesson_translator(fast=True)  # not a finished run to read on


def test_run_of_a_lesson_stopped_by_ctrl_c_exits_130(monkeypatch):
    monkeypatch.setattr(lesson_cli, "_run_script", lambda path, env: -signal.SIGINT)
    result = invoke("lesson", "run", "2", "--lang", "en")
    assert result.exit_code == 130
    assert "lesson 2 stopped by Ctrl-C" in result.output
    assert "exit code" not in result.output


def test_run_with_an_output_folder_it_cannot_write_is_one_line(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("in the way")
    monkeypatch.setenv("TINYGRAD_TX_LESSON_OUT", str(blocker / "out"))
    result = invoke("lesson", "run", "1", "--lang", "en")
    assert result.exit_code == 1
    assert result.output.startswith("Error: cannot write lesson 1's outputs in ")
    assert "TINYGRAD_TX_LESSON_OUT" in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output


def test_notebook_is_written_in_its_language_and_kept_afterwards(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    result = invoke("lesson", "notebook", "1", "--lang", "pt", "--to", str(tmp_path))
    path = tmp_path / "01_why_attention.ipynb"
    assert result.exit_code == 0 and f"escrevi {path}" in result.output, result.output
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    assert notebook.cells[0].source.startswith("# Aula 1: Por que atenção?")
    assert "**Objetivos**" in notebook.cells[1].source
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    assert 'lesson_text(1, "pt")' in code
    assert all(c.source.strip() for c in notebook.cells), "an empty cell"
    assert notebook.metadata["kernelspec"]["name"] == "python3"

    notebook.cells[1].source += "\n\nMinha anotação."  # the student's work
    nbformat.write(notebook, path)
    again = invoke("lesson", "notebook", "1", "--lang", "pt", "--to", str(tmp_path))
    assert again.exit_code == 0 and f"mantive {path}" in again.output
    assert "Minha anotação." in path.read_text()
    forced = invoke("lesson", "notebook", "1", "--lang", "en", "--to", str(tmp_path),
                    "--force")  # fmt: skip
    assert forced.exit_code == 0 and "Minha anotação." not in path.read_text()
    assert "# Lesson 1: Why attention" in path.read_text()


def test_notebook_all_writes_every_lesson_and_says_which_are_in_english(tmp_path):
    result = invoke("lesson", "notebook", "--all", "--lang", "pt", "--to",
                    str(tmp_path))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert sorted(p.stem for p in tmp_path.glob("*.ipynb")) == [
        info.path.stem for info in LESSONS
    ]
    untranslated = [info for info in catalog("pt") if not info.bilingual]
    for info in untranslated:
        note = course_text("pt")("not_written_in", number=info.number, language="en")
        assert note in result.output
    assert result.output.count("(a aula ") == len(untranslated)


def test_notebook_needs_one_number_or_all():
    for args in ([], ["1", "--all"]):
        result = invoke("lesson", "notebook", *args)
        assert result.exit_code == 2
        assert "give one lesson NUMBER or --all" in result.output


def test_jupyter_without_jupyterlab_says_how_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(lesson_cli.importlib.util, "find_spec", lambda name: None)
    result = invoke("lesson", "jupyter", "--lang", "pt", "--to", str(tmp_path))
    assert result.exit_code == 1
    assert "JupyterLab is not installed: run `uv run --group course" in result.output
    assert not list(tmp_path.iterdir()), "nothing written before the error"


def test_jupyter_writes_the_notebooks_then_opens_their_folder(monkeypatch, tmp_path):
    started = []
    monkeypatch.setattr(lesson_cli.importlib.util, "find_spec", lambda name: object())
    monkeypatch.setattr(lesson_cli.subprocess, "run",
                        lambda command, check: started.append(command))  # fmt: skip
    result = invoke("lesson", "jupyter", "--lang", "pt", "--to", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert len(list(tmp_path.glob("*.ipynb"))) == len(LESSONS)
    assert started and started[0][1:3] == ["-m", "jupyterlab"]
    assert started[0][3] == f"--ServerApp.root_dir={tmp_path}"


# ---------------------------------------------------------------- the exercises


EXERCISE_COMMAND = re.compile(r"python cli\.py (exercise [a-z_ ]+?)\s*(?:`|$)", re.M)


def exercise_commands() -> list[tuple[int, str, str]]:
    """(lesson, language, command) for every exercise command a lesson shows."""
    found = []
    for info in LESSONS:
        for language in info.languages:
            text = "\n".join(read_lesson_text(info.number, language).cells.values())
            commands = EXERCISE_COMMAND.findall(text)
            found += [(info.number, language, command) for command in commands]
    return found


def test_lessons_give_the_same_exercise_commands_in_every_language():
    commands = exercise_commands()
    by_lesson = {}
    for number, language, command in commands:
        by_lesson.setdefault(number, {}).setdefault(language, []).append(command)
    assert {2, 3, 4} <= set(by_lesson), by_lesson
    for number, languages in by_lesson.items():
        assert len({tuple(c) for c in languages.values()}) == 1, (number, languages)
        assert "exercise release" in languages["en"], number


# Each lesson's `exercise check` command is run as written, after `exercise release`,
# by tests/test_grading_cli.py::test_every_lesson_command_runs_as_written.
