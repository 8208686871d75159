"""Checks for sigmoid_tanh_backward: values against the engine's own sigmoid and
tanh, and float64 gradient checks."""

import numpy as np

from tinygrad_tx import Tensor
from tinygrad_tx.grading.checks import (
    call_function,
    check,
    expect_close,
    expect_gradcheck,
    grads_of,
    rng,
)

SHAPE = (3, 5)


def _backward_matches_engine(cls, engine_op, x, name):
    """Your backward by hand against the engine's gradient, same upstream g."""
    g = rng(1).standard_normal(x.shape).astype(x.dtype)
    y, (grad_x,) = call_function(cls, [x.copy()], g)
    expect_close(y, engine_op(Tensor(x)).numpy(), f"{name}.forward", rtol=1e-5)
    (expected,) = grads_of(engine_op, [Tensor(x, requires_grad=True)], g)
    expect_close(grad_x, expected, f"{name}.backward's dL/dx", rtol=1e-5, atol=1e-7)


@check(points=2, hint="dσ/dx = y (1 - y), times grad_out")
def sigmoid_backward_values(ex):
    x = rng(0).uniform(-4, 4, SHAPE)
    _backward_matches_engine(ex.Sigmoid, Tensor.sigmoid, x, "Sigmoid")


@check(points=2, hint="dσ/dx = y (1 - y), times grad_out")
def sigmoid_gradcheck(ex):
    x = Tensor(rng(2).uniform(-3, 3, SHAPE), requires_grad=True)
    expect_gradcheck(ex.sigmoid, [x], "sigmoid")


@check(points=2, hint="dtanh/dx = 1 - y², times grad_out")
def tanh_backward_values(ex):
    x = rng(3).uniform(-3, 3, SHAPE)
    _backward_matches_engine(ex.Tanh, Tensor.tanh, x, "Tanh")


@check(points=2, hint="dtanh/dx = 1 - y², times grad_out")
def tanh_gradcheck(ex):
    x = Tensor(rng(4).uniform(-2, 2, SHAPE), requires_grad=True)
    expect_gradcheck(ex.tanh, [x], "tanh")


@check(points=1, hint="write the derivative with the saved output y: it stays finite")
def saturated_inputs(ex):
    x = np.array([-30.0, -5.0, 0.0, 5.0, 30.0], dtype=np.float32)
    _backward_matches_engine(ex.Sigmoid, Tensor.sigmoid, x, "Sigmoid")
    _backward_matches_engine(ex.Tanh, Tensor.tanh, x, "Tanh")
