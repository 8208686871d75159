"""Checks for positional_encoding: hand-computed rows, a larger table, the
rotation property, and the addition to the embeddings with its gradient.

Expected tables come from `table` below, the paper's formula in plain NumPy
(never the transformer package's). A wrong table is traced to the first
intermediate that disagrees: row 0 (position 0), then the frequencies ω_i
(read from row 1, where PE(1, 2i) = sin ω_i), then the sine columns, then the
cosine columns.
"""

import numpy as np

from tinygrad_tx.grading.checks import check, hint
from tinygrad_tx.grading.expect import (
    Mistake,
    expect_array,
    expect_close,
    expect_grads,
    expect_shape,
    expect_tensor,
)
from tinygrad_tx.grading.expr import student, tensor
from tinygrad_tx.grading.i18n import Text
from tinygrad_tx.grading.probe import differentiate


def table(max_len, d_model, exponent=None, swap=False, first=0):
    """PE(pos, 2i) = sin(pos ω_i), PE(pos, 2i+1) = cos(pos ω_i), ω_i = 10000^(-2i/d);
    the options give classic mistakes: `exponent(column)`, sines and cosines
    swapped, positions counted from `first`."""
    pos = np.arange(first, first + max_len)[:, None]
    columns = np.arange(d_model)
    power = (columns - columns % 2) / d_model if exponent is None else exponent(columns)
    angle = pos / 10000.0**power
    even = columns % 2 == 0
    sines, cosines = (np.cos, np.sin) if swap else (np.sin, np.cos)
    return np.where(even, sines(angle), cosines(angle))


PAIR_INDEX = hint(
    "pair_index",
    en="the frequencies fall too slowly: the exponent is 2i/d_model, where 2i is "
    "the even column's index (i counts the pairs), not i/d_model",
    pt="as frequências caem devagar demais: o expoente é 2i/d_model, em que 2i é o "
    "índice da coluna par (i conta os pares), e não i/d_model",
)
OWN_COLUMN = hint(
    "own_column_exponent",
    en="each cosine must share its sine's frequency: column 2i + 1 uses ω_i with "
    "exponent 2i/d_model, not its own index (2i + 1)/d_model",
    pt="cada cosseno precisa usar a mesma frequência do seu seno: a coluna 2i + 1 "
    "usa ω_i com expoente 2i/d_model, e não o próprio índice (2i + 1)/d_model",
)
SWAPPED = hint(
    "sin_cos_swapped",
    en="sines go in the even columns (2i) and cosines in the odd ones (2i + 1): row "
    "0 is [0, 1, 0, 1, ...]",
    pt="os senos vão nas colunas pares (2i) e os cossenos nas ímpares (2i + 1): a "
    "linha 0 é [0, 1, 0, 1, ...]",
)
FROM_ONE = hint(
    "positions_from_one",
    en="positions start at 0: the first row is PE(0) = [0, 1, 0, 1, ...]; "
    "np.arange(max_len) counts from 0",
    pt="as posições começam em 0: a primeira linha é PE(0) = [0, 1, 0, 1, ...]; "
    "np.arange(max_len) conta a partir de 0",
)


