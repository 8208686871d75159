"""Checks for adam_step: the first step worked out by hand, seven steps against
Adam's formulas written in NumPy below (not the engine's optim.Adam), and a
quadratic minimised."""

import numpy as np

from tinygrad_tx.grading.checks import check, fail, hint
from tinygrad_tx.grading.expect import (
    Mistake,
    expect_array,
    expect_close,
    expect_tuple,
    expect_unchanged,
)
from tinygrad_tx.grading.expr import student, watch
from tinygrad_tx.grading.i18n import Text


def adam(param, grad, m, v, t, lr, betas, eps, correct=True, sqrt=True):
    """Adam's step number t, as in the exercise's docstring; `correct` and `sqrt`
    switch off the bias correction and the square root (two classic mistakes)."""
    beta1, beta2 = betas
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad * grad
    m_hat = m / (1 - beta1**t) if correct else m
    v_hat = v / (1 - beta2**t) if correct else v
    root = np.sqrt(v_hat) if sqrt else v_hat
    return param - lr * m_hat / (root + eps), m, v


NO_CORRECTION = hint(
    "no_bias_correction",
    en="m and v start at 0, so early on they are too small (after one step m = "
    "0.1 g): divide by 1 - β₁ᵗ and 1 - β₂ᵗ (the bias correction) before the step",
    pt="m e v começam em 0, então no início ficam pequenos demais (depois de um "
    "passo, m = 0,1 g): divida por 1 - β₁ᵗ e 1 - β₂ᵗ (a correção de viés) antes "
    "do passo",
)
NO_SQRT = hint(
    "no_sqrt",
    en="divide by √v̂ + eps, not v̂ + eps: v̂ estimates g², and √v̂ brings it back "
    "to the size of g, so each step is about lr",
    pt="divida por √v̂ + eps, e não por v̂ + eps: v̂ estima g², e √v̂ traz de volta "
    "para o tamanho de g, de modo que cada passo fica perto de lr",
)
BETAS_SWAPPED = hint(
    "betas_swapped",
    en="betas is (β₁, β₂): β₁ (0.9) averages the gradient in m, β₂ (0.999) its "
    "square in v; they are swapped",
    pt="betas é (β₁, β₂): β₁ (0,9) faz a média do gradiente em m, β₂ (0,999) a do "
    "quadrado dele em v; eles estão trocados",
)
T_FIXED = hint(
    "t_fixed",
    en="the bias correction uses this step's t (1 - β₁ᵗ changes every step); with "
    "t stuck at 1 only the first step is right",
    pt="a correção de viés usa o t deste passo (1 - β₁ᵗ muda a cada passo); com t "
    "parado em 1, só o primeiro passo fica certo",
)
IN_PLACE = hint(
    "in_place",
    en="write new arrays (m = beta1 * m + ...): m *= beta1 changes the caller's "
    "array, which an optimizer keeps between steps",
    pt="crie arrays novos (m = beta1 * m + ...): m *= beta1 altera o array de quem "
    "chamou, que o otimizador guarda entre os passos",
)


def _mistakes(param, grad, m, v, t, lr, betas, eps):
    """The parameter each classic mistake would give from the same inputs."""
    same = (param, grad, m, v)
    return [
        Mistake(NO_CORRECTION, value=adam(*same, t, lr, betas, eps, correct=False)[0]),
        Mistake(NO_SQRT, value=adam(*same, t, lr, betas, eps, sqrt=False)[0]),
        Mistake(BETAS_SWAPPED, value=adam(*same, t, lr, betas[::-1], eps)[0]),
        Mistake(T_FIXED, value=adam(*same, 1, lr, betas, eps)[0]),
    ]


def step(run, param, grad, m, v, t, lr, betas, eps):
    """The student's step, with its arguments checked for changes in place."""
    sent = [watch(a) for a in (param, grad, m, v)]
    outcome = run.call(student.adam_step(*sent, t, lr, betas, eps))
    for name, before, expr in zip(
        ("param", "grad", "m", "v"), (param, grad, m, v), sent
    ):
        expect_unchanged(
            before, outcome.after.get(expr.id), "adam_step", name, IN_PLACE
        )
    result = expect_tuple(
        outcome.value,
        3,
        Text(
            "adam_step's result (param, m, v)", "o resultado de adam_step (param, m, v)"
        ),
    )
    names = ("param", "m", "v")
    return [
        expect_array(a, Text(f"adam_step's {n}", f"o {n} de adam_step"))
        for a, n in zip(result, names)
    ]


