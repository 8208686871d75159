"""A second round of attacks on `exercise grade-all`, written after reading the grader.

test_grading_attacks.py holds the attacks issue 12 listed. These are the ones a
student who reads `worker.py`, `guard.py` and `sandbox.py` would try next:
switching the audit hook off by replacing what it calls, reading the grader's
own /proc entry, escaping through a directory descriptor or a path object that
changes its answer, starting processes through the one call that raises no
audit event, answers built to fool a comparison, floods (prints, files,
threads), signal handlers, and a submissions folder built to break the exports
(links, a folder where the file should be, a 1 GB file, names with newlines,
formulas, homoglyphs, invalid UTF-8, 250 characters).

One class is graded by the command line in a child process, in both isolation
modes (Bubblewrap, and limits only as on a machine without it), with a secret
in the grader's environment. For every attack: no more points than the stub,
honest students graded as when alone, the exports written, nothing outside the
submissions changed, the secret and the hidden checks nowhere in the outputs,
no process left behind; and each attack's own outcome is checked too.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
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
STUB_LINE = 'raise NotImplementedError("write Softmax.forward'
MARK = "424242"  # in the command line of any process an attack starts
SECRET = "teacher-secret-7d1c"  # in the grader's environment only

MODES = [
    pytest.param(
        "bwrap",
        marks=pytest.mark.skipif(
            find_bwrap() is None, reason="Bubblewrap (bwrap) is not installed"
        ),
    ),
    "limits",
]

# Top-of-file code: each tries something and prints what it got, so that a
# success would show in the outputs (which the test searches for the secrets).
ATTACKS = {
    "guard_switched_off": """
import builtins, os, posixpath, sys
for name in ("tinygrad_tx.grading.guard", "tinygrad_tx.grading.worker"):
    m = sys.modules.get(name)
    for attr in ("REFUSED", "MODULES", "WRITE_EVENTS", "_REFUSED", "_MODULES"):
        if m is not None and hasattr(m, attr):
            setattr(m, attr, frozenset())
    if m is not None and hasattr(m, "MAX_WRITES"):
        m.MAX_WRITES = 10**9
here = os.getcwd()
posixpath.realpath = lambda p, *a, **k: here
os.fsdecode = lambda p: here
builtins.any = lambda items: False
for act in (lambda: print(open("{key}").read()),
            lambda: open("{victim}", "w").write("x"),
            lambda: os.kill(os.getppid(), 9),
            lambda: os.fork()):
    try:
        act()
    except Exception as exc:
        print("refused", type(exc).__name__)
""",
    "grader_proc": """
import os
for name in ("environ", "cmdline", "mem", "maps", "cwd/lessons/exercises/06_softmax.py"):
    try:
        print(open(f"/proc/{{os.getppid()}}/{{name}}", "rb").read(4000))
    except Exception as exc:
        print("refused", type(exc).__name__)
""",
    "dir_fd_and_path_objects": """
import os
class Flip:
    calls = 0
    def __fspath__(self):
        Flip.calls += 1
        return os.getcwd() + "/mine" if Flip.calls % 2 else "{victim}"
class Sneaky(str):
    pass
for act in (
    lambda: os.read(os.open("root{key}", os.O_RDONLY,
                            dir_fd=os.open("/proc/self", os.O_RDONLY)), 4000),
    lambda: os.remove(Flip()),
    lambda: open(Sneaky("{key}")).read(),
    lambda: open("/proc/self/root{key}").read(),
):
    try:
        print(act())
    except Exception as exc:
        print("refused", type(exc).__name__)
""",
    "unaudited_process": """
import inspect, subprocess, sys, textwrap
source = textwrap.dedent(inspect.getsource(subprocess.Popen._execute_child))
source = source.replace("sys.audit(", "(lambda *a: None)(")
found = {{}}
exec(source, vars(subprocess), found)
subprocess.Popen._execute_child = found["_execute_child"]
for i in range(20):  # a small fork bomb: each start would leave a sleeper
    try:
        subprocess.Popen(["/bin/sleep", "{mark}"], start_new_session=True)
    except Exception as exc:
        print("refused", type(exc).__name__)
        break
