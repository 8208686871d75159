"""Scaled dot-product attention, written with Tensor ops.

Lesson 7 (scaled dot-product attention). Each query compares itself with every
key, the scores become weights through a softmax, and the query's output is the
weighted sum of the values.

Task
----
Write `scaled_dot_product_attention(q, k, v, mask=None)` returning the pair
(out, weights), both Tensors, using Tensor operations only (matmul, division,
masked_fill, softmax), so that autograd gives the backward for free.

    q (..., Lq, D)   k (..., Lk, D)   v (..., Lk, Dv)
    weights (..., Lq, Lk)   out (..., Lq, Dv)

The leading axes (...) are batch and heads, e.g. (B, H). `mask`, when given, is
a boolean Tensor that broadcasts to (..., Lq, Lk), True where a query may look
at a key; every query is allowed at least one key.

The math
--------
    scores  = q kᵀ / √D                    (..., Lq, Lk)
    weights = softmax(scores) along the keys (the last axis)
    out     = weights v

Where the mask is False the score is replaced by -inf (or a very negative number)
before the softmax, so that key's weight is exactly 0.

The slides' example: dot products 112 and 96 with D = 64 give scores 14 and 12
and weights 0.88 and 0.12.

Hints
-----
- `k.swapaxes(-1, -2)` transposes the last two axes, whatever the leading ones.
- Divide by √D, not by D: the dot product of two random unit-variance vectors of
  size D has variance D, and √D brings it back to 1 so the softmax does not
  saturate.
- `scores.masked_fill(mask, value)` puts value where mask is True: you want the
  opposite of the attention mask (`~mask` on its array, or `mask == False`).

Check your work: python cli.py exercise check scaled_dot_product_attention
"""

import math

from tinygrad_tx import Tensor


def scaled_dot_product_attention(q: Tensor, k: Tensor, v: Tensor, mask=None):
    """(out, weights) = (softmax(q kᵀ / √D) v, the softmax)."""
    # 1) scores q kᵀ / √D; 2) -inf where mask is False; 3) softmax over the
    # keys; 4) weighted sum of the values. Return (out, weights).
    ### BEGIN SOLUTION
    d = q.shape[-1]
    scores = (q @ k.swapaxes(-1, -2)) / math.sqrt(d)  # (..., Lq, Lk)
    if mask is not None:
        blocked = ~(mask.data if isinstance(mask, Tensor) else mask)
        scores = scores.masked_fill(blocked, -math.inf)
    weights = scores.softmax(axis=-1)  # (..., Lq, Lk)
    return weights @ v, weights  # (..., Lq, Dv)
    ### END SOLUTION
