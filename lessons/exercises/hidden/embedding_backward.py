"""Hidden checks for embedding_backward (grade-all only): one id everywhere,
float32 kept."""

import numpy as np

from tinygrad_tx import Tensor
from tinygrad_tx import functional as F
from tinygrad_tx.grading.checks import check, expect_close, fail, grads_of, rng


@check(points=1, hint="every position with the same id: the row gets the column sums")
def one_id_everywhere(ex):
    ids = np.full((3, 4), 2)
    g = rng(100).standard_normal((3, 4, 5))
    (got,) = grads_of(
        lambda w: ex.embedding(ids, w),
        [Tensor(np.zeros((4, 5)), requires_grad=True)],
        g,
    )
    want = np.zeros((4, 5))
    want[2] = g.reshape(-1, 5).sum(axis=0)
    expect_close(got, want, "dL/dweight when every id is 2")


@check(points=1, hint="the gradient keeps the table's dtype (float32 here)")
def float32_table(ex):
    ids = np.array([1, 1, 0])
    weight = rng(101).standard_normal((3, 2)).astype(np.float32)
    g = rng(102).standard_normal((3, 2)).astype(np.float32)
    (got,) = grads_of(
        lambda w: ex.embedding(ids, w), [Tensor(weight, requires_grad=True)], g
    )
    if got.dtype != np.float32:
        fail(f"dL/dweight has dtype {got.dtype}, expected float32")
    (want,) = grads_of(
        lambda w: F.embedding(ids, w), [Tensor(weight, requires_grad=True)], g
    )
    expect_close(got, want, "dL/dweight (float32)", rtol=1e-6)