""",
    "find_the_hook": """
import gc, sys, types
try:
    hooks = [f for f in gc.get_objects() if isinstance(f, types.FunctionType)
             and f.__name__ == "hook"]
    for f in hooks:
        f.__code__ = (lambda event, args: None).__code__
except Exception as exc:
    print("refused", type(exc).__name__)
try:
    sys._current_frames()
except Exception as exc:
    print("refused", type(exc).__name__)
try:
    import ctypes
    ctypes.c_char.from_address(id(sys))
except Exception as exc:
    print("refused", type(exc).__name__)
try:
    import os
    os.execv("/bin/sh", ["sh", "-c", "sleep {mark}"])
except Exception as exc:
    print("refused", type(exc).__name__)
""",
    "floods": """
import os, sys, threading, time
try:
    print("x" * 50_000_000)
    sys.stdout.flush()
except Exception as exc:
    print("refused", type(exc).__name__)
try:
    os.write(2, b"\\x1b[2J" * 100_000)
except Exception as exc:
    print("refused", type(exc).__name__)
for i in range(200):
    try:
        with open(os.getcwd() + f"/junk{{i}}", "wb") as f:
            f.write(b"0" * 2**20)
    except Exception as exc:
        print("refused", type(exc).__name__, i)
        break
def forge():
    frame = b"TXG1\\x00\\x00\\x00\\x0b" + b'{{"value":1}}'
    while True:
        for fd in range(64):
            try:
                os.write(fd, frame)
            except OSError:
                pass
        time.sleep(0.01)
try:
    threading.Thread(target=forge, daemon=True).start()
except Exception as exc:
    print("refused", type(exc).__name__)
""",
    "signal_handlers": """
import signal, time
for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGALRM, signal.SIGHUP):
    signal.signal(sig, lambda *a: time.sleep(60))
signal.alarm(1)
while True:
    pass
""",
}

# Answers built to fool a comparison (the start of forward, Softmax.forward).
FORWARDS = {
    "nan_inf_object": """
import numpy as np
kind = int(x.sum() * 1000) % 4
if kind == 0:
    return np.full(x.shape, np.nan)
if kind == 1:
    return np.full(x.shape, np.inf)
if kind == 2:
    return np.array([object()] * x.size).reshape(x.shape)
nested = 1
for _ in range(5000):
    nested = [nested]
return nested
""",
    "ndarray_says_equal": """
import numpy as np
class Always(np.ndarray):
    def __eq__(self, other):
        return True
    def __array__(self, *a, **k):
        return np.zeros(self.shape)
return np.zeros(x.shape).view(Always)
""",
    "numpy_patched": """
import numpy as np
np.allclose = np.isclose = np.array_equal = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
return x * 0
""",
}


def _file(top: str = "", forward: str = "") -> str:
    stub = strip_solutions(KEY.read_text(encoding="utf-8"), KEY.name)
    if forward:
        body = "".join(f"        {line}\n" for line in forward.strip("\n").splitlines())
        stub = stub.replace(f"        {STUB_LINE}", body + f"        {STUB_LINE}", 1)
    return top.lstrip("\n") + stub


def _write(folder: Path, text: str) -> None:
    folder.mkdir(parents=True)
    (folder / KEY.name).write_text(text, encoding="utf-8")


def _class(root: Path, key: Path, victim: Path) -> dict[str, str]:
    """The honest students, then every attack; returns the honest ones' names."""
    text = KEY.read_text(encoding="utf-8")
    honest = {
        "a_right": text,
        "b_partly_wrong": text.replace(RIGHT, "return grad_out * y"),
        "c_stub": _file(),
    }
    for name, source in honest.items():
        _write(root / name, source)
    values = {"key": key / KEY.name, "victim": victim, "mark": MARK}
    for name, top in ATTACKS.items():
        _write(root / f"x_{name}", _file(top.format(**values)))
    for name, forward in FORWARDS.items():
        _write(root / f"x_{name}", _file(forward=forward))
    _submission_tricks(root, key)
    return honest


