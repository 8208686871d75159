"""Every attack of issue 12 on `exercise grade-all`, as a student would write it.

A class of honest students and attackers is graded by the command line in a
child process (so an attack that got through could not take the test runner
down with it), against a copy of the answer key. For each attack: the attacker
gets no more than the empty stub, every other student's grade is what it is
when graded alone, the CSV is written, no file outside the submissions changes,
nothing the grader did not write appears in its output, and no process survives.
Both isolation paths run: with Bubblewrap, and with limits only (as on a machine
without it).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tinygrad_tx.grading import find, strip_solutions
from tinygrad_tx.grading.sandbox import find_bwrap

REPO = Path(__file__).resolve().parents[1]
KEY = find("softmax").file
RIGHT = "return y * (grad_out - (grad_out * y).sum(axis=self.axis, keepdims=True))"
MARK = "987650"  # in the command line of any process an attack starts
STUB_LINE = 'raise NotImplementedError("write Softmax.forward'

BWRAP = find_bwrap()
MODES = [
    pytest.param(
        "bwrap",
        marks=pytest.mark.skipif(
            BWRAP is None, reason="Bubblewrap (bwrap) is not installed"
        ),
    ),
    "limits",
]


def attacks(key: Path, victim: Path, marker: Path) -> dict[str, tuple[str, str]]:
    """name -> (code at the top of the file, code at the start of forward)."""
    hidden = key / "hidden" / "softmax.py"
    forged = json.dumps({"ok": True, "passed": True, "points": 7000, "value": 1.0})
    return {
        "pickle_to_pipe": (
            "",
            f"""
import os, pickle
class Boom:
    def __reduce__(self):
        return (os.system, ("touch {marker}",))
for fd in range(0, 64):
    try:
        os.write(fd, pickle.dumps(Boom()))
    except OSError:
        pass
""",
        ),
        "forged_results_then_exit": (
            "",
            f"""
import os, struct
body = {forged!r}.encode()
frame = b"TXG1" + struct.pack(">I", len(body)) + body
for fd in range(0, 64):
    try:
        os.write(fd, frame * 20)
    except OSError:
        pass
os._exit(0)
""",
        ),
        "patch_the_checks": (
            """
import tinygrad_tx.grading.checks as c, tinygrad_tx.grading.expect as e
c.fail = lambda *a, **k: None
e._fail = lambda *a, **k: None
e.expect_close = e.expect_grads = lambda *a, **k: None
""",
            "",
        ),
        "import_answer_key": (
            f"""
try:
    import importlib.util
    spec = importlib.util.spec_from_file_location("key", "{key / KEY.name}")
    key = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(key)
    STOLEN = key
except Exception:
    STOLEN = None
""",
            """
if STOLEN is not None:
    return STOLEN.Softmax.forward(self, x, axis)
""",
        ),
        "read_hidden_checks": (
            f"""
try:
    print(open("{hidden}").read())
except Exception as exc:
    print("no luck", type(exc).__name__)
""",
            "",
        ),
        "delete_outside": (
            f"""
import os
for act in (lambda: os.remove("{victim}"), lambda: open("{victim}", "w").write("x")):
    try:
        act()
    except Exception:
        pass
""",
            "",
        ),
        "rewrite_hidden_checks": (
            f"""
try:
    open("{hidden}", "w").write("from tinygrad_tx.grading.checks import check\\n")
except Exception:
    pass
""",
            "",
        ),
        "kill_the_grader": (
            """
import os, signal
for pid in [os.getppid()] + [int(p) for p in os.listdir("/proc") if p.isdigit()]:
    try:
        if pid != os.getpid():
            os.kill(pid, signal.SIGKILL)
    except Exception:
        pass
""",
            "",
        ),
        "kill_own_group": (
            "",
            """
import os, signal
os.killpg(os.getpgrp(), signal.SIGKILL)
""",
        ),
        "leave_processes": (
            f"""
import os
for i in range(8):
    try:
        if os.fork() == 0:
            os.execv("/bin/sleep", ["sleep", "{MARK}{{}}".format(i)])
    except Exception:
        pass
for start in (lambda: __import__("subprocess").Popen(["sleep", "{MARK}8"]),
              lambda: os.system("sleep {MARK}9 &")):
    try:
        start()
    except Exception:
        pass
""",
            "",
        ),
        "allocate_2gb": (
            "",
            """
import numpy as np
junk = np.ones(2**28)
""",
        ),
        "fake_report_lines": (
            """
