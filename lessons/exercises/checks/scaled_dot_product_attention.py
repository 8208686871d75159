"""Checks for scaled_dot_product_attention: the slides' 0.88 / 0.12, values
against the transformer package's attention, masks, and a gradient check."""

import numpy as np

from tinygrad_tx import Tensor
from tinygrad_tx.grading.checks import (
    check,
    expect_close,
    expect_equal,
    expect_gradcheck,
    expect_tensor,
    expect_type,
    fail,
    rng,
)
from transformer.attention import scaled_dot_product_attention as reference


def _call(ex, q, k, v, mask=None):
    """The student's (out, weights), each checked to be a Tensor."""
    result = ex.scaled_dot_product_attention(q, k, v, mask)
    expect_type(result, tuple, "scaled_dot_product_attention's result")
    if len(result) != 2:
        fail(
            f"scaled_dot_product_attention should return (out, weights), got "
            f"{len(result)} values"
        )
    out, weights = result
    return expect_tensor(out, "out"), expect_tensor(weights, "weights")


def _qkv(seed, lead=(2, 3), lq=4, lk=5, d=8, dv=6):
    q = rng(seed).standard_normal((*lead, lq, d))
    k = rng(seed + 1).standard_normal((*lead, lk, d))
    v = rng(seed + 2).standard_normal((*lead, lk, dv))
    return Tensor(q), Tensor(k), Tensor(v)


def _against_reference(ex, q, k, v, mask, what):
    out, weights = _call(ex, q, k, v, mask)
    want_out, want_weights = reference(q, k, v, mask)
    expect_close(weights, want_weights.numpy(), f"weights {what}")
    expect_close(out, want_out.numpy(), f"out {what}")
    return weights


@check(points=2, hint="scores 112/√64 = 14 and 96/√64 = 12; softmax gives 0.88, 0.12")
def slides_example(ex):
    q = Tensor(np.ones((1, 64)))
    k = Tensor(np.stack([np.full(64, 112 / 64), np.full(64, 96 / 64)]))
    v = Tensor(np.array([[1.0, 0.0], [0.0, 1.0]]))
    out, weights = _call(ex, q, k, v)
    e = np.exp(2.0)
    want = np.array([[e / (1 + e), 1 / (1 + e)]])  # softmax([14, 12]) = 0.8808, 0.1192
    expect_close(weights, want, "weights for dot products 112 and 96, D = 64")
    expect_close(out, want, "out = 0.88 v1 + 0.12 v2 with v1, v2 one-hot")


@check(points=3, hint="softmax(q kᵀ / √D) over the last axis, then @ v")
def batched_heads(ex):
    q, k, v = _qkv(0)
    _against_reference(ex, q, k, v, None, "for (B, H) = (2, 3), Lq = 4, Lk = 5")


@check(points=2, hint="masked_fill the scores with -inf where the mask is False")
def masked(ex):
    q, k, v = _qkv(3, lq=4, lk=4)
    mask = Tensor(np.tril(np.ones((4, 4), dtype=bool)))
    weights = _against_reference(ex, q, k, v, mask, "with a causal (4, 4) mask")
    above = weights.numpy()[..., ~mask.numpy()]
    expect_equal(above, np.zeros_like(above), "weights where the mask is False")


@check(points=3, hint="gradcheck names the input: 0 = q, 1 = k, 2 = v")
def gradcheck_qkv(ex):
    q, k, v = _qkv(6, lead=(2,), lq=3, lk=4, d=4, dv=3)
    mask = Tensor(np.array([True, True, False, True]))
    for t in (q, k, v):
        t.requires_grad_(True)
    expect_gradcheck(
        lambda q, k, v: _call(ex, q, k, v, mask)[0], [q, k, v], "attention's out"
    )
