"""Checks for adam_step: the first step worked out by hand, many steps against
the engine's optim.Adam, and a quadratic minimised."""

import numpy as np

from tinygrad_tx import optim
from tinygrad_tx.grading.checks import (
    check,
    expect_array,
    expect_close,
    expect_type,
    fail,
    rng,
)
from tinygrad_tx.nn import Parameter


def _step(ex, param, grad, m, v, t, lr, betas, eps):
    kept = [a.copy() for a in (param, grad, m, v)]
    result = ex.adam_step(param, grad, m, v, t, lr, betas, eps)
    expect_type(result, tuple, "adam_step's result")
    if len(result) != 3:
        fail(f"adam_step should return (param, m, v), got {len(result)} values")
    for name, a, b in zip(("param", "grad", "m", "v"), (param, grad, m, v), kept):
        if not np.array_equal(a, b):
            fail(f"adam_step changed its argument {name} in place; return new arrays")
    return [expect_array(a, f"adam_step's {n}") for a, n in zip(result, "pmv")]


@check(points=2, hint="at t = 1, m̂ = g and v̂ = g²: the step is lr · g / (|g| + eps)")
def first_step_by_hand(ex):
    param = np.array([1.0, -2.0, 3.0])
    grad = np.array([0.001, -1000.0, 0.5])
    zeros = np.zeros(3)
    new, m, v = _step(ex, param, grad, zeros, zeros, 1, 0.1, (0.9, 0.999), 1e-8)
    expect_close(m, 0.1 * grad, "m after one step, (1 - β₁) g")
    expect_close(v, 0.001 * grad**2, "v after one step, (1 - β₂) g²")
    # lr · g / (|g| + eps) ≈ 0.1 · sign(g): p ≈ [0.9, -1.9, 2.9] whatever |g| is
    want = param - 0.1 * grad / (np.abs(grad) + 1e-8)
    expect_close(new, want, "param after one step of lr = 0.1")


@check(points=3, hint="m̂ = m / (1 - β₁ᵗ), v̂ = v / (1 - β₂ᵗ), with this step's t")
def matches_engine_adam(ex):
    betas, lr, eps = (0.9, 0.98), 0.01, 1e-9
    start = rng(0).standard_normal((3, 4))
    reference = Parameter(start.copy())
    adam = optim.Adam([reference], lr=lr, betas=betas, eps=eps)
    param, m, v = start.copy(), np.zeros_like(start), np.zeros_like(start)
    for t in range(1, 8):
        grad = rng(t).standard_normal((3, 4)) * 10.0**t
        reference.grad = grad.copy()
        adam.step()
        param, m, v = _step(ex, param, grad, m, v, t, lr, betas, eps)
        expect_close(param, reference.numpy(), f"param after step {t}")


@check(points=2, hint="repeat the step with t = 1, 2, 3, ...: the minimum is reached")
def minimises_a_quadratic(ex):
    """f(p) = Σ (p - target)², gradient 2 (p - target); 500 steps of lr 0.05."""
    target = np.array([3.0, -1.0, 0.5])
    param, m, v = np.zeros(3), np.zeros(3), np.zeros(3)
    for t in range(1, 501):
        grad = 2 * (param - target)
        param, m, v = _step(ex, param, grad, m, v, t, 0.05, (0.9, 0.999), 1e-8)
    expect_close(param, target, "param after 500 steps on (p - target)²", atol=1e-2)
