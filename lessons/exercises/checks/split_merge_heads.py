"""Checks for split_merge_heads: each head against a slice of the features, the
round trip, the error for bad sizes, gradients, and the transformer package's
MultiHeadAttention rebuilt from your two functions."""

import numpy as np

from tinygrad_tx import Tensor, no_grad
from tinygrad_tx.grading.checks import (
    check,
    expect_close,
    expect_gradcheck,
    expect_tensor,
    fail,
    rng,
)
from transformer.attention import MultiHeadAttention, scaled_dot_product_attention


def _split(ex, x, n_heads):
    return expect_tensor(ex.split_heads(x, n_heads), "split_heads's result")


@check(points=3, hint="head h is x[:, :, h·D:(h+1)·D]: reshape to (B, T, H, D) first")
def heads_are_feature_slices(ex):
    x = rng(0).standard_normal((2, 5, 12))
    heads = _split(ex, Tensor(x), 3)
    want = np.stack([x[:, :, h * 4 : (h + 1) * 4] for h in range(3)], axis=1)
    expect_close(heads, want, "split_heads(x, 3) of a (2, 5, 12) x")


@check(points=2, hint="undo the steps in reverse: transpose back, then reshape")
def merge_inverts_split(ex):
    x = rng(1).standard_normal((2, 5, 12))
    heads = np.stack([x[:, :, h * 3 : (h + 1) * 3] for h in range(4)], axis=1)
    got = expect_tensor(ex.merge_heads(Tensor(heads)), "merge_heads's result")
    expect_close(got, x, "merge_heads of 4 heads of size 3")


@check(points=1, hint="raise ValueError naming d_model and n_heads")
def indivisible_d_model(ex):
    try:
        ex.split_heads(Tensor(np.zeros((1, 2, 10))), 3)
    except ValueError as exc:
        if "10" not in str(exc) or "3" not in str(exc):
            fail(f"the ValueError should name d_model = 10 and n_heads = 3: {exc}")
        return
    fail("split_heads of d_model = 10 into 3 heads should raise ValueError")


@check(points=2, hint="use Tensor reshape/transpose, not .numpy(), so gradients flow")
def gradients_flow(ex):
    x = Tensor(rng(2).standard_normal((2, 3, 6)), requires_grad=True)
    scale = Tensor(rng(3).standard_normal((1, 2, 1, 3)))
    expect_gradcheck(
        lambda x: ex.merge_heads(_split(ex, x, 2) * scale), [x], "merge(split(x) * s)"
    )


@check(points=2, hint="project, split, attend, merge, then w_o")
def rebuilds_multi_head_attention(ex):
    mha = MultiHeadAttention(d_model=8, n_heads=2)
    x = Tensor(rng(4).standard_normal((2, 5, 8)).astype(np.float32))
    with no_grad():
        want = mha(x, x, x)
        q, k, v = (_split(ex, w(x), 2) for w in (mha.w_q, mha.w_k, mha.w_v))
        out, _ = scaled_dot_product_attention(q, k, v)
        got = mha.w_o(ex.merge_heads(out))
    expect_close(
        got,
        want.numpy(),
        "MultiHeadAttention with your split and merge",
        rtol=1e-5,
        atol=1e-6,
    )
