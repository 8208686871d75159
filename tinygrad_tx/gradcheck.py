"""Numerical gradient checking: is backward right? Ask the definition of a derivative.

For a function f of input x, the central difference

    ∂f/∂x_i ≈ (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)

has error O(eps²). We compare it, for every element of every input, with what
backward computes. To check a vector-valued f at once we differentiate the
scalar L = Σ f(x) * u with a fixed random u (a plain sum would hide mistakes in
how the gradient is spread over the outputs). Everything runs in float64:
in float32, eps = 1e-6 would drown in rounding error.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .autograd import no_grad
from .backend import to_numpy
from .tensor import Tensor


@dataclass
class GradcheckReport:
    """The outcome of gradcheck: `ok`, and where the two gradients differ most."""

    ok: bool
    input_index: int  # which input holds the worst element (-1 if none checked)
    element: tuple[int, ...]  # its index inside that input
    analytic: float  # backward's value there
    numerical: float  # the central difference there
    max_abs_error: float
    checked: int  # number of elements compared
    message: str

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        return self.message


def gradcheck(
    fn,
    inputs,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    seed: int = 0,
    raise_on_failure: bool = False,
) -> GradcheckReport:
    """Compare backward's gradients of `fn(*inputs)` with central differences.

    inputs: tensors; those with requires_grad=True are checked (all floating
    ones if none asks). They are copied to float64 first. fn may return a tensor
    of any shape. Passes when |analytic - numerical| <= atol + rtol |numerical|
    for every element.
    """
    inputs = [_as_float64(t) for t in inputs]
    checked = [i for i, t in enumerate(inputs) if t.requires_grad]
    if not checked:
        checked = [i for i, t in enumerate(inputs) if t.dtype.kind == "f"]
        for i in checked:
            inputs[i].requires_grad_(True)

    out = fn(*inputs)
    _check_output(out)
    upstream = np.random.default_rng(seed).standard_normal(out.shape)
    upstream = Tensor(upstream, device=out.device)._data
    out.backward(upstream)
    analytic = {i: _grad_or_zeros(inputs[i]) for i in checked}

    def loss() -> float:
        with no_grad():
            return float((fn(*inputs).numpy() * to_numpy(upstream)).sum())

    worst = (-1.0, -1, (), 0.0, 0.0)  # (excess over tolerance, input, element, a, n)
    count = 0
    for i in checked:
        data = inputs[i]._data  # perturbed in place, one element at a time
        for element in np.ndindex(*data.shape):
            original = data[element].item()
            data[element] = original + eps
            plus = loss()
            data[element] = original - eps
            minus = loss()
            data[element] = original
            numerical = (plus - minus) / (2 * eps)
            a = float(analytic[i][element])
            excess = abs(a - numerical) - (atol + rtol * abs(numerical))
            count += 1
            if excess > worst[0] or worst[1] == -1:
                worst = (excess, i, element, a, numerical)
    return _report(worst, count, raise_on_failure)


def _as_float64(t) -> Tensor:
    if not isinstance(t, Tensor):
        t = Tensor(np.asarray(t, dtype=np.float64))
    if t.dtype.kind != "f":
        return t  # integer inputs (ids, targets) pass through unchanged
    copy = Tensor(t._data, device=t.device, dtype=np.float64)
    return copy.requires_grad_(t.requires_grad)


def _check_output(out) -> None:
    if not isinstance(out, Tensor):
        raise TypeError(f"gradcheck: fn must return a Tensor, got {type(out).__name__}")
    if not out.requires_grad:
        raise ValueError(
            "gradcheck: fn's output does not depend on any checked input (it has no "
            "graph); did fn detach its input or use .data / .numpy()?"
        )


def _grad_or_zeros(t: Tensor) -> np.ndarray:
    return to_numpy(t.grad) if t.grad is not None else np.zeros(t.shape)


def _report(worst, count, raise_on_failure) -> GradcheckReport:
    excess, i, element, a, n = worst
    ok = excess <= 0
    where = f"input {i}, element {element}"
    if ok:
        message = f"gradcheck passed: {count} elements agree (largest gap at {where})"
    else:
        message = (
            f"gradcheck failed at {where}: backward gives {a:.6g}, the numerical "
            f"derivative is {n:.6g} (difference {abs(a - n):.3g})"
        )
    report = GradcheckReport(ok, i, tuple(element), a, n, abs(a - n), count, message)
    if raise_on_failure and not ok:
        raise AssertionError(message)
    return report
