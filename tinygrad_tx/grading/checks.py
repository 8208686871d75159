"""What a check file is made of: the `@check` decorator and the `expect_*` helpers.

A check is a function of the student's module (`ex`). It returns nothing when the
work is right and raises `CheckFailure` with a precise message when it is not:
the expected shape, the first element that differs with both values, or the
gradcheck report. The runner turns anything else the student's code raises into
a failure of that one check, so the other checks still run.

    @check(points=2, hint="σ'(x) = σ(x)(1 - σ(x)): reuse the saved output")
    def backward_gradcheck(ex):
        x = Tensor(rng(0).standard_normal((3, 4)), requires_grad=True)
        expect_gradcheck(ex.sigmoid, [x], "sigmoid")
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import NoReturn

import numpy as np

from ..backend import to_numpy
from ..gradcheck import gradcheck
from ..tensor import Tensor


class CheckFailure(Exception):
    """The student's answer is wrong; the message says where and how."""


@dataclass(frozen=True)
class Check:
    """One graded check: its name, its points, a hint shown when it fails, and
    the function that runs it on the student's module."""

    name: str
    points: int
    hint: str
    fn: Callable

    def __call__(self, module) -> None:
        self.fn(module)


def check(points: int, hint: str = "") -> Callable[[Callable], Check]:
    """Mark a function of the student's module as a check worth `points`."""
    if not isinstance(points, int) or points <= 0:
        raise ValueError(f"check: points must be a positive integer, got {points!r}")

    def wrap(fn: Callable) -> Check:
        return Check(fn.__name__, points, hint, fn)

    return wrap


def fail(message: str) -> NoReturn:
    raise CheckFailure(message)


def rng(seed: int) -> np.random.Generator:
    """A seeded generator, so every run of a check sees the same inputs."""
    return np.random.default_rng(seed)


# ------------------------------------------------------------------ types


def expect_type(value, kinds, what: str):
    """`value` if it is an instance of `kinds`, else a failure naming both types."""
    if not isinstance(value, kinds):
        names = kinds.__name__ if isinstance(kinds, type) else _names(kinds)
        fail(f"{what} should be a {names}, got {type(value).__name__}")
    return value


def expect_tensor(value, what: str) -> Tensor:
    return expect_type(value, Tensor, what)


def expect_array(value, what: str) -> np.ndarray:
    """A NumPy array (the raw arrays that Function.forward/backward work on)."""
    if isinstance(value, Tensor):
        fail(
            f"{what} should be a raw array (numpy.ndarray), got a Tensor: inside "
            "forward and backward, work on arrays, not Tensors"
        )
    if isinstance(value, np.generic):  # NumPy gives a scalar for a full reduction
        return np.asarray(value)
    if not isinstance(value, np.ndarray):
        fail(f"{what} should be a numpy.ndarray, got {type(value).__name__}")
    return value


def _names(kinds) -> str:
    return " or ".join(k.__name__ for k in kinds)


# ------------------------------------------------------------------ values


def expect_shape(actual: tuple, expected: tuple, what: str) -> None:
    if tuple(actual) != tuple(expected):
        fail(f"{what} has shape {tuple(actual)}, expected {tuple(expected)}")


def expect_close(actual, expected, what: str, rtol=1e-6, atol=1e-8) -> None:
    """Same shape and values within rtol/atol; on failure, the first element that
    differs with both values and how many elements differ."""
    actual = _host(actual)
    expected = _host(expected)
    expect_shape(actual.shape, expected.shape, what)
    if actual.dtype.kind not in "fiub" or expected.dtype.kind not in "fiub":
        fail(f"{what} has dtype {actual.dtype}, expected numbers ({expected.dtype})")
    bad = ~np.isclose(actual, expected, rtol=rtol, atol=atol)
    if bad.any():
        fail(f"{what}: {_first_difference(actual, expected, bad)}")


def expect_equal(actual, expected, what: str) -> None:
    """Exact equality, for ids, booleans and lists; arrays compared elementwise."""
    if isinstance(expected, np.ndarray) or isinstance(actual, Tensor | np.ndarray):
        actual, expected = _host(actual), np.asarray(expected)
        expect_shape(actual.shape, expected.shape, what)
        bad = actual != expected
        if bad.any():
            fail(f"{what}: {_first_difference(actual, expected, bad)}")
    elif actual != expected:
        fail(f"{what} is {actual!r}, expected {expected!r}")


