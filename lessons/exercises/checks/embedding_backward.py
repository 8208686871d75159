"""Checks for embedding_backward: the table's gradient for distinct, repeated and
batched ids, by hand and through Tensors.

Expected gradients are central differences (float64) of NumPy's lookup W[ids],
never the engine's embedding.
"""

import numpy as np

from tinygrad_tx.grading.checks import check, hint
from tinygrad_tx.grading.expect import Mistake, expect_grads, numerical_grads
from tinygrad_tx.grading.expr import student, tensor
from tinygrad_tx.grading.i18n import Text
from tinygrad_tx.grading.probe import by_hand, differentiate

V, D = 6, 3

DROPS_REPEATS = hint(
    "drops_repeats",
    en="grad[ids] += rows writes a repeated id's row once: NumPy keeps one of the "
    "copies and the other gradients are lost. np.add.at(grad, ids, rows) adds "
    "every one of them",
    pt="grad[ids] += rows escreve uma vez só a linha de um id repetido: o NumPy "
    "fica com uma das cópias e os outros gradientes se perdem. "
    "np.add.at(grad, ids, rows) soma todos eles",
)
ROWS_NOT_TABLE = hint(
    "rows_not_table",
    en="that is grad_out, one row per position; the weight's gradient has the "
    "table's shape (V, D): add each position's row into the row of its id",
    pt="isso é o grad_out, uma linha por posição; o gradiente do peso tem a forma "
    "da tabela (V, D): some a linha de cada posição na linha do id dela",
)


def lookup(weight, ids):
    return weight[ids]


def _mistakes(ids, g):
    rows = g.reshape(-1, D)
    dropped = np.zeros((V, D))
    dropped[ids.reshape(-1)] += rows  # the buffered += keeps one copy per id
    return [
        Mistake(DROPS_REPEATS, value=dropped),
        Mistake(ROWS_NOT_TABLE, when=lambda got: np.shape(got) == rows.shape),
    ]


def _by_hand(run, ids):
    weight = run.rng.standard_normal((V, D))
    g = run.rng.standard_normal((*ids.shape, D))
    mistakes = _mistakes(ids, g)
    _, (got,) = by_hand(run, "Embedding", [weight], g, mistakes=mistakes, ids=ids)
    (want,) = numerical_grads(lambda w: lookup(w, ids), [weight], g)
    expect_grads([got], [want], [f"weight, ids {ids.tolist()}"], mistakes=mistakes)


@check(
    points=2,
    hint=Text(
        "row v of dL/dW is the gradient of the position whose id is v; the other "
        "rows are 0",
        "a linha v de dL/dW é o gradiente da posição cujo id é v; as outras linhas "
        "são 0",
    ),
)
def distinct_ids(run):
    _by_hand(run, np.array([4, 0, 2]))


@check(points=3, hint=DROPS_REPEATS)
def repeated_ids(run):
    _by_hand(run, np.array([1, 3, 1, 1]))


@check(
    points=2,
    hint=Text(
        "flatten first: ids to (N,) and grad_out to (N, D)",
        "achate primeiro: ids para (N,) e grad_out para (N, D)",
    ),
)
def batch_of_sentences(run):
    _by_hand(run, np.array([[5, 2, 2], [0, 5, 1]]))


@check(
    points=2,
    hint=Text(
        "the same gradient through Tensors: Embedding.apply(weight, ids=ids)",
        "o mesmo gradiente passando por Tensors: Embedding.apply(weight, ids=ids)",
    ),
)
def through_tensors(run):
    ids = np.array([[0, 2, 2, 5], [5, 5, 1, 0]])
    weight = run.rng.standard_normal((V, D))
    g = run.rng.standard_normal((2, 4, D))
    wt = tensor(weight, grad=True)
    _, grads = differentiate(run, student.embedding(ids, wt), g, [wt], "embedding")
    (want,) = numerical_grads(lambda w: lookup(w, ids), [weight], g)
    expect_grads(grads, [want], ["weight"], mistakes=_mistakes(ids, g))
