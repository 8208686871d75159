"""The grading machinery: one clear failure per check whatever the student's code
does (raise, loop forever, return the wrong type, crash the process), a class
graded into a CSV, and the `exercise` commands.

Time limits are short here (1 s) so the child-process tests stay quick.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from tinygrad_tx.grading import discover, find, grade, grade_all, strip_solutions
from tinygrad_tx.grading.classroom import summary, write_csv

KEYS = find("softmax").file.parent  # the answer keys


def _load_cli():
    """The repository's cli.py, loaded by path: an installed copy of cli.py in
    site-packages (from the editable install's force-include) can be stale."""
    path = Path(__file__).resolve().parents[1] / "cli.py"
    spec = importlib.util.spec_from_file_location("_cli_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


main = _load_cli().main


def _softmax_variant(folder, forward=None, backward=None, top=""):
    """A student's 06_softmax.py: the answer key with a part replaced."""
    source = find("softmax").file.read_text(encoding="utf-8")
    if backward is not None:
        right = (
            "return y * (grad_out - (grad_out * y).sum(axis=self.axis, keepdims=True))"
        )
        source = source.replace(right, backward)
    if forward is not None:
        source = source.replace("return self.y\n", f"{forward}\n")
    path = folder / "06_softmax.py"
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(top + source, encoding="utf-8")
    return path


def _status(report):
    return {r.name: r.passed for r in report.results}


# ------------------------------------------------------------------ one student

# softmax's checks when the student's forward is right and backward is broken
_ONLY_BACKWARD_FAILS = {
    "forward_values": True,
    "forward_other_axis": True,
    "huge_logits": True,
    "backward_values": False,
    "backward_gradcheck": False,
}


def test_code_that_raises_fails_those_checks_with_the_line(tmp_path):
    path = _softmax_variant(tmp_path, backward="raise KeyError('oops')")
    report = grade("softmax", path, timeout=None)
    assert _status(report) == _ONLY_BACKWARD_FAILS
    message = report.results[3].message
    assert "your code raised KeyError: 'oops'" in message
    assert "06_softmax.py, line" in message and "in backward" in message


def test_infinite_loop_is_stopped_and_later_checks_still_run(tmp_path):
    path = _softmax_variant(tmp_path, backward="while True:\n            pass")
    start = time.monotonic()
    report = grade("softmax", path, timeout=1.0)
    elapsed = time.monotonic() - start
    assert _status(report) == _ONLY_BACKWARD_FAILS
    for result in report.results[3:]:
        assert result.message.startswith("stopped after 1 s"), result.message
    assert elapsed < 2 * 1.0 + 15  # two checks at the limit, plus start-up


def test_a_file_that_hangs_on_load_costs_one_time_limit(tmp_path):
    path = _softmax_variant(tmp_path, top="while True:\n    pass\n")
    start = time.monotonic()
    report = grade("softmax", path, timeout=1.0)
    elapsed = time.monotonic() - start
    assert report.score == 0
    for result in report.results:
        assert result.message.startswith("loading 06_softmax.py did not finish in 1 s")
    assert elapsed < 1.0 + 10  # not one time limit per check


def test_wrong_types_get_a_clear_message(tmp_path):
    path = _softmax_variant(tmp_path, backward="return [grad_out]")
    report = grade("softmax", path, timeout=None)
    failed = {r.name: r.message for r in report.results if not r.passed}
    assert "should be a numpy.ndarray, got list" in failed["backward_values"]

    folder = tmp_path / "attention"
    folder.mkdir()
    key = find("scaled_dot_product_attention")
    source = key.file.read_text(encoding="utf-8")
    source = source.replace("return weights @ v, weights", "return weights @ v")
    (folder / key.filename).write_text(source)
    report = grade(key.id, folder, timeout=None)
    messages = [r.message for r in report.results if not r.passed]
    assert len(messages) == len(report.results)
    assert "should be a tuple, got Tensor" in messages[0]


def test_a_process_that_dies_fails_one_check_and_the_rest_run(tmp_path):
    path = _softmax_variant(tmp_path, backward="import os\n        os._exit(3)", top="")
    report = grade("softmax", path, timeout=5.0)
    assert [r.passed for r in report.results] == [True, True, True, False, False]
    assert "ended without a result (exit code 3)" in report.results[3].message


def test_unloadable_or_missing_files(tmp_path):
    bad = tmp_path / "06_softmax.py"
    bad.write_text("def softmax(x:\n    pass\n")
    report = grade("softmax", bad, timeout=None)
    assert not any(r.passed for r in report.results)
    assert report.results[0].message.startswith("could not load 06_softmax.py: ")
    assert "(line 1)" in report.results[0].message

    report = grade("softmax", tmp_path / "elsewhere", timeout=None)
    assert report.score == 0
    assert report.results[0].message.startswith("file not found: ")


def test_prints_do_not_leak_into_the_report(tmp_path, capsys):
    path = _softmax_variant(tmp_path, top="print('hello from the student')\n")
    report = grade("softmax", path, timeout=None)
    assert report.passed
    assert "hello" not in capsys.readouterr().out


def test_hidden_checks_run_only_when_asked():
    public = grade("softmax", KEYS, timeout=None)
    everything = grade("softmax", KEYS, timeout=None, hidden=True)
    assert not any(r.hidden for r in public.results)
    assert [r for r in everything.results if not r.hidden] == public.results
    assert everything.max_score > public.max_score


def test_report_as_dict_and_text():
    report = grade("unbroadcast", KEYS, timeout=None)
    data = report.to_dict()
    assert data["exercise"] == "unbroadcast" and data["lesson"] == 3
    assert (
        data["score"]
        == data["max_score"]
        == sum(c.points for c, _ in find("unbroadcast").checks())
    )
    assert json.loads(json.dumps(data)) == data
    text = report.format()
    assert text.splitlines()[0].startswith("unbroadcast (lesson 3): ")
    assert text.splitlines()[-1] == f"  total {data['score']}/{data['score']}"


def test_unknown_exercise_names_the_known_ones():
    with pytest.raises(KeyError, match=r"unknown exercise 'nope'.*softmax"):
        grade("nope", KEYS)


# ------------------------------------------------------------------ release markers


def test_strip_solutions_keeps_the_task_and_names_the_function():
    source = (
        "class Exp:\n"
        "    def backward(self, g):\n"
        "        # Return g * exp(x).\n"
        "        ### BEGIN SOLUTION\n"
        "        return g * self.y\n"
        "        ### END SOLUTION\n"
    )
    assert strip_solutions(source) == (
        "class Exp:\n"
        "    def backward(self, g):\n"
        "        # Return g * exp(x).\n"
        '        raise NotImplementedError("write Exp.backward (see the comments '
        'above)")\n'
    )


@pytest.mark.parametrize(
    "source, message",
    [
        ("### BEGIN SOLUTION\nx = 1\n", "line 1: ### BEGIN SOLUTION is never closed"),
        ("x = 1\n### END SOLUTION\n", "line 2: ### END SOLUTION without"),
        (
            "### BEGIN SOLUTION\n### BEGIN SOLUTION\n",
            "line 2: ### BEGIN SOLUTION inside the block opened at line 1",
        ),
    ],
    ids=["unclosed", "end-without-begin", "nested"],
)
def test_strip_solutions_rejects_broken_markers(source, message):
    with pytest.raises(ValueError, match=message):
        strip_solutions(source, "ex.py")


# ------------------------------------------------------------------ a class


@pytest.fixture
def fake_class(tmp_path):
    """Three students: one right, one with a wrong softmax backward, one whose
    softmax backward never returns. Each hands in softmax and unbroadcast."""
    unbroadcast = find("unbroadcast")
    for name in ("ana", "bruno", "carla"):
        folder = tmp_path / name
        folder.mkdir()
        (folder / unbroadcast.filename).write_bytes(unbroadcast.file.read_bytes())
    _softmax_variant(tmp_path / "ana")
    _softmax_variant(tmp_path / "bruno", backward="return grad_out * y * (1 - y)")
    _softmax_variant(
        tmp_path / "carla" / "nested", backward="while True:\n            pass"
    )
    return tmp_path


def test_grade_all_fake_class_gives_the_right_csv(fake_class, tmp_path):
    start = time.monotonic()
    grades = grade_all(fake_class, ["softmax", "unbroadcast"], timeout=1.0)
    elapsed = time.monotonic() - start
    softmax_max = find("softmax").points(hidden=True)
    unbroadcast_max = find("unbroadcast").points(hidden=True)
    full = softmax_max + unbroadcast_max
    # bruno's backward (the Jacobian's diagonal only) fails backward_values (2),
    # backward_gradcheck (3) and the hidden float32 check (1); carla's loops in
    # those checks and in the hidden single-element one (1), each stopped after 1 s.
    expected = [
        ["student", "softmax", "unbroadcast", "total", "max", "percent"],
        ["ana", str(softmax_max), str(unbroadcast_max), str(full), str(full), "100.0"],
        ["bruno", str(softmax_max - 6), str(unbroadcast_max), str(full - 6), str(full)],
        ["carla", str(softmax_max - 7), str(unbroadcast_max), str(full - 7), str(full)],
    ]
    path = write_csv(grades, tmp_path / "grades.csv")
    rows = list(csv.reader(path.open()))
    assert [row[:5] for row in rows[1:]] == [row[:5] for row in expected[1:]]
    assert rows[0] == expected[0]
    assert rows[2][5] == f"{100 * (full - 6) / full:.1f}"
    carla = grades[2].reports[0]
    timeouts = [r.name for r in carla.results if r.message.startswith("stopped")]
    assert timeouts == [
        "backward_values",
        "backward_gradcheck",
        "single_element_rows",
        "float32_odd_sizes",
    ]
    assert elapsed < len(timeouts) * 1.0 + 20  # the loops cost their limit only
    text = summary(grades)
    assert "softmax" in text and "4 timed out" in text


def test_grade_all_needs_student_folders(tmp_path):
    with pytest.raises(ValueError, match="no student folders"):
        grade_all(tmp_path)
    with pytest.raises(FileNotFoundError, match="not found"):
        grade_all(tmp_path / "missing")


# ------------------------------------------------------------------ the commands


def test_cli_list_shows_id_lesson_points():
    result = CliRunner().invoke(main, ["exercise", "list"])
    assert result.exit_code == 0, result.output
    exercises = discover()
    for e in exercises:
        assert any(
            line.split()[:3] == [e.id, str(e.lesson), str(e.points())]
            for line in result.output.splitlines()
        ), e.id
    total = sum(e.points() for e in exercises)
    assert f"{len(exercises)} exercises, {total} points" in result.output


def test_cli_check_passes_on_the_answer_key_and_fails_on_a_stub(tmp_path):
    runner = CliRunner()
    result = runner.invoke(
        main, ["exercise", "check", "softmax", "--path", str(KEYS), "--timeout", "0"]
    )
    assert result.exit_code == 0, result.output
    assert "PASS  backward_gradcheck" in result.output
    assert "total 9/9" in result.output

    assert (
        runner.invoke(main, ["exercise", "release", "--to", str(tmp_path)]).exit_code
        == 0
    )
    result = runner.invoke(
        main,
        ["exercise", "check", "softmax", "--path", str(tmp_path), "--timeout", "0"],
    )
    assert result.exit_code == 1
    assert "FAIL  backward_gradcheck  0/3" in result.output
    assert "why:  not done yet: write Softmax.forward" in result.output
    assert "hint: dL/dx = y * (g - sum(g * y, axis, keepdims=True))" in result.output
    assert "total 0/9" in result.output


def test_cli_check_all_json(tmp_path):
    _softmax_variant(tmp_path, backward="return grad_out * y")
    result = CliRunner().invoke(
        main, ["exercise", "check", "--all", "--json", "--path", str(tmp_path)]
    )
    assert result.exit_code == 1
    data = json.loads(result.output)
    by_id = {e["exercise"]: e for e in data["exercises"]}
    assert set(by_id) == {e.id for e in discover()}
    assert by_id["softmax"]["score"] == by_id["softmax"]["max_score"] - 5
    assert by_id["unbroadcast"]["results"][0]["message"].startswith("file not found")
    assert data["score"] == by_id["softmax"]["score"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["check"], "give one EXERCISE_ID, or --all"),
        (["check", "nope"], "unknown exercise 'nope'"),
        (["check", "softmax", "--path", "."], "no 06_softmax.py in"),
        (["grade-all", "."], "no student folders"),
    ],
    ids=["no-id", "unknown-id", "file-missing", "no-students"],
)
def test_cli_errors_are_messages_not_tracebacks(args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["exercise", *args])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_cli_release_refuses_non_empty_then_force(tmp_path):
    runner = CliRunner()
    (tmp_path / "x.txt").write_text("x")
    result = runner.invoke(main, ["exercise", "release", "--to", str(tmp_path)])
    assert result.exit_code == 1
    assert "is not empty" in result.output and "--force" in result.output
    result = runner.invoke(
        main, ["exercise", "release", "--to", str(tmp_path), "--force"]
    )
    assert result.exit_code == 0
    assert f"wrote {len(discover())} exercises" in result.output


def test_cli_grade_all_writes_the_csv(fake_class, tmp_path):
    out = tmp_path / "out" / "grades.csv"
    result = CliRunner().invoke(
        main,
        [
            "exercise",
            "grade-all",
            str(fake_class),
            "--csv",
            str(out),
            "--exercise",
            "unbroadcast",
            "--timeout",
            "5",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(out.open()))
    full = str(find("unbroadcast").points(hidden=True))
    assert rows[1:] == [
        [n, full, full, full, "100.0"] for n in ("ana", "bruno", "carla")
    ]
    assert f"grades written to {out}" in result.output
