"""The README's grading commands run as written, on the example class that ships
(issue 15: "an example class folder shipped with the project").

The grade-all line is taken from the README itself and run with two options
added: `--out` (a scratch folder instead of out/grades) and `--timeout 3` (so
Davi's endless loop costs 6 s here instead of 20). Everything the README says
the command prints and writes is then checked.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")
CLASS = REPO / "examples" / "class"


def _section(title: str) -> str:
    start = README.index(f"## {title}")
    return README[start : README.index("\n## ", start + 1)]


def _grade_all_line() -> list[str]:
    (line,) = re.findall(r"^uv run python cli\.py exercise grade-all .*$", README, re.M)
    words = shlex.split(line)
    assert words[:3] == ["uv", "run", "python"]
    return words[3:]  # run with this interpreter: uv has already set it up


def test_the_readme_grades_the_class_that_ships():
    words = _grade_all_line()
    assert "examples/class" in words and "submissions/" not in README
    roster = words[words.index("--roster") + 1]
    assert (REPO / roster).is_file()
    assert sorted(p.name for p in CLASS.iterdir()) == ["ana", "bruno", "carla", "davi"]
    sizes = [p.stat().st_size for p in CLASS.rglob("*") if p.is_file()]
    assert len(sizes) == 7 and max(sizes) < 4000  # small files


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    out = tmp_path_factory.mktemp("readme_grades")
    command = [sys.executable, *_grade_all_line(), "--out", str(out), "--timeout", "3"]
    result = subprocess.run(
        command, cwd=REPO, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return out, result.stdout


def test_totals_are_the_ones_the_readme_gives(graded):
    _, stdout = graded
    totals = re.findall(r"^  (ana|bruno|carla|davi)\s+(\d+/\d+)", stdout, re.M)
    said = re.search(r"total \(([^)]*)\)", _section("Exercises and grading"))
    expected = re.findall(r"\d+/\d+", said.group(1))
    assert [t for _, t in totals] == expected == ["21/21", "5/21", "0/21", "4/21"]
    assert "folders not in the roster" not in stdout
    assert "in the roster but without a folder" not in stdout


def test_every_export_the_readme_names_is_written(graded):
    out, _ = graded
    with (out / "canvas.csv").open(encoding="utf-8", newline="") as f:
        canvas = list(csv.reader(f))
    assert canvas[0] == [
        "Student",
        "ID",
        "SIS User ID",
        "SIS Login ID",
        "Section",
        "softmax",
        "causal_mask",
    ]
    ana = ["Ana Beatriz Souza", "1001", "2024001", "ana.souza", "Turma A"]
    assert canvas[2][:5] == ana
    with (out / "moodle.csv").open(encoding="utf-8", newline="") as f:
        moodle = list(csv.reader(f))
    assert moodle[0] == ["Username", "Email address", "softmax", "causal_mask", "Total"]
    assert moodle[1] == ["ana.souza", "ana.souza@escola.edu.br", "11", "10", "21"]
    results = json.loads((out / "gradescope" / "davi" / "results.json").read_text())
    assert results["score"] == 4
    assert (out / "grades.csv").is_file()


def test_each_students_feedback_names_what_went_wrong(graded):
    out, _ = graded
    feedback = {
        p.stem: p.read_text(encoding="utf-8") for p in (out / "feedback").glob("*.md")
    }
    assert set(feedback) == {"ana", "bruno", "carla", "davi"}
    assert "❌" not in feedback["ana"]
    assert "is only the diagonal of the Jacobian" in feedback["bruno"]
    assert "the mask is shifted by one" in feedback["bruno"]
    assert "your code raised TypeError" in feedback["carla"]
    assert "line 44, in causal_mask: import torch" in feedback["carla"]
    if importlib.util.find_spec("torch") is None:
        assert "No module named 'torch'" in feedback["carla"]
    else:  # PyTorch installed (the README's comparisons): it may not open sockets
        assert "not allowed while grading: import _socket" in feedback["carla"]
    assert "stopped after 3 s" in feedback["davi"]
