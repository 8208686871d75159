"""Checks for matmul_backward: both gradients for plain, batched and broadcast
shapes, by hand and through Tensors.

Expected gradients are central differences (float64) of NumPy's a @ b, never
the engine's matmul.
"""

import numpy as np

from tinygrad_tx.grading.checks import CheckFailure, check, hint
from tinygrad_tx.grading.expect import Mistake, expect_grads, numerical_grads
from tinygrad_tx.grading.expr import student, tensor
from tinygrad_tx.grading.i18n import Text
from tinygrad_tx.grading.probe import by_hand, differentiate


def matmul(a, b):
    return a @ b


GT_A = hint(
    "gt_a",
    en="dL/db = aᵀ G, a (k, n) @ (n, m) product: Gᵀ a is its transpose, of shape (m, k)",
    pt="dL/db = aᵀ G, um produto (k, n) @ (n, m): Gᵀ a é a transposta disso, de "
    "forma (m, k)",
)


def _mistakes(a, b, g):
    """Wrong gradients a student may return, by input (0 = a, 1 = b): Gᵀ a,
    as it is or squeezed into b's shape by a reshape; a gradient left with the
    broadcast batch axes (the right matrices, the wrong shape)."""
    swapped = (g.swapaxes(-1, -2) @ a).ravel()

    def is_gt_a(got):
        flat = np.asarray(got).ravel()
        return flat.shape == swapped.shape and np.allclose(flat, swapped)

    def not_unbroadcast(shape):
        return lambda got: np.shape(got) != shape and np.shape(got)[-2:] == shape[-2:]

    return [
        Mistake(GT_A, when=is_gt_a, input=1),
        Mistake(BROADCAST, when=not_unbroadcast(a.shape), input=0),
        Mistake(BROADCAST, when=not_unbroadcast(b.shape), input=1),
    ]


def _by_hand(run, a_shape, b_shape):
    a = run.rng.standard_normal(a_shape)
    b = run.rng.standard_normal(b_shape)
    g = run.rng.standard_normal((a @ b).shape)
    mistakes = _mistakes(a, b, g)
    _, grads = by_hand(run, "MatMul", [a, b], g, mistakes=mistakes)
    want = numerical_grads(matmul, [a, b], g)
    names = [f"a {a_shape}", f"b {b_shape}"]
    expect_grads(grads, want, names, mistakes=mistakes)


@check(
    points=2,
    hint=Text(
        "dL/da = G bᵀ is (n, m) @ (m, k); dL/db = aᵀ G is (k, n) @ (n, m)",
        "dL/da = G bᵀ é (n, m) @ (m, k); dL/db = aᵀ G é (k, n) @ (n, m)",
    ),
)
def two_matrices(run):
    _by_hand(run, (3, 4), (4, 5))


BATCHED = hint(
    "batched",
    en="transpose only the last two axes, with swapaxes(-1, -2): .T reverses "
    "every axis of a stack of matrices",
    pt="transponha só os dois últimos eixos, com swapaxes(-1, -2): .T inverte "
    "todos os eixos de uma pilha de matrizes",
)


@check(
    points=2,
    hint=hint(
        "batched_values",
        en="dL/da = G bᵀ and dL/db = aᵀ G, for plain matrices first",
        pt="dL/da = G bᵀ e dL/db = aᵀ G, primeiro para matrizes simples",
    ),
)
def batched(run):
    _by_hand(run, (3, 4), (4, 5))  # wrong here: the formula, not the stacking
    try:
        _by_hand(run, (2, 3, 4), (2, 4, 5))
    except CheckFailure as failure:  # right for matrices, wrong for stacks
        raise CheckFailure(str(failure), failure.hint or BATCHED) from None


BROADCAST = hint(
    "broadcast_batch",
    en="b was used by every matrix of the batch: sum its gradients over the "
    "broadcast batch axes (unbroadcast) to get back b's shape",
    pt="b foi usada por todas as matrizes do batch: some os gradientes dela nos "
    "eixos do batch que foram expandidos (unbroadcast) para voltar à forma de b",
)


@check(
    points=2,
    hint=hint(
        "broadcast_batch_values",
        en="with a batch against one matrix, dL/da = G bᵀ and dL/db = aᵀ G, each "
        "with the shape of its own input",
        pt="com um batch contra uma só matriz, dL/da = G bᵀ e dL/db = aᵀ G, cada um "
        "com a forma da própria entrada",
    ),
)
def broadcast_batch(run):
    _by_hand(run, (2, 3, 4), (4, 5))
    _by_hand(run, (1, 3, 4), (6, 4, 5))


@check(
    points=3,
    hint=Text(
        "the messages name the input (a or b) and the element whose gradient is wrong",
        "as mensagens dizem a entrada (a ou b) e o elemento com o gradiente errado",
    ),
)
def through_tensors(run):
    for a_shape, b_shape in [
        ((2, 3), (3, 4)),
        ((3, 2, 3), (3, 2)),
        ((2, 1, 2, 3), (3, 3, 2)),
    ]:
        a, b = run.rng.standard_normal(a_shape), run.rng.standard_normal(b_shape)
        g = run.rng.standard_normal((a @ b).shape)
        at, bt = tensor(a, grad=True), tensor(b, grad=True)
        what = f"matmul {a_shape} @ {b_shape}"
        _, grads = differentiate(run, student.matmul(at, bt), g, [at, bt], what)
        want = numerical_grads(matmul, [a, b], g)
        expect_grads(grads, want, [f"a {a_shape}", f"b {b_shape}"])
