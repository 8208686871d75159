"""The grading machinery: what crosses from a student's process (data only, checked
on arrival), one clear failure per check whatever the student's code does
(raise, loop, return the wrong type, exit, print), the time budget, hidden
checks and their seed, and the report in both languages.

Time limits are short here (1-2 s) so the tests stay quick.
"""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest

from tinygrad_tx.grading import Isolation, find, grade, sandbox, wire
from tinygrad_tx.grading.runner import _rng

KEYS = find("softmax").file.parent  # the answer keys
RIGHT = "return y * (grad_out - (grad_out * y).sum(axis=self.axis, keepdims=True))"


def softmax_variant(folder, backward=None, forward=None, top=""):
    """A student's 06_softmax.py: the answer key with a part replaced."""
    source = find("softmax").file.read_text(encoding="utf-8")
    if backward is not None:
        source = source.replace(RIGHT, backward)
    if forward is not None:
        source = source.replace("return self.y\n", f"{forward}\n")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "06_softmax.py"
    path.write_text(top + source, encoding="utf-8")
    return path


def status(report):
    return {r.name: r.passed for r in report.results}


ONLY_BACKWARD_FAILS = {
    "forward_values": True,
    "forward_other_axis": True,
    "huge_logits": True,
    "backward_values": False,
    "backward_through_tensors": False,
}


# ------------------------------------------------------------------ the wire


def test_values_travel_as_data_and_back():
    values = [
        None,
        True,
        3,
        0.5,
        "text",
        np.arange(6.0).reshape(2, 3),
        np.array([True, False]),
        np.float32(1.5),
        (1, [2.0, np.int64(3)]),
    ]
    for value in values:
        back = wire.decode(json.loads(json.dumps(wire.encode(value))))
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(back, value)
            assert back.dtype == value.dtype
        else:
            assert back == value and type(back) is type(value)
    assert wire.encode({"a": 1}) == {"$type": "dict"}
    assert wire.decode(wire.encode(object())) == wire.Foreign("object")


def _nd(dtype, shape, data: bytes):
    return {"$nd": [dtype, shape, base64.b64encode(data).decode()]}


@pytest.mark.parametrize(
    "data, message",
    [
        (_nd("object", [1], b"\0" * 8), "not allowed"),
        (_nd("float64", [2], b"\0" * 8), "does not match"),
        (_nd("float64", [-1], b""), "bad shape"),
        (_nd("float64", [2**40], b""), "too large"),
        ({"$nd": ["float64", [1], "***"]}, "not base64"),
        ({"$pickle": "gASV"}, "unexpected object"),
        ({"$tensor": {"$nd": 1}, "rg": True}, "an array is"),
        ("x" * 30_000, "too long"),
        (2**70, "out of range"),
    ],
    ids=[
        "object",
        "short",
        "negative",
        "huge",
        "base64",
        "pickle",
        "tensor",
        "str",
        "int",
    ],
)
def test_decode_refuses_what_is_not_plain_data(data, message):
    with pytest.raises(wire.WireError, match=message):
        wire.decode(data)


def test_decode_refuses_deep_nesting_and_oversized_frames():
    deep = 1
    for _ in range(40):
        deep = [deep]
    with pytest.raises(wire.WireError, match="nested"):
        wire.decode(deep)
    with pytest.raises(wire.WireError, match="over the cap"):
        wire.frame({"x": "y" * (wire.MAX_FRAME + 1)})


# ------------------------------------------------------------------ one student


def test_code_that_raises_fails_those_checks_with_the_line(tmp_path):
    path = softmax_variant(tmp_path, backward="raise KeyError('oops')")
    report = grade("softmax", path, timeout=5)
    assert status(report) == ONLY_BACKWARD_FAILS
    message = report.results[3].message
    assert "your code raised KeyError: 'oops'" in message
    assert "06_softmax.py, line" in message and "in backward" in message


