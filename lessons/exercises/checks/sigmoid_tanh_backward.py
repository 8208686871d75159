"""Checks for sigmoid_tanh_backward: each backward by hand and through Tensors.

Expected gradients are central differences (float64) of the plain NumPy forward
formulas below, never the engine's own sigmoid or tanh.
"""

import numpy as np

from tinygrad_tx.grading.checks import check, hint
from tinygrad_tx.grading.expect import Mistake, expect_grads, numerical_grads
from tinygrad_tx.grading.expr import student, tensor
from tinygrad_tx.grading.i18n import Text
from tinygrad_tx.grading.probe import by_hand, differentiate

SHAPE = (3, 5)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


NO_UPSTREAM = hint(
    "no_upstream",
    en="the local derivative alone is dy/dx; backward returns dL/dx = grad_out · "
    "dy/dx (the chain rule): multiply by grad_out",
    pt="a derivada local sozinha é dy/dx; o backward devolve dL/dx = grad_out · "
    "dy/dx (regra da cadeia): multiplique por grad_out",
)
SIGN = hint(
    "sign",
    en="y (y - 1) has the wrong sign: σ'(x) = y (1 - y) is positive (σ only grows)",
    pt="y (y - 1) está com o sinal trocado: σ'(x) = y (1 - y) é positiva (σ só cresce)",
)
SIGMA_OF_Y = hint(
    "sigma_of_y",
    en="self.y already is σ(x): applying σ again computes σ'(σ(x)); write the "
    "derivative with y itself, y (1 - y)",
    pt="self.y já é σ(x): aplicar σ de novo calcula σ'(σ(x)); escreva a derivada "
    "com o próprio y, y (1 - y)",
)
TANH_ONE_MINUS_Y = hint(
    "tanh_one_minus_y",
    en="tanh'(x) = 1 - tanh(x)² = 1 - y², squared: 1 - y is not the derivative",
    pt="tanh'(x) = 1 - tanh(x)² = 1 - y², ao quadrado: 1 - y não é a derivada",
)


def _sigmoid_mistakes(x, g):
    y = sigmoid(x)
    s = sigmoid(y)
    return [
        Mistake(NO_UPSTREAM, value=y * (1 - y)),
        Mistake(SIGN, value=g * y * (y - 1)),
        Mistake(SIGMA_OF_Y, value=g * s * (1 - s)),
    ]


def _tanh_mistakes(x, g):
    y = np.tanh(x)
    return [
        Mistake(NO_UPSTREAM, value=1 - y * y),
        Mistake(TANH_ONE_MINUS_Y, value=g * (1 - y)),
    ]


_SIGMOID_HINT = Text(
    "dσ/dx = y (1 - y) with the saved y, times grad_out",
    "dσ/dx = y (1 - y) com o y salvo, vezes grad_out",
)
_TANH_HINT = Text(
    "dtanh/dx = 1 - y² with the saved y, times grad_out",
    "dtanh/dx = 1 - y² com o y salvo, vezes grad_out",
)


def _by_hand(run, name, fn, mistakes, low):
    x = run.rng.uniform(-low, low, SHAPE)
    g = run.rng.standard_normal(SHAPE)
    _, (grad_x,) = by_hand(run, name, [x], g)
    (want,) = numerical_grads(fn, [x], g)
    expect_grads([grad_x], [want], ["x"], mistakes=mistakes(x, g))


def _through_tensors(run, call, fn, mistakes, low):
    x = run.rng.uniform(-low, low, SHAPE)
    g = run.rng.standard_normal(SHAPE)
    xt = tensor(x, grad=True)
    _, grads = differentiate(run, call(xt), g, [xt], Text("the result", "o resultado"))
    (want,) = numerical_grads(fn, [x], g)
    expect_grads(grads, [want], ["x"], mistakes=mistakes(x, g))


@check(points=2, hint=_SIGMOID_HINT)
def sigmoid_backward_values(run):
    _by_hand(run, "Sigmoid", sigmoid, _sigmoid_mistakes, 4)


@check(points=2, hint=_SIGMOID_HINT)
def sigmoid_through_tensors(run):
    _through_tensors(run, student.sigmoid, sigmoid, _sigmoid_mistakes, 3)


@check(points=2, hint=_TANH_HINT)
def tanh_backward_values(run):
    _by_hand(run, "Tanh", np.tanh, _tanh_mistakes, 3)


@check(points=2, hint=_TANH_HINT)
def tanh_through_tensors(run):
    _through_tensors(run, student.tanh, np.tanh, _tanh_mistakes, 2)


@check(
    points=1,
    hint=Text(
        "write the derivative with the saved output y: at x = ±30 it is ~0, not NaN",
        "escreva a derivada com a saída salva y: em x = ±30 ela é ~0, não NaN",
    ),
)
def saturated_inputs(run):
    x = np.array([-30.0, -5.0, 0.0, 5.0, 30.0])
    g = np.ones(5)
    for name, fn, mistakes in (
        ("Sigmoid", sigmoid, _sigmoid_mistakes),
        ("Tanh", np.tanh, _tanh_mistakes),
    ):
        _, (grad_x,) = by_hand(run, name, [x], g)
        (want,) = numerical_grads(fn, [x], g)
        expect_grads([grad_x], [want], [f"x ({name})"], mistakes=mistakes(x, g))
