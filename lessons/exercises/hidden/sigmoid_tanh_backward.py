"""Hidden checks for sigmoid_tanh_backward (grade-all only): float32 kept on an
odd shape, and the two activations chained; inputs drawn at grading time,
expected values from the answer key in the grader."""

import numpy as np

from tinygrad_tx.grading.checks import check, hint
from tinygrad_tx.grading.expect import Mistake, expect_dtype, expect_grads
from tinygrad_tx.grading.expr import student, tensor
from tinygrad_tx.grading.i18n import Text
from tinygrad_tx.grading.messages import GRADIENT_OF
from tinygrad_tx.grading.probe import differentiate

FLOAT32_KEPT = hint(
    "float32_kept",
    en="the gradient keeps the input's dtype (float32 here)",
    pt="o gradiente mantém o dtype da entrada (aqui, float32)",
)


@check(
    points=1,
    hint=Text(
        "on float32 inputs of an odd shape, the same σ' and tanh' as in float64",
        "com entradas float32 de forma ímpar, as mesmas σ' e tanh' do float64",
    ),
)
def float32_odd_shape(run):
    x = run.rng.uniform(-5, 5, (2, 45, 1)).astype(np.float32)
    g = run.rng.standard_normal(x.shape).astype(np.float32)
    for name in ("sigmoid", "tanh"):
        xt = tensor(x, grad=True)
        expr = getattr(student, name)(xt)
        _, grads = differentiate(run, expr, g, [xt], f"{name}(x)")
        kept = [Mistake(FLOAT32_KEPT, when=lambda _: True)]
        what = GRADIENT_OF.format(name=f"x ({name})")
        expect_dtype(grads[0], np.float32, what, mistakes=kept)
        _, want = run.expected_grads(expr, g, [xt])
        expect_grads(grads, want, [f"x ({name})"], rtol=1e-5, atol=1e-7)


@check(
    points=1,
    hint=Text(
        "each backward must multiply by grad_out (the chain rule)",
        "cada backward precisa multiplicar por grad_out (a regra da cadeia)",
    ),
)
def chained(run):
    x = run.rng.uniform(-2, 2, (4, 3))
    g = run.rng.standard_normal((4, 3))
    xt = tensor(x, grad=True)
    expr = student.sigmoid(student.tanh(xt) * 3.0)
    _, grads = differentiate(run, expr, g, [xt], "sigmoid(3 tanh(x))")
    _, want = run.expected_grads(expr, g, [xt])
    expect_grads(grads, want, ["x"])
