"""Checks for cross_entropy_label_smoothing: hand-computed targets, the loss with
and without smoothing, huge logits, and the gradient by hand and through Tensors.

Expected values come from `loss` below, the formula in plain NumPy (never the
engine's cross_entropy); expected gradients are its central differences.
"""

import numpy as np

from tinygrad_tx.grading.checks import check, hint
from tinygrad_tx.grading.expect import (
    Mistake,
    expect_array,
    expect_close,
    expect_grads,
    expect_tensor,
    numerical_grads,
)
from tinygrad_tx.grading.expr import student, tensor
from tinygrad_tx.grading.i18n import Text
from tinygrad_tx.grading.probe import by_hand, differentiate

TARGET = np.array([2, 0, 3, 1, 2])


def targets(target, n_classes, eps):
    """q = (1 - ε) one-hot + ε / C."""
    return (1 - eps) * np.eye(n_classes)[target] + eps / n_classes


def log_softmax(z):
    shifted = z - z.max(-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))


def loss(logits, target, eps):
    return -(targets(target, logits.shape[-1], eps) * log_softmax(logits)).sum() / len(
        target
    )


C_MINUS_ONE = hint(
    "spread_over_others",
    en="ε is spread over all C classes, the target included: ε/C everywhere, plus "
    "1 - ε on the target (each row then sums to 1); not ε/(C - 1) over the others",
    pt="ε é espalhado por todas as C classes, inclusive a correta: ε/C em todas, "
    "mais 1 - ε na classe correta (cada linha soma 1); não ε/(C - 1) nas outras",
)
ROWS_ABOVE_ONE = hint(
    "rows_above_one",
    en="the target gets 1 - ε + ε/C, not 1 + ε/C: without the 1 - ε each row of q "
    "sums to 1 + ε, which is not a distribution",
    pt="a classe correta recebe 1 - ε + ε/C, e não 1 + ε/C: sem o 1 - ε cada linha "
    "de q soma 1 + ε, o que não é uma distribuição",
)
NO_MAX = hint(
    "no_max",
    en="e^1000 overflows: compute log p = z - max(z) - log Σ e^(z - max(z)), "
    "which never takes the exponential of a large number",
    pt="e^1000 estoura: calcule log p = z - max(z) - log Σ e^(z - max(z)), que "
    "nunca calcula a exponencial de um número grande",
)
NO_MEAN = hint(
    "no_one_over_n",
    en="the loss is a mean over the N rows, so its gradient carries 1/N: "
    "grad_out · (p - q) / N",
    pt="a perda é uma média sobre as N linhas, então o gradiente carrega 1/N: "
    "grad_out · (p - q) / N",
)
ONE_HOT_Q = hint(
    "one_hot_q",
    en="with label smoothing the target is the smoothed q, so the gradient is "
    "p - q with q = (1 - ε) one-hot + ε/C, not p - one-hot",
    pt="com suavização de rótulos o alvo é o q suavizado, então o gradiente é "
    "p - q com q = (1 - ε) one-hot + ε/C, e não p - one-hot",
)
NO_UPSTREAM = hint(
    "no_upstream",
    en="multiply by grad_out: the loss may be scaled or summed with others "
    "before backward reaches it (the chain rule)",
    pt="multiplique por grad_out: a perda pode ter sido escalada ou somada a outras "
    "antes do backward chegar nela (a regra da cadeia)",
)


def _target_mistakes(target, c, eps):
    one_hot = np.eye(c)[target]
    spread = (1 - eps) * one_hot + eps / (c - 1) * (1 - one_hot)
    return [
        Mistake(C_MINUS_ONE, value=spread),
        Mistake(ROWS_ABOVE_ONE, value=one_hot + eps / c),
    ]


def _grad_mistakes(logits, eps, g):
    p = np.exp(log_softmax(logits))
    q = targets(TARGET, logits.shape[-1], eps)
    n = len(TARGET)
    return [
        Mistake(NO_MEAN, value=g * (p - q)),
        Mistake(ONE_HOT_Q, value=g * (p - np.eye(logits.shape[-1])[TARGET]) / n),
        Mistake(NO_UPSTREAM, value=(p - q) / n),
    ]


