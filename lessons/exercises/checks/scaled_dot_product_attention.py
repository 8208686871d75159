"""Checks for scaled_dot_product_attention: the slides' 0.88 / 0.12, batches of
heads, a mask, and the gradients of q, k and v.

Expected values come from `attention` below, the formula in plain NumPy (never
the transformer package's attention). A wrong answer is traced back to the
first intermediate that disagrees, in the order they are computed: the mask,
the scores q kᵀ / √D (read back from your weights: log w is the score up to a
constant per row), the weights (a softmax over the keys), then out = weights v.
"""

import math

import numpy as np

from tinygrad_tx.grading.checks import check, hint
from tinygrad_tx.grading.expect import (
    Mistake,
    expect_close,
    expect_grads,
    expect_shape,
    expect_tensor,
    expect_tuple,
    numerical_grads,
)
from tinygrad_tx.grading.expr import student, tensor
from tinygrad_tx.grading.i18n import Text
from tinygrad_tx.grading.probe import differentiate


def softmax(x, axis=-1):
    with np.errstate(invalid="ignore"):  # a row with no allowed key gives NaN
        e = np.exp(x - x.max(axis=axis, keepdims=True))
        return e / e.sum(axis=axis, keepdims=True)


def scores(q, k, scale=None):
    """q kᵀ / √D (or / scale)."""
    return q @ k.swapaxes(-1, -2) / (scale or math.sqrt(q.shape[-1]))


def attention(q, k, v, mask=None, scale=None, axis=-1):
    s = scores(q, k, scale)
    if mask is not None:
        s = np.where(mask, s, -np.inf)
    weights = softmax(s, axis)
    return weights @ v, weights


BY_D = hint(
    "divided_by_d",
    en="the scores were divided by D: divide by √D. A dot product of D random "
    "unit-variance terms has variance D, and √D brings it back to 1",
    pt="os scores foram divididos por D: divida por √D. O produto escalar de D "
    "termos aleatórios de variância 1 tem variância D, e √D a traz de volta para 1",
)
NOT_SCALED = hint(
    "not_scaled",
    en="the scores were not scaled: divide q kᵀ by √D, or the softmax saturates "
    "as D grows (one key takes almost all the weight)",
    pt="os scores não foram escalados: divida q kᵀ por √D, senão a softmax satura "
    "quando D cresce (uma key fica com quase todo o peso)",
)
MASK_NOT_INVERTED = hint(
    "mask_not_inverted",
    en="masked_fill(mask, value) writes value where mask is True, and the attention "
    "mask is True where attention is allowed: fill where it is False (~mask)",
    pt="masked_fill(mask, value) escreve value onde mask é True, e a máscara de "
    "atenção é True onde a atenção é permitida: preencha onde ela é False (~mask)",
)
QUERY_AXIS = hint(
    "softmax_over_queries",
    en="each query's weights sum to 1 over the keys: the softmax goes along the "
    "last axis (keys), not axis -2 (queries)",
    pt="os pesos de cada query somam 1 sobre as keys: a softmax vai ao longo do "
    "último eixo (keys), não do eixo -2 (queries)",
)
_SCORES = Text(
    "the scores q kᵀ / √D (from log of your weights)",
    "os scores q kᵀ / √D (a partir do log dos seus pesos)",
)
_MASKED = Text("the weights where the mask is False", "os pesos onde a máscara é False")
_ROWS = Text(
    "each query's weights summed over the keys",
    "os pesos de cada query somados sobre as keys",
)


def call(run, q, k, v, mask=None):
    """The student's (out, weights), each checked to be a Tensor."""
    args = [tensor(a) for a in (q, k, v)]
    value = run.value(student.scaled_dot_product_attention(*args, mask))
    out, weights = expect_tuple(
        value,
        2,
        Text(
            "scaled_dot_product_attention's (out, weights): its output and weights",
            "o (out, weights) de scaled_dot_product_attention: a saída e os pesos",
        ),
    )
    return expect_tensor(out, "out"), expect_tensor(weights, "weights")


def judge(q, k, v, mask, out, weights):
    """Compare intermediates in order; fail at the first one that disagrees."""
    want_out, want_w = attention(q, k, v, mask)
    expect_shape(weights.shape, want_w.shape, "weights")
    allowed = np.broadcast_to(True if mask is None else mask, want_w.shape)
    if mask is not None:
        inverted = [Mistake(MASK_NOT_INVERTED, value=attention(q, k, v, ~mask)[1])]
        expect_close(
            weights, np.where(allowed, weights, 0.0), _MASKED, mistakes=inverted
        )
    over_queries = attention(q, k, v, mask, axis=-2)[1]
    wrong_axis = [Mistake(QUERY_AXIS, value=over_queries.sum(-1))]
    expect_close(
        weights.sum(-1), np.ones(want_w.shape[:-1]), _ROWS, mistakes=wrong_axis
    )
    _scores_agree(q, k, weights, allowed)
    expect_close(weights, want_w, "weights = softmax(scores)")
    expect_close(
        out,
        weights @ v,
        Text(
            "out = weights v (with your weights)",
            "out = weights v (com os seus pesos)",
        ),
    )
    expect_close(out, want_out, "out")


