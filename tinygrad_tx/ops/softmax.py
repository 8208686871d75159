"""Softmax and log-softmax along one axis, each one op with a hand-derived backward.

The same functions written with primitive ops (exp, sum, div) are in
`tinygrad_tx.composed`; the tests check that both agree, and a lesson draws both.
"""

from __future__ import annotations

from ..backend import get_array_module
from ..function import Function


def _shifted(x, axis):
    """x - max(x): softmax is shift-invariant, and after the shift every
    exponent is <= 0, so exp cannot overflow (softmax of [1000, 1001] works)."""
    return x - x.max(axis=axis, keepdims=True)


class Softmax(Function):
    """y_i = exp(x_i) / Σ_j exp(x_j) along `axis`.

    Jacobian: dy_i/dx_j = y_i (δ_ij - y_j). Multiplying by the upstream gradient g:

        grad_x = y * (g - Σ_j g_j y_j)

    so backward needs only the output y (saved), never the (n, n) Jacobian.
    """

    def forward(self, x, axis=-1):
        xp = get_array_module(x)
        self.axis = axis
        y = _shifted(x, axis)
        xp.exp(y, out=y)
        y /= y.sum(axis=axis, keepdims=True)
        self.y = y
        return y

    def backward(self, grad_out):
        y = self.y
        return y * (grad_out - (grad_out * y).sum(axis=self.axis, keepdims=True))


class LogSoftmax(Function):
    """y_i = x_i - log Σ_j exp(x_j) along `axis` (the log of softmax, computed stably).

    dy_i/dx_j = δ_ij - softmax(x)_j, so with upstream gradient g:

        grad_x = g - softmax(x) * Σ_j g_j,    softmax(x) = exp(y)

    Saves its output y and recovers softmax(x) as exp(y) in backward.
    """

    name = "log_softmax"

    def forward(self, x, axis=-1):
        xp = get_array_module(x)
        self.axis = axis
        y = _shifted(x, axis)
        y -= xp.log(xp.exp(y).sum(axis=axis, keepdims=True))
        self.y = y
        return y

    def backward(self, grad_out):
        xp = get_array_module(grad_out)
        softmax = xp.exp(self.y)
        return grad_out - softmax * grad_out.sum(axis=self.axis, keepdims=True)
