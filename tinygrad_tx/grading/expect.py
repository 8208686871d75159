"""Comparing a student's answer with the expected one, in the grader.

Each helper returns quietly when the answer is right and raises `CheckFailure`
with a precise message when it is not: the type that came back, the shape, the
first element that differs with both values, or (for gradients) the input and
the element whose gradient is wrong. A `Mistake` lists a wrong answer a check
recognises; when the student's value matches it, the failure carries the hint
written for that mistake instead of the check's general one:

    expect_close(grad, y * (g - (g * y).sum(-1, keepdims=True)), "dL/dx",
                 mistakes=[Mistake(DIAGONAL_ONLY, value=g * y * (1 - y))])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from . import messages
from .checks import CheckFailure, Hint
from .wire import Foreign, TensorValue

NUMERIC = "fiub"  # dtype kinds of numbers and booleans


@dataclass(frozen=True)
class Mistake:
    """A wrong answer: its value (or a callable giving it), or a test `when` on
    the student's value; `input` restricts it to one gradient of expect_grads."""

    hint: Hint
    value: object = None
    when: Callable | None = None
    input: int | None = None

    def matches(self, got) -> bool:
        try:
            if self.when is not None:
                return bool(self.when(got))
            want = self.value() if callable(self.value) else self.value
            return _same(got, want)
        except Exception:  # a recogniser that cannot apply simply does not match
            return False


def _same(got, want) -> bool:
    if isinstance(want, list | tuple) and not isinstance(got, np.ndarray):
        return list(got) == list(want) if isinstance(got, list | tuple) else False
    got, want = _host(got), np.asarray(want)
    if got.shape != want.shape:
        return False
    if got.dtype.kind == "b" or want.dtype.kind == "b":
        return bool(np.array_equal(got, want))
    return bool(np.allclose(got, want, rtol=1e-5, atol=1e-7, equal_nan=True))


def _fail(message: str, got, mistakes: Sequence[Mistake]):
    for mistake in mistakes:
        if mistake.matches(got):
            raise CheckFailure(message, mistake.hint)
    raise CheckFailure(message)


# ------------------------------------------------------------------ types

_NAMES = {TensorValue: "Tensor", np.ndarray: "numpy.ndarray", float: "float"}


def type_name(value) -> str:
    if isinstance(value, Foreign):
        return value.type_name
    if isinstance(value, TensorValue):
        return "Tensor"
    if isinstance(value, np.generic):
        return f"numpy.{type(value).__name__}"
    return _NAMES.get(type(value), type(value).__name__)


def expect_type(value, kinds, what, mistakes: Sequence[Mistake] = ()):
    """`value` if it is one of `kinds` (TensorValue stands for a Tensor)."""
    kinds = kinds if isinstance(kinds, tuple) else (kinds,)
    if not isinstance(value, kinds):
        want = " or ".join(_NAMES.get(k, k.__name__) for k in kinds)
        got = type_name(value)
        _fail(str(messages.TYPE).format(what=what, want=want, got=got), value, mistakes)
    return value


def expect_tensor(value, what, mistakes: Sequence[Mistake] = ()) -> np.ndarray:
    """The data of a Tensor the student returned."""
    return expect_type(value, TensorValue, what, mistakes).array


def expect_array(value, what, mistakes: Sequence[Mistake] = ()) -> np.ndarray:
    """A raw NumPy array (what Function.forward and backward work on)."""
    if isinstance(value, TensorValue):
        _fail(str(messages.TENSOR_NOT_ARRAY).format(what=what), value, mistakes)
    if isinstance(value, np.generic):  # NumPy gives a scalar for a full reduction
        return np.asarray(value)
    return expect_type(value, np.ndarray, what, mistakes)


def expect_tuple(value, count: int, what, mistakes: Sequence[Mistake] = ()) -> tuple:
    expect_type(value, tuple, what, mistakes)
    if len(value) != count:
        message = str(messages.COUNT).format(what=what, want=count, got=len(value))
        _fail(message, value, mistakes)
    return value


def _host(value) -> np.ndarray:
    if isinstance(value, TensorValue):
        return value.array
    return np.asarray(value)


def _numbers(value, what, mistakes) -> np.ndarray:
    """The student's value as an array of numbers, or a failure naming its type."""
    if isinstance(value, Foreign | dict | str) or value is None:
        want = "Tensor or numpy.ndarray"
        message = str(messages.TYPE).format(what=what, want=want, got=type_name(value))
        _fail(message, value, mistakes)
    try:
        array = _host(value)
    except ValueError:
        array = np.asarray(None)
    if array.dtype.kind not in NUMERIC:
        message = str(messages.DTYPE).format(what=what, got=array.dtype, want="numbers")
        _fail(message, value, mistakes)
    return array


# ------------------------------------------------------------------ values


def expect_shape(actual: tuple, expected: tuple, what, got=None, mistakes=()) -> None:
    if tuple(actual) != tuple(expected):
        message = str(messages.SHAPE).format(
            what=what, got=tuple(actual), want=tuple(expected)
        )
        _fail(message, got if got is not None else actual, mistakes)


def expect_close(
    actual, expected, what, rtol=1e-6, atol=1e-8, mistakes: Sequence[Mistake] = ()
) -> None:
    """Same shape and values within rtol/atol (NaN never matches)."""
    got = _numbers(actual, what, mistakes)
    want = np.asarray(expected)
    expect_shape(got.shape, want.shape, what, actual, mistakes)
    bad = ~np.isclose(got, want, rtol=rtol, atol=atol)
    if bad.any():
        _fail(_differ(what, got, want, bad), actual, mistakes)