def expect_dtype(actual, kind: str, what: str) -> None:
    """kind is a NumPy dtype kind: "b" boolean, "f" float, "i" integer."""
    dtype = _host(actual).dtype
    if dtype.kind != kind:
        wanted = {"b": "bool", "f": "a float type", "i": "an integer type"}[kind]
        fail(f"{what} has dtype {dtype}, expected {wanted}")


def _host(value) -> np.ndarray:
    if isinstance(value, Tensor):
        return value.numpy()
    return np.asarray(to_numpy(value) if hasattr(value, "shape") else value)


def _first_difference(actual, expected, bad) -> str:
    index = tuple(int(i) for i in np.argwhere(bad)[0])
    got, want = actual[index], expected[index]
    count = int(bad.sum())
    where = f"at index {index}" if index else "the value"
    return (
        f"{where} got {_fmt(got)}, expected {_fmt(want)} "
        f"({count} of {bad.size} elements differ)"
    )


def _fmt(value) -> str:
    if isinstance(value, np.generic):
        value = value.item()  # np.True_ -> True, np.float64(0.5) -> 0.5
    return f"{value:.6g}" if isinstance(value, float) else repr(value)


# ------------------------------------------------------------------ gradients


def expect_gradcheck(fn: Callable, inputs, what: str, **options) -> None:
    """gradcheck `fn` at `inputs` (float64 central differences); on failure the
    report names the input and the element where backward is wrong."""
    out = fn(*[_float64(t) for t in inputs])
    expect_tensor(out, f"{what}'s result")
    if not out.requires_grad:
        fail(
            f"{what}'s result has no gradient: it must be computed from its "
            "inputs with Tensor ops (or a Function's apply), not from .numpy()"
        )
    with _wrong_gradient_shapes(what):
        report = gradcheck(fn, inputs, **options)
    if not report.ok:
        fail(f"{what}: {report.message}")


@contextlib.contextmanager
def _wrong_gradient_shapes(what: str):
    """The engine's complaint about a backward that returned a gradient of the
    wrong shape, as a failure of the check."""
    try:
        yield
    except RuntimeError as exc:
        match = re.match(r"internal error in (\S+): (.*)", str(exc))
        if not match:
            raise
        fail(
            f"{what}: {match.group(1)} returned a {match.group(2)}; each gradient "
            "must have its input's shape"
        )


def _float64(t):
    copy = Tensor(t.data.astype(np.float64)) if t.dtype.kind == "f" else t
    return copy.requires_grad_(t.requires_grad) if t.dtype.kind == "f" else copy


def grads_of(fn: Callable, inputs: list[Tensor], upstream: np.ndarray) -> list:
    """Run fn(*inputs), then backward with `upstream`; return each input's .grad
    (zeros where none arrived). Inputs are fresh copies: the originals are kept."""
    copies = [Tensor(t.data.copy(), requires_grad=t.requires_grad) for t in inputs]
    out = expect_tensor(fn(*copies), "the result")
    expect_shape(out.shape, upstream.shape, "the result")
    with _wrong_gradient_shapes("the result"):
        out.backward(upstream)
    return [
        c.grad if c.grad is not None else np.zeros(c.shape)
        for c in copies
        if c.requires_grad
    ]


def call_function(cls, arrays, grad_out, **options):
    """Run a Function subclass by hand, forward then backward, on raw arrays,
    checking what each returns: (y, [grad per input])."""
    fn = cls()
    fn.needs_input_grad = (True,) * len(arrays)
    y = expect_array(fn.forward(*arrays, **options), f"{cls.__name__}.forward")
    expect_shape(y.shape, grad_out.shape, f"{cls.__name__}.forward's output")
    kept = grad_out.copy()
    grads = fn.backward(grad_out)
    if not np.array_equal(grad_out, kept):
        fail(
            f"{cls.__name__}.backward changed grad_out in place (e.g. with *= or "
            "+=); compute a new array instead: other ops may share it"
        )
    if not isinstance(grads, tuple):
        grads = (grads,)
    if len(grads) != len(arrays):
        fail(
            f"{cls.__name__}.backward returned {len(grads)} gradient(s) for "
            f"{len(arrays)} input(s); return one per input, as a tuple"
        )
    for i, (g, x) in enumerate(zip(grads, arrays)):
        what = f"{cls.__name__}.backward's gradient for input {i}"
        expect_shape(expect_array(g, what).shape, x.shape, what)
    return y, list(grads)
