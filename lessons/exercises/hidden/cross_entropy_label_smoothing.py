"""Hidden checks for cross_entropy_label_smoothing (grade-all only): one row of two
classes, and a confident prediction under smoothing; inputs drawn at grading
time, expected values from the answer key in the grader."""

import numpy as np

from tinygrad_tx.grading.checks import check
from tinygrad_tx.grading.expect import expect_close, expect_grads, expect_tensor
from tinygrad_tx.grading.expr import student, tensor
from tinygrad_tx.grading.i18n import Text
from tinygrad_tx.grading.probe import differentiate


@check(
    points=1,
    hint=Text(
        "N = 1 and C = 2 are ordinary sizes too",
        "N = 1 e C = 2 também são tamanhos normais",
    ),
)
def one_row_two_classes(run):
    logits = run.rng.standard_normal((1, 2))
    target = run.rng.integers(0, 2, 1)
    zt = tensor(logits, grad=True)
    expr = student.cross_entropy(zt, target, 0.1)
    out, grads = differentiate(
        run,
        expr,
        np.array(1.0),
        [zt],
        Text("the loss of one row", "a perda de uma linha"),
    )
    want_out, want = run.expected_grads(expr, np.array(1.0), [zt])
    expect_close(
        out,
        want_out.array,
        Text(
            "the loss of one row of two classes",
            "a perda de uma linha com duas classes",
        ),
    )
    expect_grads(grads, want, ["logits"])


@check(
    points=1,
    hint=Text(
        "with smoothing, even a confident right answer has a loss",
        "com suavização, até uma resposta certa e confiante tem perda",
    ),
)
def confident_prediction(run):
    logits = np.zeros((1, 3))
    logits[0, 0] = run.rng.uniform(15, 25)
    expr = student.cross_entropy(tensor(logits), np.array([0]), 0.3)
    got = expect_tensor(run.value(expr), "cross_entropy")
    expect_close(
        got,
        run.expected(expr).array,
        Text(
            "the loss of a confident row, ε = 0.3",
            "a perda de uma linha de previsão confiante, ε = 0.3",
        ),
    )
