"""Embedding lookup and dropout: the two ops that index or mask at random."""

from __future__ import annotations

import math

import numpy as np

from ..backend import get_array_module, scatter_add
from ..function import Function


class Embedding(Function):
    """y[n] = W[ids[n]]: row ids[n] of the table W (V, D), for every id.

    Looking up row i is multiplying W by the one-hot vector of i, never built:
    y = onehot(ids) W. Backward is therefore grad_W = onehot(ids)ᵀ grad_out, which
    adds each position's gradient into the row of its id. An id used twice gets
    both gradients added (a scatter-add, not an assignment).
    """

    def forward(self, weight, ids=None):
        n_rows = weight.shape[0]
        if ids.dtype.kind not in "iu":
            raise TypeError(
                f"embedding: token ids must be integers, got dtype {ids.dtype}"
            )
        if ids.size and (int(ids.min()) < 0 or int(ids.max()) >= n_rows):
            bad = int(ids.max()) if int(ids.max()) >= n_rows else int(ids.min())
            raise IndexError(
                f"embedding: token id {bad} is out of range for a table of {n_rows} "
                f"rows (valid ids 0..{n_rows - 1})"
            )
        self.ids, self.weight_shape = ids, weight.shape
        return weight[ids]

    def backward(self, grad_out):
        xp = get_array_module(grad_out)
        grad_w = xp.zeros(self.weight_shape, dtype=grad_out.dtype)
        scatter_add(
            grad_w, self.ids.ravel(), grad_out.reshape(-1, self.weight_shape[1])
        )
        return grad_w


class Dropout(Function):
    """y = x * m / (1 - p), m_i ~ Bernoulli(1 - p): zero each element with
    probability p and scale the survivors so that E[y] = x ("inverted dropout",
    so evaluation needs no rescaling). dy/dx = m / (1 - p), the same mask.

    Saves the mask m as booleans (one byte per element, a quarter of a float).
    """

    def forward(self, x, p=0.5, rng=None):
        self.keep = keep_mask(rng, x.shape, p)
        self.scale = x.dtype.type(1 / (1 - p))
        y = x * self.keep
        y *= self.scale
        return y

    def backward(self, grad_out):
        grad_x = grad_out * self.keep
        grad_x *= self.scale
        return grad_x


def keep_mask(rng, shape: tuple, p: float):
    """Booleans of `shape`, each True with probability 1 - p: what dropout keeps.

    On the CPU each element gets 16 random bits b, kept when b >= p · 2¹⁶
    (rounded): NumPy makes raw bits about 4x faster than random floats, and
    this rounds p to a multiple of 2⁻¹⁶ (0.1 becomes 0.100006). On a GPU,
    CuPy's random floats u, kept when u >= p.
    """
    if not isinstance(rng, np.random.Generator):  # CuPy's generator
        return rng.random(shape, dtype=np.float32) >= p
    n = math.prod(shape)
    bits = rng.bit_generator.random_raw((n + 3) // 4).view(np.uint16)[:n]
    return (bits >= round(p * 2**16)).reshape(shape)
