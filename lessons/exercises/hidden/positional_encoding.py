"""Hidden checks for positional_encoding (grade-all only): an odd d_model, a long
table, float32 embeddings; sizes drawn at grading time, expected values from
the answer key in the grader."""

import numpy as np

from tinygrad_tx.grading.checks import check
from tinygrad_tx.grading.expect import (
    expect_array,
    expect_close,
    expect_dtype,
    expect_tensor,
)
from tinygrad_tx.grading.expr import student, tensor
from tinygrad_tx.grading.i18n import Text


@check(
    points=1,
    hint=Text(
        "an odd d_model has one more sine column than cosine columns",
        "um d_model ímpar tem uma coluna de seno a mais que de cosseno",
    ),
)
def odd_d_model(run):
    d = int(run.rng.choice([3, 5, 7, 9]))
    expr = student.sinusoidal_table(7, d)
    got = expect_array(run.value(expr), f"sinusoidal_table(7, {d})")
    expect_close(got, run.expected(expr), f"sinusoidal_table(7, {d})")


@check(
    points=1,
    hint=Text(
        "the values stay in [-1, 1] and still match far along, at position 999",
        "os valores ficam em [-1, 1] e continuam certos lá longe, na posição 999",
    ),
)
def long_table(run):
    d = int(run.rng.choice([16, 32, 64]))
    expr = student.sinusoidal_table(1000, d)
    got = expect_array(run.value(expr), f"sinusoidal_table(1000, {d})")
    expect_close(
        got[-1],
        run.expected(expr)[-1],
        Text(f"row 999 of (1000, {d})", f"a linha 999 de (1000, {d})"),
        atol=1e-9,
    )


@check(
    points=1,
    hint=Text(
        "float32 embeddings stay float32: cast the table to x's dtype",
        "embeddings float32 continuam float32: converta a tabela para o dtype de x",
    ),
)
def float32_embeddings(run):
    x = run.rng.standard_normal((1, 4, 6)).astype(np.float32)
    out = expect_tensor(
        run.value(student.add_positional_encoding(tensor(x))),
        Text("the result", "o resultado"),
    )
    expect_dtype(
        out,
        np.float32,
        Text(
            "add_positional_encoding of a float32 x",
            "add_positional_encoding de um x float32",
        ),
    )
