"""Checks for unbroadcast: reduced gradients against the engine's own
unbroadcast for new axes, stretched axes and both, and a gradient check of Add."""

import numpy as np

from tinygrad_tx import Tensor
from tinygrad_tx.function import unbroadcast as engine_unbroadcast
from tinygrad_tx.grading.checks import (
    check,
    expect_array,
    expect_close,
    expect_gradcheck,
    fail,
    rng,
)


def _case(ex, grad_shape, shape, seed):
    grad = rng(seed).standard_normal(grad_shape)
    kept = grad.copy()
    got = expect_array(ex.unbroadcast(grad, shape), f"unbroadcast(grad, {shape})")
    if not np.array_equal(grad, kept):
        fail("unbroadcast changed its argument grad in place; return a new array")
    expect_close(
        got,
        engine_unbroadcast(kept, shape),
        f"unbroadcast of a {grad_shape} gradient to {shape}",
    )


@check(points=1, hint="same shape: nothing was broadcast, return grad as it is")
def same_shape(ex):
    _case(ex, (2, 3), (2, 3), seed=0)


@check(points=2, hint="sum over the grad.ndim - len(shape) leading axes")
def new_leading_axes(ex):
    _case(ex, (2, 3), (3,), seed=1)
    _case(ex, (4, 2, 3), (3,), seed=2)
    _case(ex, (2, 3), (), seed=3)


@check(points=2, hint="sum over axes of size 1 in `shape`, with keepdims=True")
def stretched_axes(ex):
    _case(ex, (4, 5), (4, 1), seed=4)
    _case(ex, (4, 5), (1, 5), seed=5)
    _case(ex, (4, 5), (1, 1), seed=6)


@check(points=2, hint="first the leading axes, then the size-1 axes (keepdims=True)")
def both_kinds(ex):
    _case(ex, (2, 3, 4), (3, 1), seed=7)
    _case(ex, (5, 1, 3, 4), (1, 1, 4), seed=8)


@check(
    points=2, hint="gradcheck names the input (0 = x, 1 = y) whose gradient is wrong"
)
def add_gradcheck(ex):
    x = Tensor(rng(9).standard_normal((2, 3, 4)), requires_grad=True)
    y = Tensor(rng(10).standard_normal((3, 1)), requires_grad=True)
    expect_gradcheck(ex.add, [x, y], "add of (2, 3, 4) and (3, 1)")
