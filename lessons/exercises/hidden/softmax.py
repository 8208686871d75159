"""Hidden checks for softmax (grade-all only): a row of one element, float32
kept, odd sizes."""

import numpy as np

from tinygrad_tx import Tensor
from tinygrad_tx import functional as F
from tinygrad_tx.grading.checks import check, expect_close, fail, grads_of, rng


@check(points=1, hint="a softmax over a single element is 1, and its gradient 0")
def single_element_rows(ex):
    x = rng(20).standard_normal((5, 1))
    g = rng(21).standard_normal((5, 1))
    expect_close(ex.softmax(Tensor(x)), np.ones((5, 1)), "softmax over one element")
    (got,) = grads_of(ex.softmax, [Tensor(x, requires_grad=True)], g)
    expect_close(got, np.zeros((5, 1)), "its gradient", atol=1e-12)


@check(points=1, hint="float32 in, float32 out, same gradient as the engine at (7, 45)")
def float32_odd_sizes(ex):
    x = (rng(22).standard_normal((7, 45)) * 10).astype(np.float32)
    g = rng(23).standard_normal((7, 45)).astype(np.float32)
    y = ex.softmax(Tensor(x))
    if y.dtype != np.float32:
        fail(f"softmax of a float32 input has dtype {y.dtype}, expected float32")
    expect_close(y, F.softmax(Tensor(x)).numpy(), "softmax (float32)", rtol=1e-5)
    (got,) = grads_of(ex.softmax, [Tensor(x, requires_grad=True)], g)
    (want,) = grads_of(F.softmax, [Tensor(x, requires_grad=True)], g)
    expect_close(got, want, "its gradient (float32)", rtol=1e-4, atol=1e-6)
