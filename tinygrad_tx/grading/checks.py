"""What a check file is made of: `@check`, hints, and the `Run` a check drives.

A check is a function of a `Run`. It runs in the grader, never in the student's
process: it draws its inputs, asks the student's process for outputs through
recipes (`expr.student`), computes the expected values itself, and raises
`CheckFailure` when they differ. Nothing the student's code does can change
the expected values, the verdict or the points:

    @check(points=2, hint=Text(en="σ'(x) = y (1 - y), times grad_out", pt="..."))
    def sigmoid_backward(run):
        x = tensor(run.rng.uniform(-3, 3, (3, 4)), grad=True)
        g = run.rng.standard_normal((3, 4))
        out, grads = run.grads(student.sigmoid(x), g, wrt=[x])
        ...

A check may name the hint for a mistake it recognises (`Mistake` in `expect`);
its own `hint` is shown for every other failure. Inputs come from `run.rng`: a
fixed seed for the public checks (students see the same numbers each time),
the grading run's seed for hidden checks (recorded in the report).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import messages, wire
from .expr import Expr, State, evaluate
from .i18n import Text


class CheckFailure(Exception):
    """The student's answer is wrong; the message says where and how, and `hint`
    (when set) is the hint written for the mistake that was recognised."""

    def __init__(self, message: str, hint: Hint | None = None):
        super().__init__(str(message))
        self.hint = hint


@dataclass(frozen=True)
class Hint:
    """A hint with a name, so a test can tell which one a student was shown."""

    id: str
    text: Text | str

    def __str__(self) -> str:
        return str(self.text)


def hint(hint_id: str, en: str, pt: str) -> Hint:
    return Hint(hint_id, Text(en, pt))


@dataclass(frozen=True)
class Check:
    """One graded check: its name, points, default hint, and its function."""

    name: str
    points: int
    hint: Hint
    fn: Callable


def check(points: int, hint: Hint | Text | str = "") -> Callable[[Callable], Check]:
    """Mark a function of a `Run` as a check worth `points`."""
    if not isinstance(points, int) or isinstance(points, bool) or points <= 0:
        raise ValueError(f"check: points must be a positive integer, got {points!r}")

    def wrap(fn: Callable) -> Check:
        named = hint if isinstance(hint, Hint) else Hint(fn.__name__, hint)
        return Check(fn.__name__, points, named, fn)

    return wrap


def fail(message, hint: Hint | None = None):
    raise CheckFailure(str(message), hint)


@dataclass
class Outcome:
    """What following a recipe gave: the value, each scorer's recorded prefixes
    (in the order the scorers appear), and watched arrays after the call."""

    value: object
    scorers: list
    after: dict


class Run:
    """One check's view of the world: its random inputs, the student's process,
    and (for hidden checks) the answer key, followed here in the grader."""

    def __init__(self, session, rng: np.random.Generator, deadline, reference=None):
        self.session = session
        self.rng = rng
        self.deadline = deadline
        self._reference = reference  # a callable giving the answer-key module

    # -------------------------------------------------------------- the student

    def call(self, expr: Expr) -> Outcome:
        answer = self._ask({"op": "eval", "expr": expr.node})
        scorers = answer.get("scorers", [])
        after = answer.get("after", {})
        if not isinstance(scorers, list) or not isinstance(after, dict):
            raise wire.WireError("bad answer")
        watched = {int(k): wire.decode(v) for k, v in after.items() if k.isdigit()}
        logs = [_prefixes(s) for s in scorers]
        return Outcome(wire.decode(answer.get("value")), logs, watched)

    def value(self, expr: Expr):
        return self.call(expr).value

    def raises(self, expr: Expr) -> dict | None:
        """The exception following `expr` raised in the student's code, as data
        ({"type": ..., "message": ...}, cleaned), or None if it returned."""
        answer = self.session.request({"op": "eval", "expr": expr.node}, self.deadline)
        if not isinstance(answer, dict):
            raise wire.WireError("an answer is an object")
        error = answer.get("error")
        if not isinstance(error, dict):
            return None
        if error.get("type") == "NotImplementedError":  # a stub is no answer
            raise CheckFailure(describe_error(error))
        return {
            "type": clean(error.get("type", ""), 60),
            "message": clean(error.get("message", ""), 600),
        }

    def grads(self, expr: Expr, upstream, wrt: list[Expr]):
        """(value, [gradient of each `wrt` tensor, or None]) after backward with
        `upstream`; the gradients are None altogether when backward did not run
        (the value is not a Tensor of upstream's shape)."""
        upstream = np.asarray(upstream)
        message = {
            "op": "grads",
            "expr": expr.node,
            "upstream": wire.encode(upstream),
            "wrt": [t.id for t in wrt],
        }
        answer = self._ask(message)
        grads = wire.decode(answer.get("grads"))
        if grads is not None and (
            not isinstance(grads, list) or len(grads) != len(wrt)
        ):
            raise wire.WireError("bad gradients")
        return wire.decode(answer.get("value")), grads

    def function(self, name: str, arrays: list, grad_out, **options):
        """Run the student's Function subclass `name` by hand on arrays: forward,
        then backward with `grad_out`. Returns (y, grads, grad_out afterwards)."""
        message = {
            "op": "function",
            "name": name,
            "arrays": [wire.encode(np.asarray(a)) for a in arrays],
            "grad_out": wire.encode(np.asarray(grad_out)),
            "options": {k: wire.encode(v) for k, v in options.items()},
        }
        answer = self._ask(message)
        after = answer.get("grad_out_after")
        return (
            wire.decode(answer.get("value")),
            wire.decode(answer.get("grads")),
            None if after is None else wire.decode(after),
        )

    def _ask(self, message: dict) -> dict:
        answer = self.session.request(message, self.deadline)
        if not isinstance(answer, dict):
            raise wire.WireError("an answer is an object")
        if "error" in answer:
            raise CheckFailure(describe_error(answer["error"]))
        return answer

    # -------------------------------------------------------------- the reference

    @property
    def reference(self):
        """The answer key's module, loaded in the grader (trusted code)."""
        if self._reference is None:
            raise RuntimeError("this check has no answer key to compare with")
        return self._reference()

    def expected(self, expr: Expr):
        """The value the answer key gives for the same recipe."""
        return self.expected_call(expr).value

    def expected_call(self, expr: Expr) -> Outcome:
        """The answer key's Outcome for the same recipe (value, scorer logs)."""
        state = State()
        value = _as_answer(evaluate(expr.node, self.reference, state))
        logs = [s.prefixes for s in state.scorers]
        return Outcome(value, logs, {k: a.copy() for k, a in state.watched.items()})

    def expected_grads(self, expr: Expr, upstream, wrt: list[Expr]):
        state = State()
        out = evaluate(expr.node, self.reference, state)
        out.backward(np.asarray(upstream))
        return _as_answer(out), [state.tensors[t.id].grad for t in wrt]

    def seconds_left(self) -> float | None:
        return None if self.deadline is None else self.deadline - time.monotonic()


def _as_answer(value):
    """A local value in the form a student's answer takes after decoding."""
    return wire.decode(wire.encode(value))


def _prefixes(log) -> list[list[int]]:
    if not isinstance(log, list) or not all(
        isinstance(p, list) and all(isinstance(t, int) for t in p) for p in log
    ):
        raise wire.WireError("bad scorer log")
    return log


# ------------------------------------------------------------------ errors as text


def describe_error(error) -> str:
    """The student's exception, written by the grader from the data that came
    back: type, message and line (their text cleaned of control characters)."""
    if not isinstance(error, dict):
        return str(messages.GARBLED).format(why="error")
    kind = clean(error.get("type", ""), 60)
    text = clean(error.get("message", ""), 600)
    if kind == "answer too large":
        return str(messages.TOO_LARGE)
    if kind == "NotImplementedError":
        return str(messages.NOT_DONE).format(message=text).rstrip(": ")
    if error.get("syntax"):
        return str(messages.SYNTAX).format(message=text, line=_int(error.get("line")))
    if kind == "AttributeError" and "has no attribute" in text and "module" in text:
        name = text.rsplit("attribute", 1)[-1].strip(" '\"")
        return str(messages.MISSING_NAME).format(name=clean(name, 60))
    said = str(messages.RAISED).format(error=f"{kind}: {text}".rstrip(": "))
    if "line" in error:
        code = clean(error.get("code", ""), 200)
        said += "\n" + str(messages.WHERE).format(
            file=clean(error.get("file", ""), 80),
            line=_int(error.get("line")),
            function=clean(error.get("function", ""), 60),
            code=f": {code}" if code else "",
        )
    return said


def clean(text, limit: int) -> str:
    """At most `limit` characters of `text`, with control characters replaced,
    so nothing a student sends can move the cursor or fake a report line."""
    text = str(text)[:limit]
    return "".join(c if c in "\n\t" or c.isprintable() else "?" for c in text)


def _int(value) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
