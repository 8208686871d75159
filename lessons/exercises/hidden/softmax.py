"""Hidden checks for softmax (grade-all only): a row of one element, float32
kept, odd sizes; inputs drawn at grading time, expected values from the answer
key in the grader."""

import numpy as np

from tinygrad_tx.grading.checks import check, hint
from tinygrad_tx.grading.expect import (
    Mistake,
    expect_close,
    expect_dtype,
    expect_grads,
)
from tinygrad_tx.grading.expr import student, tensor
from tinygrad_tx.grading.i18n import Text
from tinygrad_tx.grading.probe import differentiate


@check(
    points=1,
    hint=Text(
        "a softmax over a single element is 1, and its gradient 0",
        "a softmax de um único elemento é 1, e o gradiente dela é 0",
    ),
)
def single_element_rows(run):
    x = run.rng.standard_normal((5, 1))
    g = run.rng.standard_normal((5, 1))
    xt = tensor(x, grad=True)
    out, grads = differentiate(
        run, student.softmax(xt), g, [xt], "softmax(x), x (5, 1)"
    )
    expect_close(
        out,
        np.ones((5, 1)),
        Text("softmax over one element", "softmax de um único elemento"),
    )
    expect_grads(grads, [np.zeros((5, 1))], ["x"], atol=1e-12)


FLOAT32_KEPT = hint(
    "float32_kept",
    en="float32 in, float32 out: no float64 constant may promote the result",
    pt="entra float32, sai float32: nenhuma constante float64 pode promover o "
    "resultado",
)


@check(
    points=1,
    hint=Text(
        "on float32 inputs of odd sizes, the same y and y * (g - Σ g y) as in float64",
        "com entradas float32 de tamanhos ímpares, os mesmos y e y * (g - Σ g y) do "
        "float64",
    ),
)
def float32_odd_sizes(run):
    x = (run.rng.standard_normal((7, 45)) * 10).astype(np.float32)
    g = run.rng.standard_normal((7, 45)).astype(np.float32)
    xt = tensor(x, grad=True)
    expr = student.softmax(xt)
    out, grads = differentiate(run, expr, g, [xt], "softmax(x), x float32 (7, 45)")
    what = Text("softmax of a float32 x", "softmax de um x float32")
    expect_dtype(out, np.float32, what, [Mistake(FLOAT32_KEPT, when=lambda _: True)])
    want_out, want_grads = run.expected_grads(expr, g, [xt])
    expect_close(out, want_out.array, "softmax (float32)", rtol=1e-5, atol=1e-7)
    expect_grads(grads, want_grads, ["x"], rtol=1e-4, atol=1e-6)
