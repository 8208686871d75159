"""Checks for layer_norm_backward: each of the three gradients by hand, batched
rows, and all three through Tensors.

Expected gradients are central differences (float64) of `layer_norm` below, the
forward formula in plain NumPy (never the engine's layer_norm).
"""

import numpy as np

from tinygrad_tx.grading.checks import check, hint
from tinygrad_tx.grading.expect import Mistake, expect_grads, numerical_grads
from tinygrad_tx.grading.expr import student, tensor
from tinygrad_tx.grading.i18n import Text
from tinygrad_tx.grading.probe import by_hand, differentiate

EPS = 1e-5


def layer_norm(x, weight, bias):
    centred = x - x.mean(-1, keepdims=True)
    sigma = np.sqrt((centred**2).mean(-1, keepdims=True) + EPS)
    return centred / sigma * weight + bias


NO_SIGMA_PATH = hint(
    "no_sigma_path",
    en="the path through σ is missing: σ depends on every x_d too. Subtract "
    "x̂ · mean(ĝ · x̂), the part of ĝ along x̂ (scaling the centred row changes nothing)",
    pt="falta o caminho por σ: σ também depende de cada x_d. Subtraia "
    "x̂ · mean(ĝ · x̂), a parte de ĝ na direção de x̂ (escalar a linha centrada não "
    "muda nada)",
)
NO_MEAN_PATH = hint(
    "no_mean_path",
    en="the path through μ is missing: adding a constant to the whole row leaves "
    "x̂ unchanged, so subtract mean(ĝ) from ĝ",
    pt="falta o caminho por μ: somar uma constante à linha inteira não muda x̂, "
    "então subtraia mean(ĝ) de ĝ",
)
D_MINUS_ONE = hint(
    "d_minus_one",
    en="the means in the backward are over D, as in the forward's variance "
    "(1/D Σ, the biased one): not 1/(D - 1)",
    pt="as médias do backward são sobre D, como na variância do forward (1/D Σ, a "
    "enviesada): não 1/(D - 1)",
)
NO_WEIGHT = hint(
    "forgot_weight",
    en="y = x̂ · weight + bias, so the gradient reaching x̂ is ĝ = g · weight: "
    "multiply by the weight before the two means",
    pt="y = x̂ · weight + bias, então o gradiente que chega a x̂ é ĝ = g · weight: "
    "multiplique pelo peso (weight) antes das duas médias",
)
WEIGHT_IS_SUM_G = hint(
    "weight_gradient_without_x_hat",
    en="dL/dweight = Σ_rows g · x̂ (each weight multiplies x̂); Σ_rows g alone is "
    "the bias's gradient",
    pt="dL/dweight = Σ_linhas g · x̂ (cada peso multiplica x̂); só Σ_linhas g é o "
    "gradiente do bias",
)


def _parts(x, weight, g):
    centred = x - x.mean(-1, keepdims=True)
    inv_sigma = 1 / np.sqrt((centred**2).mean(-1, keepdims=True) + EPS)
    return centred * inv_sigma, inv_sigma, g * weight


def _mistakes(x, weight, g):
    """Classic wrong gradients of x (input 0) and of weight (input 1)."""
    x_hat, inv_sigma, g_hat = _parts(x, weight, g)
    d = x.shape[-1]

    def mean(a):
        return a.mean(-1, keepdims=True)

    def biased(a):
        return a.sum(-1, keepdims=True) / (d - 1)

    rows = g.reshape(-1, d)
    return [
        Mistake(NO_SIGMA_PATH, value=inv_sigma * (g_hat - mean(g_hat)), input=0),
        Mistake(
            NO_MEAN_PATH,
            value=inv_sigma * (g_hat - x_hat * mean(g_hat * x_hat)),
            input=0,
        ),
        Mistake(
            D_MINUS_ONE,
            value=inv_sigma * (g_hat - biased(g_hat) - x_hat * biased(g_hat * x_hat)),
            input=0,
        ),
        Mistake(
            NO_WEIGHT,
            value=inv_sigma * (g - mean(g) - x_hat * mean(g * x_hat)),
            input=0,
        ),
        Mistake(WEIGHT_IS_SUM_G, value=rows.sum(0), input=1),
    ]


def _inputs(run, shape):
    x = run.rng.standard_normal(shape) * 2 + 1
    weight = run.rng.uniform(0.5, 1.5, shape[-1])
    bias = run.rng.standard_normal(shape[-1])
    return x, weight, bias


def _by_hand(run, shape, which):
    x, weight, bias = _inputs(run, shape)
    g = run.rng.standard_normal(shape)
    _, grads = by_hand(run, "LayerNorm", [x, weight, bias], g)
    want = numerical_grads(layer_norm, [x, weight, bias], g)
    names = ["x", "weight", "bias"]
    mistakes = _mistakes(x, weight, g)
    expect_grads(
        [grads[i] for i in which],
        [want[i] for i in which],
        [names[i] for i in which],
        mistakes=[
            Mistake(m.hint, m.value, m.when, which.index(m.input))
            for m in mistakes
            if m.input in which
        ],
    )


@check(
    points=1,
    hint=Text(
        "dL/dbias = Σ_rows g: reshape g to (-1, D) and sum axis 0",
        "dL/dbias = Σ_linhas g: dê reshape em g para (-1, D) e some o eixo 0",
    ),
)
def bias_gradient(run):
    _by_hand(run, (4, 5), [2])


@check(points=1, hint=WEIGHT_IS_SUM_G)
def weight_gradient(run):
    _by_hand(run, (4, 5), [1])


@check(
    points=3,
    hint=Text(
        "dL/dx = (1/σ)(ĝ - mean(ĝ) - x̂ mean(ĝ x̂)), with ĝ = g · weight",
        "dL/dx = (1/σ)(ĝ - mean(ĝ) - x̂ mean(ĝ x̂)), com ĝ = g · weight (o peso)",
    ),
)
def input_gradient(run):
    _by_hand(run, (4, 5), [0])


@check(
    points=2,
    hint=Text(
        "rows are every axis but the last: a (B, T, D) input has B·T rows",
        "as linhas são todos os eixos menos o último: uma entrada (B, T, D) tem "
        "B·T linhas",
    ),
)
def batched_rows(run):
    _by_hand(run, (2, 3, 6), [0, 1, 2])


@check(
    points=3,
    hint=Text(
        "through Tensors: LayerNorm.apply(x, weight, bias) gives all three gradients",
        "passando por Tensors: LayerNorm.apply(x, weight, bias) dá os três gradientes",
    ),
)
def through_tensors(run):
    x, weight, bias = _inputs(run, (3, 4))
    g = run.rng.standard_normal((3, 4))
    ts = [tensor(a, grad=True) for a in (x, weight, bias)]
    _, grads = differentiate(run, student.layer_norm(*ts), g, ts, "layer_norm")
    want = numerical_grads(layer_norm, [x, weight, bias], g)
    expect_grads(grads, want, ["x", "weight", "bias"], mistakes=_mistakes(x, weight, g))