def expect_equal(actual, expected, what, mistakes: Sequence[Mistake] = ()) -> None:
    """Exact equality: arrays element by element, other values as a whole."""
    if isinstance(expected, np.ndarray):
        got = _numbers(actual, what, mistakes)
        expect_shape(got.shape, expected.shape, what, actual, mistakes)
        bad = got != expected
        if bad.any():
            _fail(_differ(what, got, expected, bad), actual, mistakes)
    elif actual != expected:
        message = str(messages.DIFFER_SCALAR).format(
            what=what, got=_show(actual), want=_show(expected)
        )
        _fail(message, actual, mistakes)


def expect_dtype(actual, dtype, what, mistakes: Sequence[Mistake] = ()) -> None:
    """`dtype` a NumPy dtype, or a kind: "b" bool, "f" float, "i" integer."""
    got = _numbers(actual, what, mistakes).dtype
    if isinstance(dtype, str) and len(dtype) == 1:
        ok = got.kind == dtype
        want = {"b": "bool", "f": "float", "i": "int"}[dtype]
    else:
        ok, want = got == np.dtype(dtype), np.dtype(dtype).name
    if not ok:
        message = str(messages.DTYPE).format(what=what, got=got, want=want)
        _fail(message, actual, mistakes)


def expect_unchanged(before, after, what, name, hint: Hint | None = None) -> None:
    """An argument must not be changed in place."""
    if after is None or not np.array_equal(np.asarray(after), before):
        message = str(messages.ARGUMENT_CHANGED).format(what=what, name=name)
        raise CheckFailure(message, hint)


def _differ(what, got, want, bad) -> str:
    found = _first_difference(got, want, bad)
    if not found["index"]:
        return str(messages.DIFFER_SCALAR).format(
            what=what, got=found["got"], want=found["want"]
        )
    return str(messages.DIFFER).format(what=what, **found)


def _first_difference(got, want, bad) -> dict:
    """The first element where `bad` is True, `got` and `want` there, and how many
    elements differ: the fields the DIFFER and GRADIENT messages show."""
    index = tuple(int(i) for i in np.argwhere(bad)[0])
    count = int(bad.sum())
    return dict(
        index=index,
        got=_show(got[index]),
        want=_show(want[index]),
        count=count,
        size=bad.size,
        differ=_differ_verb(count),
    )


def _differ_verb(count: int) -> str:
    """ "1 of 16 elements differs", "2 of 16 elements differ"."""
    return str(messages.DIFFERS if count == 1 else messages.DIFFER_MANY)


def _show(value) -> str:
    if isinstance(value, np.generic):
        value = value.item()  # np.True_ -> True, np.float64(0.5) -> 0.5
    if isinstance(value, float):
        return f"{value:.6g}"
    return (
        repr(value)
        if not isinstance(value, TensorValue | Foreign)
        else type_name(value)
    )


def expect_steps(asked: list, expected: list, mistakes: Sequence[Mistake] = ()) -> None:
    """A decoder's calls to the model, step by step: fail at the first step whose
    prefix differs from the expected one (the first intermediate that disagrees);
    a mistake's `when` sees the whole list of prefixes asked."""
    for step in range(max(len(asked), len(expected))):
        got = asked[step] if step < len(asked) else None
        want = expected[step] if step < len(expected) else None
        if got != want:
            message = str(messages.STEP).format(step=step + 1, got=got, want=want)
            _fail(message, asked, mistakes)


def beams(asked: list) -> list:
    """A beam search's calls to the model (prefixes) grouped by length, each
    group sorted: the beams of each step, to compare with expect_steps."""
    lengths = sorted({len(p) for p in asked})
    return [sorted(p for p in asked if len(p) == n) for n in lengths]


# ------------------------------------------------------------------ gradients


def expect_grads(
    grads, expected, names, rtol=1e-5, atol=1e-7, mistakes: Sequence[Mistake] = ()
) -> None:
    """Each gradient against its expected value; a failure names the input and
    the element whose gradient is wrong, expected against got."""
    for i, (got, want, name) in enumerate(zip(grads, expected, names)):
        mine = [m for m in mistakes if m.input in (None, i)]
        if got is None:
            _fail(str(messages.NO_GRADIENT).format(name=name), got, mine)
        array = _numbers(got, str(messages.GRADIENT_OF).format(name=name), mine)
        want = np.asarray(want)
        if array.shape != want.shape:
            message = str(messages.GRADIENT_SHAPE).format(
                name=name, got=array.shape, want=want.shape
            )
            _fail(message, got, mine)
        bad = ~np.isclose(array, want, rtol=rtol, atol=atol)
        if bad.any():
            found = _first_difference(array, want, bad)
            message = str(messages.GRADIENT).format(name=name, **found)
            _fail(message, got, mine)


def numerical_grads(f: Callable, inputs: Sequence, upstream, h: float = 1e-6) -> list:
    """dL/d(input) for L = Σ upstream · f(*inputs), by central differences in
    float64: the expected gradients, from the forward formula alone."""
    inputs = [np.array(a, dtype=np.float64) for a in inputs]
    upstream = np.asarray(upstream, dtype=np.float64)
    grads = []
    for a in inputs:
        grad = np.zeros_like(a)
        for index in np.ndindex(a.shape):
            kept = a[index]
            a[index] = kept + h
            plus = np.sum(upstream * f(*inputs))
            a[index] = kept - h
            minus = np.sum(upstream * f(*inputs))
            a[index] = kept
            grad[index] = (plus - minus) / (2 * h)
        grads.append(grad)
    return grads
