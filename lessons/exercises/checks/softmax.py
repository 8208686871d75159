"""Checks for softmax: values against the engine's softmax (any axis, huge
logits), the gradient against the engine's, and a float64 gradient check."""

import numpy as np

from tinygrad_tx import Tensor
from tinygrad_tx import functional as F
from tinygrad_tx.grading.checks import (
    call_function,
    check,
    expect_close,
    expect_gradcheck,
    grads_of,
    rng,
)


@check(points=2, hint="y = exp(x - max) / sum(exp(x - max)) along the axis")
def forward_values(ex):
    x = rng(0).standard_normal((3, 5))
    got = ex.softmax(Tensor(x))
    expect_close(got, F.softmax(Tensor(x)).numpy(), "softmax(x) on a (3, 5) input")


@check(points=1, hint="use the `axis` argument in every max and sum (keepdims=True)")
def forward_other_axis(ex):
    x = rng(1).standard_normal((4, 3, 2))
    got = ex.softmax(Tensor(x), axis=1)
    expect_close(got, F.softmax(Tensor(x), axis=1).numpy(), "softmax(x, axis=1)")


@check(points=1, hint="subtract the row max before exp: softmax is shift-invariant")
def huge_logits(ex):
    x = np.array([[1000.0, 1001.0, 1002.0], [-1000.0, 0.0, 1000.0]])
    got = ex.softmax(Tensor(x))
    expect_close(got, F.softmax(Tensor(x)).numpy(), "softmax of [1000, 1001, 1002]")


@check(points=2, hint="dL/dx = y * (g - sum(g * y, axis, keepdims=True))")
def backward_values(ex):
    x = rng(2).standard_normal((4, 6))
    g = rng(3).standard_normal((4, 6))
    _, (grad_x,) = call_function(ex.Softmax, [x], g, axis=-1)
    (expected,) = grads_of(F.softmax, [Tensor(x, requires_grad=True)], g)
    expect_close(grad_x, expected, "Softmax.backward's dL/dx")


@check(points=3, hint="dL/dx = y * (g - sum(g * y, axis, keepdims=True))")
def backward_gradcheck(ex):
    x = Tensor(rng(4).standard_normal((3, 4)), requires_grad=True)
    expect_gradcheck(ex.softmax, [x], "softmax")
    x = Tensor(rng(5).standard_normal((2, 3, 4)), requires_grad=True)
    expect_gradcheck(lambda t: ex.softmax(t, axis=0), [x], "softmax(x, axis=0)")
