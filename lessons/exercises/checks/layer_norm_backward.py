"""Checks for layer_norm_backward: each gradient against the engine's
layer_norm, and float64 gradient checks on x, weight and bias."""

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


def _inputs(shape, seed):
    d = shape[-1]
    x = rng(seed).standard_normal(shape) * 2 + 1
    weight = rng(seed + 1).uniform(0.5, 1.5, d)
    bias = rng(seed + 2).standard_normal(d)
    return x, weight, bias


def _grads(ex, shape, seed):
    x, weight, bias = _inputs(shape, seed)
    g = rng(seed + 3).standard_normal(shape)
    _, grads = call_function(ex.LayerNorm, [x, weight, bias], g)
    tensors = [Tensor(a, requires_grad=True) for a in (x, weight, bias)]
    expected = grads_of(F.layer_norm, tensors, g)
    return grads, expected


@check(points=1, hint="dL/dbias = Σ_rows g: reshape g to (-1, D), sum axis 0")
def bias_gradient(ex):
    (_, _, got), (_, _, want) = _grads(ex, (4, 5), seed=0)
    expect_close(got, want, "dL/dbias")


@check(points=1, hint="dL/dweight = Σ_rows g * x̂")
def weight_gradient(ex):
    (_, got, _), (_, want, _) = _grads(ex, (4, 5), seed=0)
    expect_close(got, want, "dL/dweight")


@check(points=3, hint="dL/dx = (1/σ)(ĝ - mean(ĝ) - x̂ mean(ĝ x̂)), ĝ = g * weight")
def input_gradient(ex):
    (got, _, _), (want, _, _) = _grads(ex, (4, 5), seed=0)
    expect_close(got, want, "dL/dx")


@check(points=2, hint="rows are every axis but the last: (B, T, D) has B*T rows")
def batched_rows(ex):
    got, want = _grads(ex, (2, 3, 6), seed=10)
    for name, a, b in zip(("dL/dx", "dL/dweight", "dL/dbias"), got, want):
        expect_close(a, b, f"{name} for a (2, 3, 6) input")


@check(points=3, hint="gradcheck names the input: 0 = x, 1 = weight, 2 = bias")
def gradcheck_all(ex):
    x, weight, bias = _inputs((3, 4), seed=20)
    tensors = [Tensor(a, requires_grad=True) for a in (x, weight, bias)]
    expect_gradcheck(ex.layer_norm, tensors, "layer_norm")