def _mistakes(max_len, d_model):
    return [
        Mistake(
            PAIR_INDEX,
            value=table(max_len, d_model, exponent=lambda c: (c // 2) / d_model),
        ),
        Mistake(
            OWN_COLUMN, value=table(max_len, d_model, exponent=lambda c: c / d_model)
        ),
        Mistake(SWAPPED, value=table(max_len, d_model, swap=True)),
        Mistake(FROM_ONE, value=table(max_len, d_model, first=1)),
    ]


_ROW0 = Text("row 0 (position 0)", "a linha 0 (posição 0)")
_OMEGA = Text(
    "the frequencies ω_i = arcsin PE(1, 2i)", "as frequências ω_i = arcsin PE(1, 2i)"
)
_SINES = Text("the sine columns PE(pos, 2i)", "as colunas de seno PE(pos, 2i)")
_COSINES = Text(
    "the cosine columns PE(pos, 2i + 1)", "as colunas de cosseno PE(pos, 2i + 1)"
)


def judge(got, max_len, d_model, what):
    """Compare the intermediates in order, then the whole table."""
    want = table(max_len, d_model)
    mistakes = _mistakes(max_len, d_model)
    expect_shape(got.shape, want.shape, what, got, mistakes)
    whole = [Mistake(m.hint, when=lambda _, m=m: m.matches(got)) for m in mistakes]
    expect_close(got[0], want[0], _ROW0, atol=1e-7, mistakes=whole)
    if max_len > 1:
        omega = np.arcsin(np.clip(got[1, 0::2], -1, 1))
        expect_close(omega, np.arcsin(want[1, 0::2]), _OMEGA, mistakes=whole)
    expect_close(got[:, 0::2], want[:, 0::2], _SINES, atol=1e-7, mistakes=whole)
    expect_close(got[:, 1::2], want[:, 1::2], _COSINES, atol=1e-7, mistakes=whole)


def table_of(run, max_len, d_model):
    what = f"sinusoidal_table({max_len}, {d_model})"
    return expect_array(run.value(student.sinusoidal_table(max_len, d_model)), what)


@check(
    points=2,
    hint=Text(
        "row 0 is [0, 1, 0, 1]; row 1 is [sin 1, cos 1, sin 0.01, cos 0.01]",
        "a linha 0 é [0, 1, 0, 1]; a linha 1 é [sin 1, cos 1, sin 0,01, cos 0,01]",
    ),
)
def hand_computed_rows(run):
    want = np.array(
        [
            [0.0, 1.0, 0.0, 1.0],
            [np.sin(1.0), np.cos(1.0), np.sin(0.01), np.cos(0.01)],
            [np.sin(2.0), np.cos(2.0), np.sin(0.02), np.cos(0.02)],
        ]
    )
    got = table_of(run, 3, 4)
    judge(got, 3, 4, "sinusoidal_table(3, 4)")
    expect_close(got, want, "sinusoidal_table(3, 4)")


@check(
    points=2,
    hint=Text(
        "ω_i = 1 / 10000^(2i / d_model), with 2i the even column's index",
        "ω_i = 1 / 10000^(2i / d_model), com 2i o índice da coluna par",
    ),
)
def larger_table(run):
    judge(table_of(run, 50, 16), 50, 16, "sinusoidal_table(50, 16)")


@check(
    points=2,
    hint=Text(
        "each (sin, cos) pair must share one frequency ω_i",
        "cada par (sin, cos) precisa ter uma única frequência ω_i",
    ),
)
def relative_positions_rotate(run):
    """PE(pos + k) = R(k ω_i) PE(pos) on every pair of columns (2i, 2i + 1)."""
    pe = table_of(run, 40, 8)
    omega = 1 / 10000.0 ** (np.arange(0, 8, 2) / 8)
    k = 5
    cos, sin = np.cos(k * omega), np.sin(k * omega)
    s, c = pe[:-k, 0::2], pe[:-k, 1::2]
    shifted = np.empty_like(pe[:-k])
    shifted[:, 0::2] = s * cos + c * sin  # sin(a + b)
    shifted[:, 1::2] = c * cos - s * sin  # cos(a + b)
    wrong = [Mistake(OWN_COLUMN, when=lambda _: _OWN.matches(pe))]
    expect_close(
        pe[k:],
        shifted,
        Text(
            "PE(pos + 5) against R(5 ω) PE(pos)",
            "PE(pos + 5) comparado com R(5 ω) PE(pos)",
        ),
        mistakes=wrong,
    )


_OWN = Mistake(OWN_COLUMN, value=table(40, 8, exponent=lambda c: c / 8))


@check(
    points=2,
    hint=Text(
        "x + Tensor(table[:L]): the (L, d) table broadcasts over B, and the "
        "gradient reaches x unchanged",
        "x + Tensor(table[:L]): a tabela (L, d) se expande sobre B, e o gradiente "
        "chega a x sem mudar",
    ),
)
def add_to_embeddings(run):
    x = run.rng.standard_normal((2, 6, 8))
    got = expect_tensor(
        run.value(student.add_positional_encoding(tensor(x))),
        Text("the result", "o resultado"),
    )
    expect_close(got, x + table(6, 8), "add_positional_encoding(x)", rtol=1e-5)
    g = run.rng.standard_normal((2, 3, 4))
    xt = tensor(run.rng.standard_normal((2, 3, 4)), grad=True)
    expr = student.add_positional_encoding(xt)
    _, grads = differentiate(run, expr, g, [xt], "add_positional_encoding(x)")
    expect_grads(grads, [g], ["x"])
