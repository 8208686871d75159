"""The Gradescope autograder package does its job: unzipped as Gradescope unzips
it, its run_autograder grades a submission and leaves a valid results.json.

Gradescope runs `run_autograder` in a container where the zip's contents are
in /autograder/source and the student's files in /autograder/submission. Here
the same script runs with those folders moved under a temporary one, and with
a Python that cannot see this checkout (so that only what the zip holds can be
imported, as in the container: the first version of the package lacked
lessons/cli.py, and its cli.py could not start).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from tinygrad_tx.grading import discover, find
from tinygrad_tx.grading.gradescope import write_package

REPO = Path(__file__).resolve().parents[1]

# A Python that forgets this checkout (the editable install points at it) and
# runs a script from the current folder, as `python cli.py` does there.
WRAPPER = """
import os, runpy, sys
repo = os.path.realpath({repo!r})
sys.path[:] = [p for p in sys.path if os.path.realpath(p or ".") != repo]
sys.path.insert(0, os.getcwd())
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def _container(tmp: Path) -> tuple[Path, str]:
    """/autograder laid out under `tmp`, and run_autograder pointed at it."""
    root = tmp / "autograder"
    with zipfile.ZipFile(write_package(tmp / "package")) as archive:
        archive.extractall(root / "source")
        script = archive.read("run_autograder").decode()
    venv = root / "venv" / "bin"
    venv.mkdir(parents=True)
    (venv / "wrapper.py").write_text(WRAPPER.format(repo=str(REPO)))
    python = venv / "python"
    python.write_text(f'#!/bin/sh\nexec {sys.executable} {venv / "wrapper.py"} "$@"\n')
    python.chmod(0o755)
    script = script.replace("/tmp/class", str(tmp / "class"))
    script = script.replace("/tmp/grades", str(tmp / "grades"))
    return root, script.replace("/autograder", str(root))


def test_run_autograder_grades_a_submission_into_results_json(tmp_path):
    root, script = _container(tmp_path)
    submission = root / "submission"
    submission.mkdir()
    key = find("softmax").file
    (submission / key.name).write_text(key.read_text(encoding="utf-8"))
    done = subprocess.run(
        ["bash", "-c", script],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    results = json.loads((root / "results" / "results.json").read_text())
    checks = sum(len(e.checks(hidden=True)) for e in discover())
    assert len(results["tests"]) == checks
    softmax = [t for t in results["tests"] if t["name"].startswith("softmax: ")]
    assert all(t["status"] == "passed" for t in softmax)
    assert results["score"] == find("softmax").points(hidden=True) == 11
    numbers = [t["number"] for t in results["tests"]]
    assert len(set(numbers)) == len(numbers)
    # the top-level output is always visible: public points only
    assert "hidden" not in results["output"].replace("hidden checks: shown", "")
    assert "softmax: public checks 9/9" in results["output"]


def test_the_package_holds_what_cli_py_imports(tmp_path):
    names = set(zipfile.ZipFile(write_package(tmp_path / "package")).namelist())
    assert {"lessons/__init__.py", "lessons/cli.py", "cli.py"} <= names
    assert "lessons/exercises/06_softmax.py" in names
    assert not any("__pycache__" in n for n in names)