def _submission_tricks(root: Path, key: Path) -> None:
    """Folders built to break the exports rather than the checks."""
    (root / "x_folder_is_link").symlink_to(root / "a_right")
    (root / "x_link_to_key").mkdir()
    (root / "x_link_to_key" / KEY.name).symlink_to(key / KEY.name)
    (root / "x_directory" / KEY.name).mkdir(parents=True)
    (root / "x_huge").mkdir()
    with open(root / "x_huge" / KEY.name, "wb") as f:
        f.truncate(2**30)  # 1 GB, sparse: nothing is written to the disk
    _write(root / "x_deep", "x = " + "a+" * 300_000 + "a\n")
    for name in ("x_new\nline  11 of 11", "..x_dots", "x_dots", "=2+5", "@SUM(A1)"):
        _write(root / name, _file())
    _write(root / "x_\u0430na", _file())  # a Cyrillic а
    _write(root / ("x_" + "long" * 62), _file())
    bad = os.fsencode(root) + b"/x_bad\xff\xfe"
    os.mkdir(bad)
    with open(bad + b"/" + KEY.name.encode(), "w") as f:
        f.write(_file())


def _grade(submissions: Path, out: Path, key: Path, mode: str, *extra: str):
    command = [sys.executable, str(REPO / "cli.py"), "exercise", "grade-all"]
    command += [str(submissions), "--out", str(out), "--exercise", "softmax"]
    command += ["--timeout", "3", "--seed", "7", "--answer-key", str(key)]
    command += ["--isolation", mode, "--format", "csv,json,canvas,moodle,gradescope"]
    env = {**os.environ, "TX_TEACHER_SECRET": SECRET}
    return subprocess.run(
        [*command, *extra],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=REPO,
        env=env,
        errors="replace",
    )


def _leftovers() -> list[str]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if MARK.encode() in cmdline and b"pytest" not in cmdline:
            found.append(cmdline.replace(b"\0", b" ").decode(errors="replace"))
    return found


def _everything(result, out: Path) -> str:
    text = result.stdout + result.stderr
    for path in out.rglob("*"):
        if path.is_file():
            text += path.read_text(encoding="utf-8", errors="replace")
    return text


@pytest.fixture(scope="module", params=MODES)
def graded(request, tmp_path_factory):
    mode = request.param
    tmp = tmp_path_factory.mktemp(f"hostile_{mode}")
    key = tmp / "key"
    shutil.copytree(KEY.parent, key, ignore=shutil.ignore_patterns("__pycache__"))
    victim = tmp / "victim.txt"
    victim.write_text("the teacher's file")
    roster = tmp / "roster.csv"
    roster.write_text("folder,name,id\nx_ana,Ana Souza,101\na_right,Alice,102\n")
    alone, crowd = tmp / "alone", tmp / "crowd"
    honest = _class(crowd, key, victim)
    for name, text in honest.items():
        _write(alone / name, text)
    before = {p: p.read_bytes() for p in key.rglob("*") if p.is_file()}
    baseline = _grade(alone, tmp / "out_alone", key, mode)
    assert baseline.returncode == 0, baseline.stderr
    result = _grade(crowd, tmp / "out", key, mode, "--roster", str(roster))
    time.sleep(0.5)
    return {
        "mode": mode,
        "result": result,
        "out": tmp / "out",
        "alone": _rows(tmp / "out_alone" / "grades.csv"),
        "honest": honest,
        "key_before": before,
        "key": key,
        "victim": victim,
        "leftovers": _leftovers(),
    }


