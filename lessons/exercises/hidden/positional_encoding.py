"""Hidden checks for positional_encoding (grade-all only): an odd d_model, a long
table, float32 embeddings."""

import numpy as np

from tinygrad_tx import Tensor
from tinygrad_tx.grading.checks import check, expect_close, fail, rng
from transformer.positional import sinusoidal_table as reference


@check(points=1, hint="an odd d_model has one more sine column than cosine columns")
def odd_d_model(ex):
    expect_close(ex.sinusoidal_table(7, 5), reference(7, 5), "sinusoidal_table(7, 5)")


@check(points=1, hint="the values stay in [-1, 1] and match at position 999")
def long_table(ex):
    got = ex.sinusoidal_table(1000, 32)
    expect_close(got[-1], reference(1000, 32)[-1], "row 999 of (1000, 32)", atol=1e-9)


@check(points=1, hint="float32 embeddings stay float32: cast the table to x's dtype")
def float32_embeddings(ex):
    x = Tensor(rng(80).standard_normal((1, 4, 6)).astype(np.float32))
    out = ex.add_positional_encoding(x)
    if out.dtype != np.float32:
        fail(f"the result has dtype {out.dtype}, expected float32 like x")