def _scores_agree(q, k, weights, allowed):
    """log w = score - log Σ e^score: centred over the allowed keys, the log of
    the weights must equal the centred scores."""
    with np.errstate(divide="ignore"):
        got = _centred(np.log(weights), allowed)
    want = _centred(scores(q, k), allowed)
    d = q.shape[-1]
    wrong = [
        Mistake(BY_D, value=_centred(scores(q, k, d), allowed)),
        Mistake(NOT_SCALED, value=_centred(scores(q, k, 1.0), allowed)),
    ]
    expect_close(got, want, _SCORES, rtol=1e-5, atol=1e-6, mistakes=wrong)


def _centred(s, allowed):
    s = np.where(allowed, s, 0.0)
    mean = s.sum(-1, keepdims=True) / allowed.sum(-1, keepdims=True)
    return np.where(allowed, s - mean, 0.0)


def _qkv(run, lead=(2, 3), lq=4, lk=5, d=8, dv=6):
    q = run.rng.standard_normal((*lead, lq, d))
    k = run.rng.standard_normal((*lead, lk, d))
    v = run.rng.standard_normal((*lead, lk, dv))
    return q, k, v


@check(
    points=2,
    hint=Text(
        "scores 112/√64 = 14 and 96/√64 = 12; softmax gives 0.88 and 0.12",
        "scores 112/√64 = 14 e 96/√64 = 12; a softmax dá 0,88 e 0,12",
    ),
)
def slides_example(run):
    q = np.ones((1, 64))
    k = np.stack([np.full(64, 112 / 64), np.full(64, 96 / 64)])
    v = np.array([[1.0, 0.0], [0.0, 1.0]])
    out, weights = call(run, q, k, v)
    e = np.exp(2.0)
    want = np.array([[e / (1 + e), 1 / (1 + e)]])  # softmax([14, 12]) = 0.8808, 0.1192
    wrong = [
        Mistake(BY_D, value=softmax(np.array([[112.0, 96.0]]) / 64)),
        Mistake(NOT_SCALED, value=softmax(np.array([[112.0, 96.0]]))),
    ]
    expect_close(
        weights,
        want,
        Text(
            "weights for dot products 112 and 96, D = 64",
            "os pesos (weights) para os produtos escalares 112 e 96, D = 64",
        ),
        mistakes=wrong,
    )
    expect_close(
        out,
        want,
        Text(
            "out = 0.88 v1 + 0.12 v2, v1 and v2 one-hot",
            "out = 0.88 v1 + 0.12 v2, com v1 e v2 one-hot",
        ),
    )


@check(
    points=3,
    hint=Text(
        "softmax(q kᵀ / √D) over the last axis, then @ v; k.swapaxes(-1, -2) "
        "transposes the last two axes whatever the leading ones",
        "softmax(q kᵀ / √D) no último eixo, depois @ v; k.swapaxes(-1, -2) "
        "transpõe os dois últimos eixos, sejam quais forem os da frente",
    ),
)
def batched_heads(run):
    q, k, v = _qkv(run)
    judge(q, k, v, None, *call(run, q, k, v))


@check(
    points=2,
    hint=Text(
        "fill the scores with -inf where the mask is False, before the softmax",
        "preencha os scores com -inf onde a máscara é False, antes da softmax",
    ),
)
def masked(run):
    q, k, v = _qkv(run, lq=4, lk=4)
    mask = np.tril(np.ones((4, 4), dtype=bool))
    out, weights = call(run, q, k, v, tensor(mask))
    judge(q, k, v, mask, out, weights)


@check(
    points=3,
    hint=Text(
        "built from Tensor operations, autograd gives the gradients of q, k and v",
        "feita com operações de Tensor, o autograd dá os gradientes de q, k e v",
    ),
)
def gradients_of_qkv(run):
    q, k, v = _qkv(run, lead=(2,), lq=3, lk=4, d=4, dv=3)
    mask = np.array([True, True, False, True])
    g = run.rng.standard_normal((2, 3, 3))
    ts = [tensor(a, grad=True) for a in (q, k, v)]
    expr = student.scaled_dot_product_attention(*ts, tensor(mask))
    expect_tuple(
        run.value(expr),
        2,
        Text(
            "scaled_dot_product_attention's (out, weights): its output and weights",
            "o (out, weights) de scaled_dot_product_attention: a saída e os pesos",
        ),
    )
    _, grads = differentiate(
        run, expr[0], g, ts, Text("attention's out", "o out da atenção")
    )
    want = numerical_grads(lambda *a: attention(*a, mask)[0], [q, k, v], g)
    expect_grads(grads, want, ["q", "k", "v"])
