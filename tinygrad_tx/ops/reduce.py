"""Reductions: sum, mean, max and var over some axes.

The adjoint of a reduction is a broadcast: each input element that fed an output
element receives that output's gradient (times its local derivative). `_expand`
puts the reduced axes back as size-1 axes so NumPy broadcasting does the rest.
"""

from __future__ import annotations

import math

from ..arguments import check_axis
from ..backend import get_array_module
from ..function import Function


def normalize_axis(axis, ndim: int) -> tuple[int, ...]:
    """axis (None, an int or a tuple, negatives allowed) as a sorted tuple."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    if ndim == 0 and all(a in (0, -1) for a in axes):
        return ()  # a 0-d tensor: axis 0 or -1 means "the whole thing", as NumPy
    return tuple(sorted({check_axis(None, a, ndim) for a in axes}))


def _expand(grad_out, x_shape, axes, keepdims):
    """Give grad_out back the reduced axes (as size 1) so it broadcasts to x."""
    if not keepdims:
        grad_out = grad_out.reshape(
            [1 if i in axes else n for i, n in enumerate(x_shape)]
        )
    return grad_out


class Sum(Function):
    """y = Σ_axes x.   dy/dx = 1: every summed element gets the full gradient."""

    def forward(self, x, axis=None, keepdims=False):
        self.x_shape = x.shape
        self.axes, self.keepdims = normalize_axis(axis, x.ndim), keepdims
        return x.sum(axis=self.axes, keepdims=keepdims)

    def backward(self, grad_out):
        xp = get_array_module(grad_out)
        grad = _expand(grad_out, self.x_shape, self.axes, self.keepdims)
        return xp.broadcast_to(grad, self.x_shape)


class Mean(Function):
    """y = (1/n) Σ_axes x, n the number of elements averaged.   dy/dx = 1/n."""

    def forward(self, x, axis=None, keepdims=False):
        self.x_shape = x.shape
        self.axes, self.keepdims = normalize_axis(axis, x.ndim), keepdims
        self.n = math.prod(x.shape[a] for a in self.axes)
        return x.mean(axis=self.axes, keepdims=keepdims)

    def backward(self, grad_out):
        xp = get_array_module(grad_out)
        grad = _expand(grad_out, self.x_shape, self.axes, self.keepdims) / self.n
        return xp.broadcast_to(grad, self.x_shape)


class Max(Function):
    """y = max_axes x.   dy/dx = 1 at the maximum, 0 elsewhere.

    Ties: when k elements share the maximum, each receives 1/k of the gradient
    (the gradient is split evenly, so the total that flows back is still 1).
    """

    def forward(self, x, axis=None, keepdims=False):
        self.axes, self.keepdims = normalize_axis(axis, x.ndim), keepdims
        y = x.max(axis=self.axes, keepdims=True)
        self.is_max = x == y
        return (
            y
            if keepdims
            else y.reshape([n for i, n in enumerate(y.shape) if i not in self.axes])
        )

    def backward(self, grad_out):
        is_max = self.is_max
        grad = _expand(grad_out, is_max.shape, self.axes, self.keepdims)
        count = is_max.sum(axis=self.axes, keepdims=True)
        return is_max * (grad / count).astype(grad_out.dtype, copy=False)


class Var(Function):
    """y = Σ_axes (x - μ)² / (n - ddof), μ the mean over the same axes.

    dy/dx = 2 (x - μ) / (n - ddof). (The term through μ vanishes: Σ (x - μ) = 0.)
    ddof=0 (NumPy's default) is the population variance, which layer norm uses.
    """

    def forward(self, x, axis=None, keepdims=False, ddof=0):
        self.axes, self.keepdims = normalize_axis(axis, x.ndim), keepdims
        n = math.prod(x.shape[a] for a in self.axes)
        if n - ddof <= 0:
            raise ValueError(
                f"var: {n} elements with ddof={ddof} leave no degrees of freedom"
            )
        self.centered = x - x.mean(axis=self.axes, keepdims=True)
        self.dof = n - ddof
        return (self.centered**2).sum(axis=self.axes, keepdims=keepdims) / self.dof

    def backward(self, grad_out):
        grad = _expand(grad_out, self.centered.shape, self.axes, self.keepdims)
        return (2 / self.dof) * self.centered * grad
