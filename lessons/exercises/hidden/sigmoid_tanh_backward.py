"""Hidden checks for sigmoid_tanh_backward (run by grade-all only): other shapes,
float32 kept, and the two activations chained."""

import numpy as np

from tinygrad_tx import Tensor
from tinygrad_tx.grading.checks import (
    check,
    expect_close,
    expect_gradcheck,
    fail,
    grads_of,
    rng,
)


@check(points=1, hint="the gradient must keep the input's dtype (float32 here)")
def float32_odd_shape(ex):
    x = rng(10).uniform(-5, 5, (2, 45, 1)).astype(np.float32)
    g = rng(11).standard_normal(x.shape).astype(np.float32)
    for mine, engine, name in (
        (ex.sigmoid, Tensor.sigmoid, "sigmoid"),
        (ex.tanh, Tensor.tanh, "tanh"),
    ):
        (got,) = grads_of(mine, [Tensor(x, requires_grad=True)], g)
        (want,) = grads_of(engine, [Tensor(x, requires_grad=True)], g)
        if got.dtype != np.float32:
            fail(f"{name}'s gradient has dtype {got.dtype}, expected float32")
        expect_close(got, want, f"{name}'s gradient", rtol=1e-5, atol=1e-7)


@check(points=1, hint="each backward must multiply by grad_out (the chain rule)")
def chained(ex):
    x = Tensor(rng(12).uniform(-2, 2, (4, 3)), requires_grad=True)
    expect_gradcheck(lambda t: ex.sigmoid(ex.tanh(t) * 3.0), [x], "sigmoid(3 tanh(x))")
