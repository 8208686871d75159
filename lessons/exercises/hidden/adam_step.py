"""Hidden checks for adam_step (grade-all only): a zero gradient after a step,
and unusual betas really used; inputs drawn at grading time, expected values
from the answer key in the grader."""

import numpy as np

from tinygrad_tx.grading.checks import check
from tinygrad_tx.grading.expect import expect_array, expect_close, expect_tuple
from tinygrad_tx.grading.expr import student
from tinygrad_tx.grading.i18n import Text


def _steps(run, grads, lr, betas, eps, what):
    param = run.rng.standard_normal(grads[0].shape)
    m, v = np.zeros_like(param), np.zeros_like(param)
    for t, g in enumerate(grads, start=1):
        expr = student.adam_step(param, g, m, v, t, lr, betas, eps)
        got = expect_tuple(
            run.value(expr),
            3,
            Text(
                "adam_step's result (param, m, v)",
                "o resultado de adam_step (param, m, v)",
            ),
        )
        want = run.expected(expr)
        for a, b, name in zip(got, want, ("param", "m", "v")):
            expect_close(
                expect_array(a, name),
                b,
                Text(f"{name} {what}, step {t}", f"{name} {what}, passo {t}"),
            )
        param, m, v = want


@check(
    points=1,
    hint=Text(
        "a zero gradient still moves p while m remembers the past",
        "um gradiente zero ainda move p enquanto m lembra do passado",
    ),
)
def zero_gradient_after_steps(run):
    g = run.rng.standard_normal(2)
    _steps(
        run,
        [g, np.zeros(2), np.zeros(2)],
        0.1,
        (0.5, 0.9),
        1e-8,
        Text("(zero gradients)", "(gradientes zero)"),
    )


@check(
    points=1,
    hint=Text(
        "use both betas from the argument, not fixed 0.9 / 0.999",
        "use os dois betas do argumento, e não 0,9 / 0,999 fixos",
    ),
)
def unusual_betas(run):
    grads = [run.rng.standard_normal(4) for _ in range(3)]
    _steps(
        run,
        grads,
        0.2,
        (0.3, 0.5),
        1e-6,
        Text("with betas (0.3, 0.5)", "com betas (0.3, 0.5)"),
    )
