"""gradcheck itself: it passes right gradients, catches a wrong backward and
names the input and element where backward and the numerical derivative part."""

import numpy as np
import pytest

from tinygrad_tx import Tensor
from tinygrad_tx.function import Function
from tinygrad_tx.gradcheck import gradcheck


class WrongSquare(Function):
    """y = x², with a deliberately wrong backward: 2x everywhere but at x[1]."""

    def forward(self, x):
        self.x = x
        return x * x

    def backward(self, grad_out):
        grad = 2 * self.x * grad_out
        grad[1] *= 1.5
        return grad


def test_passes_a_correct_op_and_counts_elements():
    report = gradcheck(lambda x, y: (x * y).exp(), [np.ones((2, 3)), np.ones(3)])
    assert report.ok and bool(report)
    assert report.checked == 9
    assert "gradcheck passed: 9 elements agree" in str(report)


def test_catches_a_wrong_backward_and_names_where():
    x = Tensor([0.5, -1.0, 2.0], requires_grad=True)
    report = gradcheck(lambda t: WrongSquare.apply(t), [x])
    assert not report.ok
    assert (report.input_index, report.element) == (0, (1,))
    assert report.numerical == pytest.approx(-2.0 * _upstream(3)[1], rel=1e-6)
    assert report.analytic == pytest.approx(1.5 * report.numerical, rel=1e-6)
    assert "gradcheck failed at input 0, element (1,)" in report.message
    with pytest.raises(AssertionError, match=r"element \(1,\)"):
        gradcheck(lambda t: WrongSquare.apply(t), [x], raise_on_failure=True)


def _upstream(n, seed=0):
    """gradcheck's random upstream gradient (its documented seed)."""
    return np.random.default_rng(seed).standard_normal((n,))


def test_runs_in_float64_whatever_the_input_dtype():
    seen = []

    def fn(x):
        seen.append(x.dtype)
        return x.tanh()

    x = Tensor(np.linspace(-1, 1, 4, dtype=np.float32), requires_grad=True)
    assert gradcheck(fn, [x]).ok
    assert set(seen) == {np.dtype(np.float64)}
    assert x.dtype == np.float32 and x.grad is None  # the caller's tensor untouched


def test_checks_only_inputs_that_require_grad_and_passes_integers_through():
    ids = Tensor([0, 2])
    table = Tensor(np.ones((3, 2)), requires_grad=True)
    other = Tensor(np.ones(2))  # a constant: not checked
    report = gradcheck(lambda w, i, c: w[i] * c, [table, ids, other])
    assert report.ok and report.checked == 6