@check(
    points=2,
    hint=Text(
        "at t = 1, m̂ = g and v̂ = g²: the step is lr · g / (|g| + eps)",
        "em t = 1, m̂ = g e v̂ = g²: o passo é lr · g / (|g| + eps)",
    ),
)
def first_step_by_hand(run):
    param = np.array([1.0, -2.0, 3.0])
    grad = np.array([0.001, -1000.0, 0.5])
    zeros = np.zeros(3)
    args = (param, grad, zeros, zeros, 1, 0.1, (0.9, 0.999), 1e-8)
    new, m, v = step(run, *args)
    swapped_m = [Mistake(BETAS_SWAPPED, value=0.001 * grad)]
    swapped_v = [Mistake(BETAS_SWAPPED, value=0.1 * grad**2)]
    expect_close(
        m,
        0.1 * grad,
        Text("m after one step, (1 - β₁) g", "m depois de um passo, (1 - β₁) g"),
        mistakes=swapped_m,
    )
    expect_close(
        v,
        0.001 * grad**2,
        Text("v after one step, (1 - β₂) g²", "v depois de um passo, (1 - β₂) g²"),
        mistakes=swapped_v,
    )
    # lr · g / (|g| + eps) ≈ 0.1 · sign(g): p ≈ [0.9, -1.9, 2.9] whatever |g| is
    want = param - 0.1 * grad / (np.abs(grad) + 1e-8)
    expect_close(
        new,
        want,
        Text(
            "param after one step of lr = 0.1", "param depois de um passo com lr = 0.1"
        ),
        mistakes=_mistakes(*args),
    )


@check(
    points=3,
    hint=Text(
        "m̂ = m / (1 - β₁ᵗ), v̂ = v / (1 - β₂ᵗ) with this step's t; p - lr m̂ / (√v̂ + eps)",
        "m̂ = m / (1 - β₁ᵗ), v̂ = v / (1 - β₂ᵗ) com o t deste passo; p - lr m̂ / (√v̂ + eps)",
    ),
)
def seven_steps(run):
    betas, lr, eps = (0.9, 0.98), 0.01, 1e-9
    param = run.rng.standard_normal((3, 4))
    m, v = np.zeros_like(param), np.zeros_like(param)
    for t in range(1, 8):
        grad = run.rng.standard_normal((3, 4)) * 10.0**t
        args = (param, grad, m, v, t, lr, betas, eps)
        want, want_m, want_v = adam(*args)
        param, m, v = step(run, *args)
        what = Text(f"param after step {t}", f"param depois do passo {t}")
        expect_close(param, want, what, mistakes=_mistakes(*args))
        _, swapped_m, swapped_v = adam(*args[:5], lr, betas[::-1], eps)
        expect_close(
            m,
            want_m,
            Text(f"m after step {t}", f"m depois do passo {t}"),
            mistakes=[Mistake(BETAS_SWAPPED, value=swapped_m)],
        )
        expect_close(
            v,
            want_v,
            Text(f"v after step {t}", f"v depois do passo {t}"),
            mistakes=[Mistake(BETAS_SWAPPED, value=swapped_v)],
        )


@check(
    points=2,
    hint=Text(
        "repeat the step with t = 1, 2, 3, ...: the minimum is reached",
        "repita o passo com t = 1, 2, 3, ...: o mínimo é alcançado",
    ),
)
def minimises_a_quadratic(run):
    """f(p) = Σ (p - target)², gradient 2 (p - target); 500 steps of lr 0.05."""
    target = np.array([3.0, -1.0, 0.5])
    param, m, v = np.zeros(3), np.zeros(3), np.zeros(3)
    for t in range(1, 501):
        grad = 2 * (param - target)
        param, m, v = step(run, param, grad, m, v, t, 0.05, (0.9, 0.999), 1e-8)
        if not np.isfinite(param).all():
            fail(
                Text(
                    f"param is not finite after step {t}: {param}",
                    f"param deixou de ser finito no passo {t}: {param}",
                )
            )
    expect_close(
        param,
        target,
        Text(
            "param after 500 steps on (p - target)²",
            "param depois de 500 passos sobre (p - target)²",
        ),
        atol=1e-2,
    )