def test_infinite_loop_is_stopped_and_later_checks_still_run(tmp_path):
    path = softmax_variant(tmp_path, backward="while True:\n            pass")
    report = grade("softmax", path, timeout=1.5)
    assert status(report) == ONLY_BACKWARD_FAILS
    for result in report.results[3:]:
        assert result.message.startswith("stopped after 1.5 s"), result.message
        assert result.outcome == "timeout"


def test_a_file_that_hangs_on_load_costs_one_time_limit(tmp_path):
    path = softmax_variant(tmp_path, top="while True:\n    pass\n")
    report = grade("softmax", path, timeout=1.0, hidden=True)
    assert report.score == 0
    for result in report.results:
        assert result.message.startswith("loading 06_softmax.py did not finish in 1 s")
        assert result.outcome == "load-timeout"


def test_loops_everywhere_spend_the_exercise_budget_then_stop(tmp_path):
    """Two time limits in all: the remaining checks fail without running."""
    path = softmax_variant(
        tmp_path, forward="while True:\n            pass", backward="pass"
    )
    report = grade("softmax", path, timeout=1.0, hidden=True)
    outcomes = [r.outcome for r in report.results]
    assert outcomes.count("timeout") == 2
    assert outcomes[2:] == ["budget"] * (len(outcomes) - 2)
    assert "used up its time (2 s)" in report.results[-1].message


def test_wrong_types_get_a_clear_message(tmp_path):
    path = softmax_variant(tmp_path, backward="return (grad_out.tolist(),)")
    report = grade("softmax", path, timeout=5)
    failed = {r.name: r.message for r in report.results if not r.passed}
    assert "should be a numpy.ndarray, got list" in failed["backward_values"]

    key = find("scaled_dot_product_attention")
    source = key.file.read_text(encoding="utf-8")
    (tmp_path / key.filename).write_text(
        source.replace("return weights @ v, weights", "return weights @ v")
    )
    report = grade(key.id, tmp_path, timeout=5)
    messages = [r.message for r in report.results if not r.passed]
    assert len(messages) == len(report.results)
    assert "should be a tuple, got Tensor" in messages[0]


def test_a_process_that_exits_fails_one_check_and_the_rest_run(tmp_path):
    path = softmax_variant(tmp_path, backward="import os\n        os._exit(3)")
    report = grade("softmax", path, timeout=5)
    assert [r.passed for r in report.results] == [True, True, True, False, False]
    assert "ended without an answer (exit code 3)" in report.results[3].message
    assert report.results[3].outcome == "died"


def test_unloadable_or_missing_files(tmp_path):
    bad = tmp_path / "06_softmax.py"
    bad.write_text("def softmax(x:\n    pass\n")
    report = grade("softmax", bad, timeout=5)
    assert not any(r.passed for r in report.results)
    assert report.results[0].message.startswith("could not load 06_softmax.py: ")
    assert "(line 1)" in report.results[0].message
    report = grade("softmax", tmp_path / "elsewhere", timeout=5)
    assert report.score == 0
    assert report.results[0].message.startswith("file not found: ")


def test_prints_go_to_the_students_report_only(tmp_path, capsys):
    path = softmax_variant(tmp_path, top="print('hello\\x1b[2J from the student')\n")
    report = grade("softmax", path, timeout=5)
    assert report.passed
    assert "hello" not in capsys.readouterr().out
    assert "hello?[2J from the student" in report.output  # ESC is cleaned
    assert "    | hello?[2J from the student" in report.format()


def test_trusted_and_isolated_runs_agree():
    isolated = grade("softmax", KEYS, timeout=5, hidden=True, seed=4)
    trusted = grade("softmax", KEYS, hidden=True, seed=4, trusted=True)
    assert isolated.to_dict()["results"] == trusted.to_dict()["results"]


# ------------------------------------------------------------------ hidden checks


