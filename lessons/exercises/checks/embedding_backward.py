"""Checks for embedding_backward: the table's gradient against the engine's
embedding for distinct, repeated and batched ids, and a gradient check."""

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

V, D = 6, 3


def _against_engine(ex, ids, seed):
    weight = rng(seed).standard_normal((V, D))
    g = rng(seed + 1).standard_normal((*ids.shape, D))
    _, (got,) = call_function(ex.Embedding, [weight], g, ids=ids)
    (want,) = grads_of(
        lambda w: F.embedding(ids, w), [Tensor(weight, requires_grad=True)], g
    )
    expect_close(got, want, f"dL/dweight for ids {ids.tolist()}")


@check(points=2, hint="row v of dL/dW is the gradient of the position whose id is v")
def distinct_ids(ex):
    _against_engine(ex, np.array([4, 0, 2]), seed=0)


@check(
    points=3, hint="a repeated id adds up its gradients: np.add.at, not grad[ids] +="
)
def repeated_ids(ex):
    _against_engine(ex, np.array([1, 3, 1, 1]), seed=2)


@check(points=2, hint="flatten ids to (N,) and grad_out to (N, D) first")
def batch_of_sentences(ex):
    _against_engine(ex, np.array([[5, 2, 2], [0, 5, 1]]), seed=4)


@check(points=2, hint="gradcheck perturbs each entry of the table")
def gradcheck_table(ex):
    ids = np.array([[0, 2, 2, 5], [5, 5, 1, 0]])
    weight = Tensor(rng(6).standard_normal((V, D)), requires_grad=True)
    expect_gradcheck(lambda w: ex.embedding(ids, w), [weight], "embedding")