def _loss(run, logits, eps, what, mistakes=()):
    expr = student.cross_entropy(tensor(logits), TARGET, eps)
    got = expect_tensor(run.value(expr), "cross_entropy")
    expect_close(got, loss(logits, TARGET, eps), what, mistakes=mistakes)


@check(
    points=2,
    hint=Text(
        "q = ε/C everywhere, plus 1 - ε at each row's target column",
        "q = ε/C em todas as posições, mais 1 - ε na coluna correta de cada linha",
    ),
)
def smoothed_target_values(run):
    got = expect_array(
        run.value(student.smoothed_targets(np.array([2, 0]), 4, 0.2)),
        "smoothed_targets",
    )
    want = np.array([[0.05, 0.05, 0.85, 0.05], [0.85, 0.05, 0.05, 0.05]])
    expect_close(
        got,
        want,
        "smoothed_targets([2, 0], 4, ε=0.2)",
        mistakes=_target_mistakes(np.array([2, 0]), 4, 0.2),
    )


@check(
    points=2,
    hint=Text(
        "ε = 0: the mean over rows of -log p[target]",
        "ε = 0: a média sobre as linhas de -log p[alvo]",
    ),
)
def loss_without_smoothing(run):
    _loss(
        run,
        run.rng.standard_normal((5, 4)),
        0.0,
        Text("the loss with ε = 0", "a perda com ε = 0"),
    )


@check(
    points=2,
    hint=Text(
        "L = mean over rows of -Σ_c q_c log p_c",
        "L = média sobre as linhas de -Σ_c q_c log p_c",
    ),
)
def loss_with_smoothing(run):
    for eps in (0.1, 0.3):
        logits = run.rng.standard_normal((5, 4))
        _loss(
            run, logits, eps, Text(f"the loss with ε = {eps}", f"a perda com ε = {eps}")
        )


@check(
    points=1,
    hint=Text(
        "logits in the thousands: the same L = mean of -Σ_c q_c log p_c, finite",
        "logits na casa dos milhares: a mesma L = média de -Σ_c q_c log p_c, finita",
    ),
)
def huge_logits(run):
    logits = run.rng.standard_normal((5, 4)) * 1000
    nan = [Mistake(NO_MAX, when=lambda v: not np.isfinite(np.asarray(v)).all())]
    _loss(
        run,
        logits,
        0.1,
        Text(
            "the loss for logits in the ±1000s", "a perda para logits na casa dos ±1000"
        ),
        nan,
    )


@check(
    points=2,
    hint=Text(
        "dL/dlogits = grad_out · (p - q) / N", "dL/dlogits = grad_out · (p - q) / N"
    ),
)
def backward_values(run):
    logits = run.rng.standard_normal((5, 4))
    g = np.array(1.7)
    _, (got,) = by_hand(
        run, "CrossEntropy", [logits], g, target=TARGET, label_smoothing=0.1
    )
    (want,) = numerical_grads(lambda z: loss(z, TARGET, 0.1), [logits], g)
    expect_grads(
        [got],
        [want],
        ["logits (grad_out = 1.7, ε = 0.1)"],
        mistakes=_grad_mistakes(logits, 0.1, g),
    )


@check(
    points=3,
    hint=Text(
        "through Tensors: the gradient of the loss with respect to the logits",
        "passando por Tensors: o gradiente da perda em relação aos logits",
    ),
)
def through_tensors(run):
    logits = run.rng.standard_normal((5, 4))
    g = np.array(2.5)
    zt = tensor(logits, grad=True)
    expr = student.cross_entropy(zt, TARGET, 0.2)
    _, grads = differentiate(run, expr, g, [zt], "cross_entropy (ε = 0.2)")
    (want,) = numerical_grads(lambda z: loss(z, TARGET, 0.2), [logits], g)
    expect_grads(grads, [want], ["logits"], mistakes=_grad_mistakes(logits, 0.2, g))
