"""Exports a teacher can upload: Gradescope's results.json (checked against the
fields its autograder specification documents), Canvas's and Moodle's CSV
layouts, formula-injection escaping, the roster, per-student feedback, atomic
writes, suspected copies, and the Gradescope autograder package."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import stat
import zipfile

import pytest

from tinygrad_tx.grading import exports, find, grade_all, strip_solutions
from tinygrad_tx.grading.similarity import fingerprint, suspected_copies

RIGHT = "return y * (grad_out - (grad_out * y).sum(axis=self.axis, keepdims=True))"

# gradescope-autograders.readthedocs.io/en/latest/specs/ ("Output format")
GRADESCOPE_TOP = {
    "score",
    "execution_time",
    "output",
    "output_format",
    "test_output_format",
    "test_name_format",
    "visibility",
    "stdout_visibility",
    "extra_data",
    "tests",
    "leaderboard",
}
GRADESCOPE_TEST = {
    "score",
    "max_score",
    "status",
    "name",
    "name_format",
    "number",
    "output",
    "output_format",
    "tags",
    "visibility",
    "extra_data",
}
VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    key = find("softmax").file
    students = {
        "ana": key.read_text(),
        "bruno": key.read_text().replace(RIGHT, "return grad_out * y"),
        "carla": key.read_text()
        .replace("e = xp.exp", "z = xp.exp")
        .replace("e / e.sum", "z / z.sum"),  # the key with a variable renamed
        "@SUM(A1)": strip_solutions(key.read_text(), key.name),
    }
    for name, text in students.items():
        (root / name).mkdir()
        (root / name / key.name).write_text(text)
    return grade_all(root, ["softmax"], timeout=5, seed=9, jobs=2)


def validate_gradescope(data: dict) -> None:
    assert set(data) <= GRADESCOPE_TOP, set(data) - GRADESCOPE_TOP
    assert isinstance(data["score"], int | float)
    assert data.get("stdout_visibility", "visible") in VISIBILITY
    for test in data["tests"]:
        assert set(test) <= GRADESCOPE_TEST, set(test) - GRADESCOPE_TEST
        assert isinstance(test["score"], int | float)
        assert isinstance(test["max_score"], int | float)
        assert 0 <= test["score"] <= test["max_score"]
        assert test["status"] in ("passed", "failed")
        assert test["visibility"] in VISIBILITY
        assert isinstance(test["name"], str) and isinstance(test["output"], str)
    assert data["score"] == sum(t["score"] for t in data["tests"])


def test_gradescope_results_follow_the_specification(book, tmp_path):
    paths = exports.write_gradescope(book, tmp_path)
    assert {p.parent.name for p in paths} == {g.student for g in book}
    for path in paths:
        validate_gradescope(json.loads(path.read_text()))
    bruno = json.loads((tmp_path / "bruno" / "results.json").read_text())
    tests = {t["name"]: t for t in bruno["tests"]}
    assert tests["softmax: forward_values"]["status"] == "passed"
    failed = tests["softmax: backward_values"]
    assert failed["score"] == 0 and failed["max_score"] == 2
    assert "hint: y·g forgets" in failed["output"]
    hidden = tests["softmax: float32_odd_sizes"]
    assert hidden["visibility"] == "after_due_date"
    assert bruno["score"] == next(g.total for g in book if g.student == "bruno")


def _rows(path):
    return list(csv.reader(io.StringIO(path.read_text())))


def test_canvas_and_moodle_headers_with_a_roster(book, tmp_path):
    roster_file = tmp_path / "roster.csv"
    roster_file.write_text(
        "folder,name,id,sis_user_id,sis_login_id,section,email,username\n"
        "ana,Ana Souza,101,S101,ana.souza,T1,ana@escola.br,asouza\n"
        "bruno,=HYPERLINK(1),102,S102,bruno.lima,T1,bruno@escola.br,blima\n"
    )
    roster = exports.load_roster(roster_file)
    (canvas,) = exports.write_canvas(book, tmp_path / "canvas.csv", roster)
    rows = _rows(canvas)
    assert rows[0] == [
        "Student",
        "ID",
        "SIS User ID",
        "SIS Login ID",
        "Section",
        "softmax",
    ]
    assert rows[1] == ["    Points Possible", "", "", "", "", "11"]
    assert ["Ana Souza", "101", "S101", "ana.souza", "T1", "11"] in rows
    assert rows[4][0] == "'=HYPERLINK(1)"  # a name from the roster, escaped too
    assert rows[2][0] == "'@SUM(A1)"  # a folder without a roster entry: its name
    (moodle,) = exports.write_moodle(book, tmp_path / "moodle.csv", roster)
    rows = _rows(moodle)
    assert rows[0] == ["Username", "Email address", "softmax", "Total"]
    assert ["asouza", "ana@escola.br", "11", "11"] in rows


def test_roster_needs_a_folder_column(tmp_path):
    bad = tmp_path / "roster.csv"
    bad.write_text("name,id\nAna,1\n")
    with pytest.raises(ValueError, match="needs a 'folder' column"):
        exports.load_roster(bad)


@pytest.mark.parametrize(
    "cell, escaped",
    [
        ("=2+5", "'=2+5"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\tx", "'\tx"),
        ("ana", "ana"),
        (7, 7),
        (2.5, 2.5),
    ],
)
def test_formula_injection_escaping(cell, escaped):
    assert exports.escape_cell(cell) == escaped


def test_csv_and_json_hold_every_student_and_the_flags(book, tmp_path):
    (path,) = exports.write_csv(book, tmp_path / "grades.csv")
    rows = {r["student"]: r for r in csv.DictReader(path.open())}
    assert set(rows) == {"'@SUM(A1)", "ana", "bruno", "carla"}
    assert "identical to the answer key" in rows["ana"]["flags"]
    assert "identical to ana" in rows["carla"]["flags"]  # renamed, still the same
    assert rows["'@SUM(A1)"]["flags"] == ""  # the unchanged stub is no copy
    assert rows["bruno"]["flags"] == ""
    (path,) = exports.write_json(book, tmp_path / "grades.json")
    data = json.loads(path.read_text())
    assert data["seed"] == 9 and data["complete"] is True
    assert [s["student"] for s in data["students"]] == [
        "@SUM(A1)",
        "ana",
        "bruno",
        "carla",
    ]


def test_feedback_per_student_in_each_language(book, tmp_path):
    (exports.write_feedback(book, tmp_path / "en"))
    text = (tmp_path / "en" / "bruno.md").read_text()
    assert text.startswith("# Feedback: bruno")
    assert "❌ `backward_values` 0/2" in text and "✅ `forward_values` 2/2" in text
    assert "  ```text\n  the gradient of x is wrong at element" in text  # fenced
    assert "Hint: y·g forgets" in text
    book.lang = "pt"
    try:
        exports.write_feedback(book, tmp_path / "pt")
    finally:
        book.lang = "en"
    assert (tmp_path / "pt" / "bruno.md").read_text().startswith("# Devolutiva: bruno")


def test_plan_refuses_to_replace_and_checks_writability(tmp_path):
    (tmp_path / "grades.csv").write_text("x")
    with pytest.raises(FileExistsError, match="pass --force"):
        exports.plan(tmp_path, ["csv"])
    plan = exports.plan(tmp_path, ["csv", "gradescope"], force=True)
    assert plan["csv"] == tmp_path / "grades.csv" and "gradescope" in plan
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OSError, match="cannot write the json output"):
        exports.plan(blocker / "out", ["json"])


def test_fingerprints_ignore_layout_comments_and_names():
    a = "import numpy as np\ndef f(x):\n    '''doc'''\n    y = np.exp(x)  # c\n    return y.sum()\n"
    b = "import numpy as np\n\ndef f(inp):\n    out = np.exp( inp )\n    return out.sum()\n"
    c = b.replace("sum", "mean")
    assert fingerprint(a) == fingerprint(b) != fingerprint(c)
    assert fingerprint("def (") is None


def test_suspected_copies_by_exercise(tmp_path):
    key = find("softmax").file
    stub = strip_solutions(key.read_text(), key.name)
    files = {}
    for name, text in {"a": key.read_text(), "b": stub, "c": stub}.items():
        files[name] = tmp_path / f"{name}.py"
        files[name].write_text(text)
    assert suspected_copies(files, key, stub) == {"a": "identical to the answer key"}


def test_gradescope_package_is_a_zip_gradescope_accepts(tmp_path):
    from tinygrad_tx.grading.gradescope import write_package

    path = write_package(tmp_path / "pkg", lang="pt")
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        assert {"setup.sh", "run_autograder", "cli.py", "pyproject.toml"} <= names
        assert "lessons/exercises/hidden/softmax.py" in names
        assert not any("__pycache__" in n for n in names)
        mode = archive.getinfo("run_autograder").external_attr >> 16
        assert mode & stat.S_IXUSR
        script = archive.read("run_autograder").decode()
    assert "/autograder/results/results.json" in script and "--lang pt" in script
    assert os.access(tmp_path / "pkg" / "setup.sh", os.X_OK)
    with pytest.raises(FileExistsError, match="not empty"):
        write_package(tmp_path / "pkg")
    shutil.rmtree(tmp_path / "pkg")


def test_student_text_cannot_close_its_fence():
    from tinygrad_tx.grading.feedback import fenced

    lines = fenced("printed ``` then # Heading")
    assert lines[0] == "````text" and lines[-1] == "````"
