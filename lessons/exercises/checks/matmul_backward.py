"""Checks for matmul_backward: gradients against the engine's matmul for plain,
batched and broadcast shapes, and float64 gradient checks."""

from tinygrad_tx import Tensor
from tinygrad_tx.grading.checks import (
    call_function,
    check,
    expect_close,
    expect_gradcheck,
    grads_of,
    rng,
)


def _against_engine(ex, a_shape, b_shape, seed):
    a = rng(seed).standard_normal(a_shape)
    b = rng(seed + 1).standard_normal(b_shape)
    g = rng(seed + 2).standard_normal((a @ b).shape)
    _, (grad_a, grad_b) = call_function(ex.MatMul, [a, b], g)
    inputs = [Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)]
    want_a, want_b = grads_of(lambda x, y: x @ y, inputs, g)
    shapes = f"{a_shape} @ {b_shape}"
    expect_close(grad_a, want_a, f"dL/da for {shapes}")
    expect_close(grad_b, want_b, f"dL/db for {shapes}")


@check(
    points=2, hint="dL/da = G bᵀ is (n, m) @ (m, k); dL/db = aᵀ G is (k, n) @ (n, m)"
)
def two_matrices(ex):
    _against_engine(ex, (3, 4), (4, 5), seed=0)


@check(points=2, hint="transpose only the last two axes: swapaxes(-1, -2)")
def batched(ex):
    _against_engine(ex, (2, 3, 4), (2, 4, 5), seed=3)


@check(
    points=2,
    hint="b was used by every matrix of the batch: sum its gradients over the batch "
    "axes (unbroadcast)",
)
def broadcast_batch(ex):
    _against_engine(ex, (2, 3, 4), (4, 5), seed=6)
    _against_engine(ex, (1, 3, 4), (6, 4, 5), seed=9)


@check(
    points=3, hint="gradcheck names the input (0 = a, 1 = b) whose gradient is wrong"
)
def gradcheck_all(ex):
    for seed, (a_shape, b_shape) in enumerate(
        [((2, 3), (3, 4)), ((3, 2, 3), (3, 2)), ((2, 1, 2, 3), (3, 3, 2))]
    ):
        a = Tensor(rng(seed).standard_normal(a_shape), requires_grad=True)
        b = Tensor(rng(seed + 10).standard_normal(b_shape), requires_grad=True)
        expect_gradcheck(ex.matmul, [a, b], f"matmul {a_shape} @ {b_shape}")