def test_hidden_checks_run_only_when_asked_and_record_their_seed():
    public = grade("softmax", KEYS, timeout=5)
    everything = grade("softmax", KEYS, timeout=5, hidden=True, seed=12)
    assert not any(r.hidden for r in public.results)
    assert public.seed is None and everything.seed == 12
    assert [r for r in everything.results if not r.hidden] == public.results
    assert everything.max_score > public.max_score
    assert public.total_max == everything.total_max == find("softmax").points(True)
    assert "seed 12" in everything.format()


def test_hidden_inputs_follow_the_seed(tmp_path):
    """A wrong answer's hidden messages quote the drawn values: the same seed
    gives the same messages, another seed others; public checks never move."""
    path = softmax_variant(tmp_path, backward="return grad_out * y")

    def hidden_messages(seed):
        report = grade("softmax", path, timeout=5, hidden=True, seed=seed)
        public = [r.message for r in report.results if not r.hidden]
        return public, [r.message for r in report.results if r.hidden]

    assert hidden_messages(1) == hidden_messages(1)
    assert hidden_messages(1)[0] == hidden_messages(2)[0]
    assert hidden_messages(1)[1] != hidden_messages(2)[1]
    a, b = _rng(1, "softmax", "x"), _rng(2, "softmax", "x")
    assert a.standard_normal() != b.standard_normal()


# ------------------------------------------------------------------ the report


def test_report_as_dict_and_text_with_one_points_number():
    report = grade("unbroadcast", KEYS, timeout=5)
    data = report.to_dict()
    exercise = find("unbroadcast")
    assert data["exercise"] == "unbroadcast" and data["lesson"] == 3
    assert data["score"] == data["public_max"] == exercise.public_points
    assert data["hidden_max"] == exercise.hidden_points
    assert data["total_max"] == exercise.points(hidden=True)
    assert json.loads(json.dumps(data)) == data
    text = report.format()
    assert text.splitlines()[0].startswith("unbroadcast (lesson 3): ")
    total = exercise.points(True)
    assert (
        f"points: public {exercise.public_points}/{exercise.public_points} + hidden "
        f"–/{exercise.hidden_points} = {exercise.public_points}/{total}" in text
    )


def test_report_in_portuguese(tmp_path):
    path = softmax_variant(tmp_path, backward="return grad_out * y * (1 - y)")
    report = grade("softmax", path, timeout=5, lang="pt")
    text = report.format()
    assert "aula 6" in text and "arquivo:" in text and "FALHOU" in text
    assert "pontos: públicas 4/9 + ocultas –/2 = 4/11" in text
    assert "o gradiente de x está errado no elemento" in text
    assert "é só a diagonal da jacobiana" in text  # the mistake's own hint


def test_unknown_exercise_names_the_known_ones():
    with pytest.raises(KeyError, match=r"unknown exercise 'nope'.*softmax"):
        grade("nope", KEYS)


# ------------------------------------------------------------------ isolation


def test_without_bubblewrap_grading_runs_and_says_so(monkeypatch, tmp_path):
    monkeypatch.setattr(sandbox, "find_bwrap", lambda: None)
    report = grade("softmax", KEYS, timeout=5, isolation=Isolation("auto"))
    assert report.passed and report.isolated is False
    with pytest.raises(RuntimeError, match="apt-get install bubblewrap"):
        Isolation("bwrap").bwrap()


def test_limits_apply_in_the_students_process(tmp_path):
    path = softmax_variant(
        tmp_path,
        forward=(
            "import resource, os\n"
            "        print(resource.getrlimit(resource.RLIMIT_AS),"
            " resource.getrlimit(resource.RLIMIT_NPROC), sorted(os.environ))\n"
            "        return self.y"
        ),
    )
    report = grade("softmax", path, timeout=5, isolation=Isolation("limits"))
    assert report.passed
    assert f"({2**30}, {2**30}) (0, 0)" in report.output
    assert "HOME" in report.output and "PYTEST" not in report.output
