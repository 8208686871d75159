"""Checks for softmax: values on any axis and for huge logits, and the gradient.

Expected values come from `softmax` below, the forward formula in plain NumPy
(never from the engine's softmax, which your code may be replacing); expected
gradients are its central differences in float64, so this file does not give
the backward away.
"""

import numpy as np

from tinygrad_tx.grading.checks import check, hint
from tinygrad_tx.grading.expect import (
    Mistake,
    expect_close,
    expect_grads,
    expect_tensor,
    numerical_grads,
)
from tinygrad_tx.grading.expr import student, tensor
from tinygrad_tx.grading.i18n import Text
from tinygrad_tx.grading.probe import by_hand, differentiate


def softmax(x, axis=-1):
    """y = exp(x - max) / Σ exp(x - max) along `axis`."""
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


NO_MAX = hint(
    "no_max",
    en="e^1000 overflows to inf and inf / inf is NaN: subtract each row's max "
    "before exp (softmax does not change when a constant is added to every x_i)",
    pt="e^1000 estoura para inf, e inf / inf dá NaN: subtraia o máximo de cada "
    "linha antes do exp (a softmax não muda quando se soma uma constante a todo x_i)",
)
FIXED_AXIS = hint(
    "fixed_axis",
    en="the result is a softmax along the last axis: pass `axis` to every max and "
    "sum (with keepdims=True) instead of -1",
    pt="o resultado é uma softmax ao longo do último eixo: passe `axis` para cada "
    "max e cada sum (com keepdims=True) em vez de -1",
)
DIAGONAL_ONLY = hint(
    "diagonal_only",
    en="g·y·(1 - y) is only the diagonal of the Jacobian: each y_i also depends on "
    "every other x_j (dy_i/dx_j = -y_i y_j), which is what the term -Σ_i g_i y_i adds",
    pt="g·y·(1 - y) é só a diagonal da jacobiana: cada y_i depende também de todos os "
    "outros x_j (dy_i/dx_j = -y_i y_j), e é isso que o termo -Σ_i g_i y_i acrescenta",
)
NO_SUM_TERM = hint(
    "no_sum_term",
    en="y·g forgets that the outputs sum to 1: raising one y_i lowers the others, "
    "so subtract the weighted mean Σ_i g_i y_i from g before multiplying by y",
    pt="y·g esquece que as saídas somam 1: aumentar um y_i diminui os outros, então "
    "subtraia de g a média ponderada Σ_i g_i y_i antes de multiplicar por y",
)


def _backward_mistakes(x, g, axis=-1):
    y = softmax(x, axis)
    return [
        Mistake(DIAGONAL_ONLY, value=g * y * (1 - y)),
        Mistake(NO_SUM_TERM, value=g * y),
    ]


@check(
    points=2,
    hint=Text(
        "y = exp(x - max) / Σ exp(x - max) along the axis",
        "y = exp(x - max) / Σ exp(x - max) ao longo do eixo",
    ),
)
def forward_values(run):
    x = run.rng.standard_normal((3, 5))
    got = expect_tensor(run.value(student.softmax(tensor(x))), "softmax(x)")
    expect_close(got, softmax(x), "softmax(x), x (3, 5)")


@check(
    points=1,
    hint=Text(
        "use the `axis` argument in every max and sum (keepdims=True)",
        "use o argumento `axis` em cada max e cada sum (keepdims=True)",
    ),
)
def forward_other_axis(run):
    x = run.rng.standard_normal((4, 3, 2))
    got = expect_tensor(run.value(student.softmax(tensor(x), axis=1)), "softmax")
    wrong = [Mistake(FIXED_AXIS, value=softmax(x, -1))]
    expect_close(got, softmax(x, 1), "softmax(x, axis=1)", mistakes=wrong)


@check(points=1, hint=NO_MAX)
def huge_logits(run):
    x = np.array([[1000.0, 1001.0, 1002.0], [-1000.0, 0.0, 1000.0]])
    got = expect_tensor(run.value(student.softmax(tensor(x))), "softmax")
    nan = [Mistake(NO_MAX, when=lambda v: not np.isfinite(v.array).all())]
    expect_close(
        got,
        softmax(x),
        Text("softmax of [1000, 1001, 1002]", "softmax de [1000, 1001, 1002]"),
        mistakes=nan,
    )


@check(
    points=2,
    hint=Text(
        "dL/dx = y * (g - Σ g * y), the sum along the axis with keepdims=True",
        "dL/dx = y * (g - Σ g * y), com a soma ao longo do eixo e keepdims=True",
    ),
)
def backward_values(run):
    x = run.rng.standard_normal((4, 6))
    g = run.rng.standard_normal((4, 6))
    _, (grad_x,) = by_hand(run, "Softmax", [x], g, axis=-1)
    (want,) = numerical_grads(softmax, [x], g)
    expect_grads([grad_x], [want], ["x"], mistakes=_backward_mistakes(x, g))


@check(
    points=3,
    hint=Text(
        "dL/dx = y * (g - Σ g * y) along the softmax's axis, from the saved y",
        "dL/dx = y * (g - Σ g * y) ao longo do eixo da softmax, a partir do y salvo",
    ),
)
def backward_through_tensors(run):
    for shape, axis in (((3, 4), -1), ((2, 3, 4), 0)):
        x = run.rng.standard_normal(shape)
        g = run.rng.standard_normal(shape)
        xt = tensor(x, grad=True)
        what = f"softmax(x, axis={axis})"
        _, grads = differentiate(run, student.softmax(xt, axis=axis), g, [xt], what)
        (want,) = numerical_grads(lambda a, axis=axis: softmax(a, axis), [x], g)
        wrong = _backward_mistakes(x, g, axis)
        expect_grads(
            grads, [want], [Text(f"x in {what}", f"x em {what}")], mistakes=wrong
        )
