"""Checks for unbroadcast: gradients reduced for new axes, stretched axes and
both, and the gradients of Add.

The expected value of unbroadcast(grad, shape) is found from its definition:
the gradient, by central differences, of NumPy's np.broadcast_to(b, grad.shape)
with respect to b. Nothing here sums axes the way your code must.
"""

import math

import numpy as np

from tinygrad_tx.grading.checks import check, hint
from tinygrad_tx.grading.expect import (
    Mistake,
    expect_array,
    expect_close,
    expect_grads,
    expect_unchanged,
    numerical_grads,
)
from tinygrad_tx.grading.expr import student, tensor, watch
from tinygrad_tx.grading.i18n import Text
from tinygrad_tx.grading.probe import differentiate

MEAN = hint(
    "mean",
    en="each copy made by broadcasting sends back its whole gradient, so the "
    "copies add up: a sum, not a mean",
    pt="cada cópia feita pelo broadcasting devolve o gradiente inteiro dela, então "
    "as cópias se somam: é uma soma, não uma média",
)
TRAILING_AXES = hint(
    "trailing_axes",
    en="broadcasting adds new axes on the left: (3,) becomes (1, 3), then (2, 3). "
    "Sum over the first grad.ndim - len(shape) axes, not the last ones",
    pt="o broadcasting acrescenta eixos novos à esquerda: (3,) vira (1, 3) e depois "
    "(2, 3). Some nos primeiros grad.ndim - len(shape) eixos, não nos últimos",
)


def expected(grad, shape):
    """d/db of Σ grad · broadcast_to(b, grad.shape): the sum of every copy."""
    zero = np.zeros(shape)
    return numerical_grads(lambda b: np.broadcast_to(b, grad.shape), [zero], grad)[0]


def _case(run, grad_shape, shape, mistakes=()):
    grad = run.rng.standard_normal(grad_shape)
    want = expected(grad, shape)
    copies = grad.size // max(math.prod(shape), 1)
    found = [Mistake(MEAN, value=want / copies), *mistakes(grad)] if copies > 1 else []
    what = f"unbroadcast(grad {grad_shape}, {shape})"
    sent = watch(grad)
    outcome = run.call(student.unbroadcast(sent, shape))
    expect_unchanged(grad, outcome.after.get(sent.id), "unbroadcast", "grad")
    got = expect_array(outcome.value, what)
    expect_close(got, want, what, mistakes=found)


def _none(grad):
    return []


@check(
    points=1,
    hint=Text(
        "same shape: nothing was broadcast, return grad as it is",
        "mesma forma: nada foi expandido, devolva grad como está",
    ),
)
def same_shape(run):
    _case(run, (2, 3), (2, 3), _none)


@check(
    points=2,
    hint=Text(
        "sum over the grad.ndim - len(shape) leading axes that broadcasting added",
        "some nos grad.ndim - len(shape) eixos da frente que o broadcasting acrescentou",
    ),
)
def new_leading_axes(run):
    _case(run, (4, 4), (4,), lambda g: [Mistake(TRAILING_AXES, value=g.sum(axis=1))])
    _case(run, (2, 3), (3,), _none)
    _case(run, (4, 2, 3), (3,), _none)
    _case(run, (2, 3), (), _none)


@check(
    points=2,
    hint=Text(
        "sum over the axes of size 1 in `shape` that grad stretched, with keepdims=True",
        "some nos eixos de tamanho 1 em `shape` que grad esticou, com keepdims=True",
    ),
)
def stretched_axes(run):
    _case(run, (4, 5), (4, 1), _none)
    _case(run, (4, 5), (1, 5), _none)
    _case(run, (4, 5), (1, 1), _none)


@check(
    points=2,
    hint=Text(
        "first the leading axes, then the size-1 axes (keepdims=True)",
        "primeiro os eixos da frente, depois os eixos de tamanho 1 (keepdims=True)",
    ),
)
def both_kinds(run):
    _case(run, (2, 3, 4), (3, 1), _none)
    _case(run, (5, 1, 3, 4), (1, 1, 4), _none)


@check(
    points=2,
    hint=Text(
        "Add's backward reduces grad_out to each input's shape: the messages name "
        "the input (x or y) whose gradient is wrong",
        "o backward de Add reduz grad_out à forma de cada entrada: as mensagens "
        "dizem qual entrada (x ou y) está com o gradiente errado",
    ),
)
def add_through_tensors(run):
    x, y = run.rng.standard_normal((2, 3, 4)), run.rng.standard_normal((3, 1))
    g = run.rng.standard_normal((2, 3, 4))
    xt, yt = tensor(x, grad=True), tensor(y, grad=True)
    what = Text("add of (2, 3, 4) and (3, 1)", "add de (2, 3, 4) e (3, 1)")
    _, grads = differentiate(run, student.add(xt, yt), g, [xt, yt], what)
    want = numerical_grads(lambda a, b: a + b, [x, y], g)
    copies = [1, g.size // y.size]
    wrong = [
        Mistake(MEAN, value=w / n, input=i)
        for i, (w, n) in enumerate(zip(want, copies))
        if n > 1
    ]
    expect_grads(grads, want, ["x (2, 3, 4)", "y (3, 1)"], mistakes=wrong)
