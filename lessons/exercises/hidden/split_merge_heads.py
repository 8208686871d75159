"""Hidden checks for split_merge_heads (grade-all only): one head, one feature
per head, a sequence of length 1."""

import numpy as np

from tinygrad_tx import Tensor
from tinygrad_tx.grading.checks import check, expect_close, rng


@check(points=1, hint="H = 1 and H = d_model are legal: D = d_model and D = 1")
def extreme_head_counts(ex):
    x = rng(90).standard_normal((1, 3, 6))
    for n_heads in (1, 6):
        d = 6 // n_heads
        want = np.stack([x[:, :, h * d : (h + 1) * d] for h in range(n_heads)], axis=1)
        expect_close(ex.split_heads(Tensor(x), n_heads), want, f"{n_heads} heads")


@check(points=1, hint="T = 1 must keep its axis: reshape with the sizes, not -1 tricks")
def single_position(ex):
    x = rng(91).standard_normal((3, 1, 4))
    back = ex.merge_heads(ex.split_heads(Tensor(x), 2))
    expect_close(back, x, "merge_heads(split_heads(x)) for T = 1")
