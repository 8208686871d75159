"""Hidden checks for scaled_dot_product_attention (grade-all only): a padding mask
that broadcasts over heads and queries, and large scores; inputs drawn at
grading time, expected values from the answer key in the grader."""

import numpy as np

from tinygrad_tx.grading.checks import check
from tinygrad_tx.grading.expect import expect_close, expect_tensor, expect_tuple
from tinygrad_tx.grading.expr import student, tensor
from tinygrad_tx.grading.i18n import Text


def _against_key(run, q, k, v, mask, what):
    expr = student.scaled_dot_product_attention(*map(tensor, (q, k, v)), mask)
    got = expect_tuple(run.value(expr), 2, "(out, weights)")
    want_out, want_weights = run.expected(expr)
    weights = expect_tensor(got[1], "weights")
    expect_close(weights, want_weights.array, f"weights {what}")
    expect_close(expect_tensor(got[0], "out"), want_out.array, f"out {what}")


@check(
    points=1,
    hint=Text(
        "a (B, 1, 1, Lk) padding mask broadcasts over heads and queries",
        "uma máscara de padding (B, 1, 1, Lk) se expande sobre cabeças e queries",
    ),
)
def padding_mask_broadcast(run):
    q = run.rng.standard_normal((2, 2, 3, 4))
    k = run.rng.standard_normal((2, 2, 5, 4))
    v = run.rng.standard_normal((2, 2, 5, 4))
    lengths = run.rng.integers(1, 6, 2)
    mask = (np.arange(5) < lengths[:, None])[:, None, None]  # (B, 1, 1, Lk)
    _against_key(
        run,
        q,
        k,
        v,
        tensor(mask),
        Text("with a padding mask", "com uma máscara de padding"),
    )


@check(
    points=1,
    hint=Text(
        "the softmax must stay stable when scores reach the hundreds",
        "a softmax precisa continuar estável quando os scores chegam às centenas",
    ),
)
def large_scores(run):
    q = run.rng.standard_normal((3, 16)) * 30
    k = run.rng.standard_normal((6, 16)) * 30
    v = run.rng.standard_normal((6, 2))
    _against_key(
        run,
        q,
        k,
        v,
        None,
        Text("for scores of several hundred", "para scores de várias centenas"),
    )
