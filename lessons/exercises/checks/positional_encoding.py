"""Checks for positional_encoding: hand-computed rows, the transformer package's
table, the rotation property, and the gradient through the addition."""

import numpy as np

from tinygrad_tx import Tensor
from tinygrad_tx.grading.checks import (
    check,
    expect_array,
    expect_close,
    expect_gradcheck,
    expect_tensor,
    rng,
)
from transformer.positional import sinusoidal_table as reference


def _table(ex, max_len, d_model):
    what = f"sinusoidal_table({max_len}, {d_model})"
    return expect_array(ex.sinusoidal_table(max_len, d_model), what)


@check(
    points=2, hint="row 0 is [0, 1, 0, 1]; row 1 is [sin 1, cos 1, sin .01, cos .01]"
)
def hand_computed_rows(ex):
    want = np.array(
        [
            [0.0, 1.0, 0.0, 1.0],
            [np.sin(1.0), np.cos(1.0), np.sin(0.01), np.cos(0.01)],
            [np.sin(2.0), np.cos(2.0), np.sin(0.02), np.cos(0.02)],
        ]
    )
    expect_close(_table(ex, 3, 4), want, "sinusoidal_table(3, 4)")


@check(points=2, hint="ω_i = 1 / 10000^(2i / d_model), with 2i the even column index")
def larger_table(ex):
    expect_close(_table(ex, 50, 16), reference(50, 16), "sinusoidal_table(50, 16)")


@check(points=2, hint="each (sin, cos) pair must share one frequency ω_i")
def relative_positions_rotate(ex):
    """PE(pos + k) = R(k ω_i) PE(pos) on every pair of columns (2i, 2i + 1)."""
    table = _table(ex, 40, 8)
    omega = 1 / 10000.0 ** (np.arange(0, 8, 2) / 8)
    k = 5
    cos, sin = np.cos(k * omega), np.sin(k * omega)
    s, c = table[:-k, 0::2], table[:-k, 1::2]
    shifted = np.empty_like(table[:-k])
    shifted[:, 0::2] = s * cos + c * sin  # sin(a + b)
    shifted[:, 1::2] = c * cos - s * sin  # cos(a + b)
    expect_close(table[k:], shifted, "PE(pos + 5) against R(5 ω) PE(pos)")


@check(points=2, hint="x + Tensor(table[:L]): the (L, d) table broadcasts over B")
def add_to_embeddings(ex):
    x = rng(0).standard_normal((2, 6, 8))
    got = expect_tensor(ex.add_positional_encoding(Tensor(x)), "the result")
    expect_close(got, x + reference(6, 8), "add_positional_encoding(x)", rtol=1e-5)
    xt = Tensor(rng(1).standard_normal((2, 3, 4)), requires_grad=True)
    expect_gradcheck(ex.add_positional_encoding, [xt], "add_positional_encoding")
