"""The `exercise` commands as students and teachers type them: list, check,
release, grade-all, with every bad input a clear one-line message."""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import json
import re
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tinygrad_tx.grading import discover, find, release

REPO = Path(__file__).resolve().parents[1]
KEYS = find("softmax").file.parent
RIGHT = "return y * (grad_out - (grad_out * y).sum(axis=self.axis, keepdims=True))"


def _load_cli():
    """The repository's cli.py, loaded by path (an installed copy can be stale)."""
    spec = importlib.util.spec_from_file_location("_cli_under_test", REPO / "cli.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


main = _load_cli().main


def run(*args, env=None):
    return CliRunner().invoke(main, ["exercise", *args], env=env or {"LANG": "C"})


def test_list_shows_public_hidden_and_the_same_total():
    result = run("list")
    assert result.exit_code == 0, result.output
    for e in discover():
        row = [e.id, str(e.lesson), str(e.public_points), str(e.hidden_points)]
        row.append(str(e.points(hidden=True)))
        assert any(line.split()[:5] == row for line in result.output.splitlines()), e.id
    public = sum(e.public_points for e in discover())
    hidden = sum(e.hidden_points for e in discover())
    assert f"public + {hidden} hidden = {public + hidden} points" in result.output
    data = json.loads(run("list", "--json", "--lang", "pt").output)
    assert data[0]["title"].startswith("Sigmoide e tanh")


def test_check_without_a_release_says_to_release_first(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("check", "softmax")
    assert result.exit_code == 1
    assert (
        "my_exercises does not exist: run `python cli.py exercise release` first"
        in (result.output)
    )


def test_release_then_check_as_the_lessons_say(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run("release").exit_code == 0
    result = run("check", "softmax")
    assert result.exit_code == 1
    assert "FAIL  backward_through_tensors  0/3" in result.output
    assert "why:  not done yet: write Softmax.forward" in result.output
    assert "points: public 0/9 + hidden –/2 = 0/11" in result.output
    shutil.copy(find("softmax").file, tmp_path / "my_exercises" / "06_softmax.py")
    result = run("check", "softmax")
    assert result.exit_code == 0, result.output
    assert "points: public 9/9 + hidden –/2 = 9/11" in result.output


def test_every_lesson_command_runs_as_written(tmp_path, monkeypatch):
    """Each `python cli.py exercise check ...` in the lessons, run exactly as
    written after `exercise release`: it finds the file and grades it."""
    commands = set()
    for path in (REPO / "lessons").rglob("*"):
        if (
            path.is_file()
            and "exercises" not in path.parts
            and path.suffix in (".py", ".md")
        ):
            text = path.read_text(encoding="utf-8", errors="replace")
            commands |= set(re.findall(r"python cli\.py (exercise check[^`\n]*)", text))
    assert commands, "no lesson tells students how to check an exercise"
    monkeypatch.chdir(tmp_path)
    assert run("release").exit_code == 0
    known = {e.id for e in discover()}
    for command in sorted(commands):
        words = command.split()
        if words[2].isupper() or words[2].startswith("<"):  # ID, <id> in the prose
            continue
        assert words[2] in known, command
        result = CliRunner().invoke(main, words, env={"LANG": "C"})
        assert result.exit_code == 1, (command, result.output)  # the stub fails
        assert "not done yet: write" in result.output, (command, result.output)


def test_check_teacher_options_and_json(tmp_path):
    result = run("check", "softmax", "--path", str(KEYS), "--hidden", "--seed", "3")
    assert result.exit_code == 0, result.output
    assert "points: public 9/9 + hidden 2/2 = 11/11" in result.output
    assert "seed 3" in result.output
    (tmp_path / "06_softmax.py").write_text(
        find("softmax").file.read_text().replace(RIGHT, "return grad_out * y")
    )
    result = run("check", "--all", "--json", "--path", str(tmp_path))
    assert result.exit_code == 1
    data = json.loads(result.output)
    by_id = {e["exercise"]: e for e in data["exercises"]}
    assert set(by_id) == {e.id for e in discover()}
    assert by_id["softmax"]["score"] == 4
    assert by_id["unbroadcast"]["results"][0]["message"].startswith("file not found")
    assert data["total_max"] == sum(e.points(True) for e in discover())


def test_check_in_portuguese_by_option_and_by_locale(tmp_path):
    (tmp_path / "06_softmax.py").write_text(
        find("softmax").file.read_text().replace(RIGHT, "return grad_out * y")
    )
    for extra, env in (
        (["--lang", "pt"], {"LANG": "C"}),
        ([], {"LANG": "pt_BR.UTF-8"}),
    ):
        result = run("check", "softmax", "--path", str(tmp_path), *extra, env=env)
        assert "FALHOU  backward_values" in result.output, result.output
        assert "dica: y·g esquece que as saídas somam 1" in result.output


def test_check_timeout_0_and_a_file_that_exits(tmp_path):
    (tmp_path / "06_softmax.py").write_text(
        find("softmax")
        .file.read_text()
        .replace(RIGHT, "import os\n        os._exit(0)")
    )
    result = run("check", "softmax", "--path", str(tmp_path), "--timeout", "0")
    assert result.exit_code == 1
    assert "ended without an answer (exit code 0)" in result.output


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("nan", "'nan' is not a finite number"),
        ("inf", "inf is not in the range 0<=x<=86400"),
        ("1e300", "1e+300 is not in the range 0<=x<=86400"),  # was an OverflowError
    ],
)
def test_check_timeout_that_is_not_a_usable_number_names_the_option(value, message):
    result = run("check", "softmax", "--path", str(KEYS), "--timeout", value)
    assert result.exit_code == 2
    assert f"Invalid value for '--timeout': {message}" in result.output


def test_check_says_once_when_the_filesystem_was_not_isolated():
    result = run("check", "--all", "--path", str(KEYS), "--isolation", "limits")
    assert result.exit_code == 0
    assert result.output.count("install Bubblewrap") == 1


@pytest.mark.parametrize(
    "args, message",
    [
        (["check"], "give one EXERCISE_ID, or --all"),
        (["check", "nope"], "unknown exercise 'nope'"),
        (["check", "softmax", "--path", "."], "no 06_softmax.py in"),
        (["grade-all", "subs"], "no student folders"),
        (["grade-all", "subs", "--format", "xls"], "unknown format 'xls'"),
        (["grade-all", "subs", "--out", "subs/out"], "inside the submissions folder"),
    ],
    ids=["no-id", "unknown-id", "file-missing", "no-students", "format", "out-inside"],
)
def test_errors_are_messages_not_tracebacks(args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "subs").mkdir()
    result = run(*args)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


# ------------------------------------------------------------------ release


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            h.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return h.hexdigest()


def test_release_keeps_student_work_and_backs_it_up_with_force(tmp_path):
    first = release(tmp_path)
    assert len(first.written) == 2 * len(discover()) + 1
    mine = tmp_path / "06_softmax.py"
    mine.write_text("my work")
    (tmp_path / "notes.txt").write_text("mine")
    again = release(tmp_path)
    assert again.changed == [mine] and mine.read_text() == "my work"
    assert len(again.kept) == len(first.written) - 1
    forced = release(tmp_path, force=True)
    assert forced.written == [mine] and forced.backups == [
        tmp_path / "06_softmax.py.bak"
    ]
    assert (tmp_path / "06_softmax.py.bak").read_text() == "my work"
    mine.write_text("second try")
    release(tmp_path, force=True)
    assert (tmp_path / "06_softmax.py.bak1").read_text() == "second try"
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_release_cli_reports_kept_files(tmp_path):
    assert run("release", "--to", str(tmp_path)).exit_code == 0
    (tmp_path / "03_unbroadcast.py").write_text("mine")
    result = run("release", "--to", str(tmp_path))
    assert result.exit_code == 0
    assert "kept 1 file(s) you changed: 03_unbroadcast.py" in result.output
    assert (tmp_path / "03_unbroadcast.py").read_text() == "mine"


def test_release_never_writes_into_the_answer_key(tmp_path, monkeypatch):
    key = tmp_path / "key"
    shutil.copytree(KEYS, key, ignore=shutil.ignore_patterns("__pycache__"))
    before = _digest(key)
    with pytest.raises(ValueError, match="answer key's folder"):
        release(key, force=True, directory=key)
    with pytest.raises(ValueError, match="answer key's folder"):
        release(key / "checks", force=True, directory=key)
    module = sys.modules[
        "tinygrad_tx.grading.release"
    ]  # the package's `release` is the function
    monkeypatch.setattr(module, "default_directory", lambda: key)
    result = run("release", "--to", str(key), "--force")
    assert result.exit_code == 1 and "answer key's folder" in result.output
    assert _digest(key) == before


# ------------------------------------------------------------------ grade-all


@pytest.fixture
def small_class(tmp_path):
    """ana: right; bruno: a wrong softmax backward; =2+5: a name that is a formula."""
    for name in ("ana", "bruno", "=2+5"):
        (tmp_path / "class" / name).mkdir(parents=True)
        shutil.copy(find("unbroadcast").file, tmp_path / "class" / name)
    key = find("softmax").file.read_text()
    (tmp_path / "class" / "ana" / "06_softmax.py").write_text(key)
    (tmp_path / "class" / "bruno" / "06_softmax.py").write_text(
        key.replace(RIGHT, "return grad_out * y * (1 - y)")
    )
    return tmp_path / "class"


def _grade(small_class, out, *extra):
    return run(
        "grade-all",
        str(small_class),
        "--out",
        str(out),
        "--exercise",
        "softmax",
        "--exercise",
        "unbroadcast",
        "--timeout",
        "5",
        "--seed",
        "1",
        *extra,
    )


def test_grade_all_writes_csv_json_and_feedback(small_class, tmp_path):
    out = tmp_path / "out"
    result = _grade(small_class, out)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader((out / "grades.csv").open()))
    assert [r["student"] for r in rows] == ["'=2+5", "ana", "bruno"]
    ana, bruno = rows[1], rows[2]
    assert ana["softmax"] == "11" and ana["total"] == ana["max"] == "22"
    # the forward checks (2 + 1 + 1) and the hidden one-element rows (1): with a
    # single element y = 1, and the diagonal-only g·y·(1 - y) = 0 happens to be right
    assert bruno["softmax"] == "5"
    assert "identical to the answer key" in ana["flags"]
    data = json.loads((out / "grades.json").read_text())
    assert data["seed"] == 1 and data["complete"] is True
    assert (out / "feedback" / "bruno.md").read_text().startswith("# Feedback: bruno")
    assert "hidden checks seed: 1" in result.output


def test_grade_all_never_overwrites_without_force(small_class, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "grades.csv").write_text("precious")
    result = _grade(small_class, out)
    assert result.exit_code == 1 and "exists; pass --force" in result.output
    assert (out / "grades.csv").read_text() == "precious"
    assert not (out / "feedback").exists()
    assert _grade(small_class, out, "--force").exit_code == 0
    assert (out / "grades.csv").read_text().startswith("student,")


def test_grade_all_checks_output_paths_before_grading(small_class, tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    result = _grade(small_class, tmp_path / "out", "--csv", str(blocker / "grades.csv"))
    assert result.exit_code == 1
    assert "cannot write the csv output" in result.output
    assert "student totals" not in result.output  # nobody was graded
