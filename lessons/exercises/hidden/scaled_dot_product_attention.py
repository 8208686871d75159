"""Hidden checks for scaled_dot_product_attention (grade-all only): a padding
mask that broadcasts over heads and queries, large scores, no batch axes."""

import numpy as np

from tinygrad_tx import Tensor
from tinygrad_tx.grading.checks import check, expect_close, rng
from transformer.attention import scaled_dot_product_attention as reference


@check(points=1, hint="a (B, 1, 1, Lk) padding mask broadcasts over heads and queries")
def padding_mask_broadcast(ex):
    q = Tensor(rng(70).standard_normal((2, 2, 3, 4)))
    k = Tensor(rng(71).standard_normal((2, 2, 5, 4)))
    v = Tensor(rng(72).standard_normal((2, 2, 5, 4)))
    mask = Tensor(
        np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], dtype=bool)[:, None, None]
    )
    out, weights = ex.scaled_dot_product_attention(q, k, v, mask)
    want_out, want_weights = reference(q, k, v, mask)
    expect_close(weights, want_weights.numpy(), "weights with a padding mask")
    expect_close(out, want_out.numpy(), "out with a padding mask")


@check(points=1, hint="the softmax must stay stable when scores reach the hundreds")
def large_scores(ex):
    q = Tensor(rng(73).standard_normal((3, 16)) * 30)
    k = Tensor(rng(74).standard_normal((6, 16)) * 30)
    v = Tensor(rng(75).standard_normal((6, 2)))
    out, _ = ex.scaled_dot_product_attention(q, k, v)
    want, _ = reference(q, k, v)
    expect_close(out, want.numpy(), "out for scores of several hundred")