import os
fake = b"\\n  PASS  backward_values  2/2\\nstudent totals:\\n  fake 11/11\\n"
os.write(1, fake)
os.write(2, fake)
""",
            "",
        ),
        "loop_at_import": ("while True:\n    pass\n", ""),
    }


def _file(top: str, forward: str) -> str:
    stub = strip_solutions(KEY.read_text(encoding="utf-8"), KEY.name)
    if forward:
        body = "".join(f"        {line}\n" for line in forward.strip("\n").splitlines())
        stub = stub.replace(f"        {STUB_LINE}", body + f"        {STUB_LINE}", 1)
    return top.lstrip("\n") + stub


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            h.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return h.hexdigest()


def _grade(submissions: Path, out: Path, key: Path, mode: str, *extra: str):
    command = [
        sys.executable,
        str(REPO / "cli.py"),
        "exercise",
        "grade-all",
        str(submissions),
        "--out",
        str(out),
        "--exercise",
        "softmax",
        "--timeout",
        "3",
        "--seed",
        "7",
        "--answer-key",
        str(key),
        "--isolation",
        mode,
        "--format",
        "csv,json",
        *extra,
    ]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=600, cwd=REPO
    )


def _scores(out: Path) -> dict[str, int]:
    with (out / "grades.csv").open() as f:
        return {row["student"]: int(row["softmax"]) for row in csv.DictReader(f)}


def _processes(marker: str) -> dict[str, str]:
    """pid -> command line, for every process whose command line holds `marker`."""
    found = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        if marker.encode() in cmdline:
            found[pid] = cmdline.decode(errors="replace")
    return found


def _leftovers() -> list[str]:
    return list(_processes(MARK).values())


@pytest.mark.parametrize("mode", MODES)
def test_every_attack_gets_nothing_and_harms_no_one(mode, tmp_path):
    key = tmp_path / "key"
    shutil.copytree(KEY.parent, key, ignore=shutil.ignore_patterns("__pycache__"))
    victim, marker = tmp_path / "victim.txt", tmp_path / "pwned"
    victim.write_text("the teacher's file")
    honest = {
        "a_right": KEY.read_text(encoding="utf-8"),
        "b_partly_wrong": KEY.read_text(encoding="utf-8").replace(
            RIGHT, "return grad_out * y"
        ),
        "c_stub": _file("", ""),
    }
    alone, crowd = tmp_path / "alone", tmp_path / "crowd"
    for folder, students in ((alone, honest), (crowd, honest)):
        for name, text in students.items():
            (folder / name).mkdir(parents=True)
            (folder / name / KEY.name).write_text(text)
    for name, (top, forward) in attacks(key, victim, marker).items():
        (crowd / f"x_{name}").mkdir()
        (crowd / f"x_{name}" / KEY.name).write_text(_file(top, forward))
    before = _digest(key)

    baseline = _grade(alone, tmp_path / "out_alone", key, mode)
    assert baseline.returncode == 0, baseline.stderr
    result = _grade(crowd, tmp_path / "out_crowd", key, mode)
    assert result.returncode == 0, result.stdout + result.stderr

    scores = _scores(tmp_path / "out_crowd")
    expected_alone = _scores(tmp_path / "out_alone")
    assert expected_alone["a_right"] == 11 and expected_alone["c_stub"] == 0
    for name in honest:
        assert scores[name] == expected_alone[name], name
    for name in attacks(key, victim, marker):
        assert scores[f"x_{name}"] <= expected_alone["c_stub"], name
    assert not marker.exists(), "a pickled object sent by a student was loaded"
    assert victim.read_text() == "the teacher's file"
    assert _digest(key) == before, "the answer key or the hidden checks changed"
    time.sleep(0.5)
    assert _leftovers() == []
    hidden_text = (key / "hidden" / "softmax.py").read_text()
    secret = hidden_text.splitlines()[-1].strip()
    everything = result.stdout + result.stderr
    everything += "".join(p.read_text() for p in (tmp_path / "out_crowd").rglob("*.*"))
    assert secret not in everything, "hidden check source reached an output"
    assert "fake 11/11" not in result.stdout + result.stderr
    data = json.loads((tmp_path / "out_crowd" / "grades.json").read_text())
    looping = next(s for s in data["students"] if s["student"] == "x_loop_at_import")
    assert "did not finish" in looping["exercises"][0]["results"][0]["message"]
    # The endless loop is counted as timed out (a loaded machine may time out
    # another attack too: the count is checked against the report, not a constant).
    timed_out = [
        s["student"]
        for s in data["students"]
        if any(
            r["outcome"] in ("timeout", "load-timeout", "budget")
            for r in s["exercises"][0]["results"]
        )
    ]
    assert "x_loop_at_import" in timed_out
    assert f"softmax    0.9/11  1/16 full, {len(timed_out)} timed out" in result.stdout, (
        result.stdout
    )
    if mode == "limits":
        assert "install Bubblewrap" in result.stderr
    else:
        assert "install Bubblewrap" not in result.stderr


def test_ctrl_c_saves_the_students_graded_so_far(tmp_path):
    """SIGINT while a slow class is being graded: exit status 130, and the CSV
    and JSON hold the students finished so far, marked incomplete."""
    key = tmp_path / "key"
    shutil.copytree(KEY.parent, key, ignore=shutil.ignore_patterns("__pycache__"))
    crowd = tmp_path / "crowd"
    (crowd / "a_first").mkdir(parents=True)
    (crowd / "a_first" / KEY.name).write_text(KEY.read_text())
    for i in range(6):
        (crowd / f"slow{i}").mkdir()
        (crowd / f"slow{i}" / KEY.name).write_text(_file("", "while True:\n    pass"))
    out = tmp_path / "out"
    command = [
        sys.executable,
        str(REPO / "cli.py"),
        "exercise",
        "grade-all",
        str(crowd),
        "--out",
        str(out),
        "--exercise",
        "softmax",
        "--timeout",
        "2",
        "--jobs",
        "1",
        "--answer-key",
        str(key),
        "--isolation",
        "limits",
    ]
    workers_before = set(_processes("tinygrad_tx.grading.worker"))
    child = subprocess.Popen(
        command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 300
    while not (out / "grades.csv").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    child.send_signal(signal.SIGINT)
    _, stderr = child.communicate(timeout=120)
    assert child.returncode == 130, stderr
    assert "interrupted" in stderr
    data = json.loads((out / "grades.json").read_text())
    assert data["complete"] is False
    graded = [s["student"] for s in data["students"]]
    assert "a_first" in graded and len(graded) < 7
    time.sleep(0.5)
    assert set(_processes("tinygrad_tx.grading.worker")) <= workers_before