def _rows(path: Path) -> dict[str, dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return {row["student"]: row for row in csv.DictReader(f)}


def _students(graded) -> dict[str, dict]:
    data = json.loads((graded["out"] / "grades.json").read_text(encoding="utf-8"))
    return {s["student"]: s for s in data["students"]}


def test_the_run_completes_and_writes_every_export(graded):
    result = graded["result"]
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = graded["out"]
    for name in ("grades.csv", "grades.json", "canvas.csv", "moodle.csv"):
        assert (out / name).is_file(), name
    students = _students(graded)
    feedback = list((out / "feedback").iterdir())
    results = list((out / "gradescope").iterdir())
    assert len(feedback) == len(results) == len(students)


def test_attackers_get_no_more_than_the_stub_and_honest_grades_hold(graded):
    students = _students(graded)
    alone = graded["alone"]
    for name in graded["honest"]:
        assert students[name]["total"] == int(alone[name]["total"]), name
    stub = int(alone["c_stub"]["total"])
    assert stub == 0 and int(alone["a_right"]["total"]) == 11
    attackers = [s for s in students if s not in graded["honest"]]
    assert len(attackers) >= len(ATTACKS) + len(FORWARDS) + 10
    for name in attackers:
        assert students[name]["total"] <= stub, name


def test_nothing_outside_the_submissions_changed_and_nothing_leaked(graded):
    key = graded["key"]
    after = {p: p.read_bytes() for p in key.rglob("*") if p.is_file()}
    assert after == graded["key_before"], "the answer key or the hidden checks changed"
    assert graded["victim"].read_text() == "the teacher's file"
    assert graded["leftovers"] == [], graded["leftovers"]
    everything = _everything(graded["result"], graded["out"])
    assert SECRET not in everything, "the grader's environment reached an output"
    hidden = (key / "hidden" / "softmax.py").read_text().splitlines()[-1].strip()
    assert hidden not in everything, "a hidden check reached an output"
    answer = RIGHT.split("(", 1)[1]
    assert answer not in everything, "the answer key reached an output"


def test_each_attack_met_its_fence(graded):
    students = _students(graded)

    def outputs(name):
        return "".join(e["output"] for e in students[name]["exercises"])

    def outcomes(name):
        return [r["outcome"] for r in students[name]["exercises"][0]["results"]]

    assert "refused" in outputs("x_guard_switched_off")
    assert "refused" in outputs("x_dir_fd_and_path_objects")
    assert "refused" in outputs("x_unaudited_process")
    assert "refused" in outputs("x_find_the_hook")
    floods = outputs("x_floods")
    assert len(floods) <= 4001 and "\x1b" not in floods
    assert set(outcomes("x_signal_handlers")) <= {"load-timeout"}
    assert set(outcomes("x_huge")) == {"too-large"}
    assert set(outcomes("x_directory")) == {"missing"}
    assert (
        "is a folder"
        in students["x_directory"]["exercises"][0]["results"][0]["message"]
    )
    assert set(outcomes("x_link_to_key")) == {"missing"}
    assert set(outcomes("x_deep")) == {"load-error"}


def test_the_submissions_folder_cannot_break_the_exports(graded):
    out, stdout = graded["out"], graded["result"].stdout
    students = _students(graded)
    assert "x_folder_is_link" not in students
    assert "not graded: x_folder_is_link (a link)" in stdout
    assert "x_new\nline  11 of 11" in students  # the name is kept in the data...
    assert "x_new?line  11 of 11" in stdout  # ...and shown on one line
    assert not any(line.startswith("line  11") for line in stdout.splitlines())
    assert {"..x_dots", "x_dots", "x_bad\ufffd\ufffd", "x_" + "long" * 62} <= set(
        students
    )
    names = [p.name for p in (out / "feedback").iterdir()]
    assert len(set(names)) == len(names) == len(students)
    with (out / "grades.csv").open(encoding="utf-8", newline="") as f:
        first_cells = [row[0] for row in csv.reader(f)]
    with (out / "canvas.csv").open(encoding="utf-8", newline="") as f:
        first_cells += [row[0] for row in csv.reader(f)]
    assert "'=2+5" in first_cells and "'@SUM(A1)" in first_cells
    assert not any(c[:1] in "=+-@\t\r" for c in first_cells if c.strip())
    assert "folders not in the roster" in stdout and "x_?na" not in stdout
    unknown = stdout.split("folders not in the roster", 1)[1].splitlines()[0]
    assert "x_\u0430na" in unknown and "in the roster but without a folder: x_ana" in (
        stdout
    )
