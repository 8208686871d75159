"""Checks for cross_entropy_label_smoothing: hand-computed targets, the loss and
its gradient against the engine's cross_entropy, and a float64 gradient check."""

import numpy as np

from tinygrad_tx import Tensor
from tinygrad_tx import functional as F
from tinygrad_tx.grading.checks import (
    call_function,
    check,
    expect_array,
    expect_close,
    expect_gradcheck,
    expect_tensor,
    grads_of,
    rng,
)

TARGET = np.array([2, 0, 3, 1, 2])


def _logits(seed, scale=1.0):
    return rng(seed).standard_normal((5, 4)) * scale


def _loss_matches(ex, logits, eps, what):
    got = expect_tensor(ex.cross_entropy(Tensor(logits), TARGET, eps), "cross_entropy")
    want = F.cross_entropy(Tensor(logits), TARGET, label_smoothing=eps)
    expect_close(got, want.numpy(), what)


@check(points=2, hint="q = ε/C everywhere, plus 1 - ε at each row's target column")
def smoothed_target_values(ex):
    q = expect_array(ex.smoothed_targets(np.array([2, 0]), 4, 0.2), "smoothed_targets")
    want = np.array([[0.05, 0.05, 0.85, 0.05], [0.85, 0.05, 0.05, 0.05]])
    expect_close(q, want, "smoothed_targets([2, 0], 4, ε=0.2)")


@check(points=2, hint="ε = 0: the mean over rows of -log p[target]")
def loss_without_smoothing(ex):
    _loss_matches(ex, _logits(0), 0.0, "the loss with ε = 0")


@check(points=2, hint="L = mean over rows of -Σ_c q_c log p_c")
def loss_with_smoothing(ex):
    _loss_matches(ex, _logits(1), 0.1, "the loss with ε = 0.1")
    _loss_matches(ex, _logits(2), 0.3, "the loss with ε = 0.3")


@check(points=1, hint="log p = z - max(z) - log Σ exp(z - max(z)): never exp(1000)")
def huge_logits(ex):
    _loss_matches(ex, _logits(3, scale=1000.0), 0.1, "the loss for logits of ±1000s")


@check(points=2, hint="dL/dlogits = grad_out * (p - q) / N")
def backward_values(ex):
    logits = _logits(4)
    g = np.array(1.7)
    _, (got,) = call_function(
        ex.CrossEntropy, [logits], g, target=TARGET, label_smoothing=0.1
    )

    def engine(z):
        return F.cross_entropy(z, TARGET, label_smoothing=0.1)

    (want,) = grads_of(engine, [Tensor(logits, requires_grad=True)], g)
    expect_close(got, want, "dL/dlogits with grad_out = 1.7 and ε = 0.1")


@check(points=3, hint="dL/dlogits = grad_out * (p - q) / N")
def gradcheck_logits(ex):
    logits = Tensor(_logits(5), requires_grad=True)
    expect_gradcheck(
        lambda z: ex.cross_entropy(z, TARGET, 0.2), [logits], "cross_entropy (ε = 0.2)"
    )
