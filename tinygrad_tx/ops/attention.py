"""Scaled dot-product attention as one op with a hand-derived backward.

The same function composed from primitive ops (matmul, masked_fill, softmax,
dropout) is `transformer.attention.scaled_dot_product_attention(fused=False)`;
the tests check that both agree in values and gradients, and
`python cli.py bench model` compares their time and memory.
"""

from __future__ import annotations

import math

from ..backend import get_array_module
from ..function import Function


def attention(q, k, v, mask=None, keep=None, dropout_p: float = 0.0):
    """(out, weights) from one Attention op, for Tensors q, k, v.

    `weights` (P, before dropout) is a constant tensor sharing the op's array:
    for plots and inspection, with no gradient of its own.
    """
    from ..tensor import Tensor  # tensor.py imports the ops

    weights = []
    out = Attention.apply(
        q, k, v, mask=mask, keep=keep, dropout_p=dropout_p, weights_to=weights
    )
    return out, Tensor._from_op(weights[0], q.device, False)


class Attention(Function):
    """O = dropout(P) V,   P = softmax(S) along the keys,   S = mask(Q Kᵀ / √D).

    Shapes: Q (..., Lq, D), K (..., Lk, D), V (..., Lk, Dv) -> O (..., Lq, Dv);
    the leading axes (B, H) must be equal. `mask` (boolean, True where a query
    may look at a key) broadcasts to (..., Lq, Lk); S is -inf where it is False,
    so P is exactly 0 there. A query row with no allowed key gets P = 0 (zero
    weights, output 0) instead of the 0/0 = NaN that softmax would give.

    `keep` (boolean, the shape of P) is attention dropout: P̃ = P ⊙ M with
    M = keep / (1 - p); without it P̃ = P.

    Backward, with G = dL/dO and s = 1/√D:

        dV = P̃ᵀ G                      (O is linear in V)
        dP = (G Vᵀ) ⊙ M                (through the product, then the dropout)
        dS = P ⊙ (dP - Δ),  Δ_i = Σ_j dP_ij P_ij      (softmax's Jacobian, per row)
        dQ = s dS K,        dK = s dSᵀ Q              (S = s Q Kᵀ)

    Δ needs no (Lq, Lk) temporary: Σ_j P̃_ij (G Vᵀ)_ij = Σ_d G_id (P̃ V)_id, so
    Δ = rowsum(G ⊙ O) (the trick FlashAttention uses). Masked entries have
    P = 0, hence dS = 0: no gradient reaches a score the query may not see.

    Saves Q, K, V and O (held by the graph anyway), P, and the dropout `keep`
    mask as booleans: one (Lq, Lk) float array. The composed version keeps
    four until backward (the graph holds every intermediate): Q Kᵀ, its scaled
    and masked copies, and P (with dropout also the float mask and P̃).

    `weights_to`, a list, receives P: Function.apply returns a single tensor,
    and this is how the caller gets the weights for plots without a second op.
    """

    name = "attention"

    def forward(self, q, k, v, mask=None, keep=None, dropout_p=0.0, weights_to=None):
        check_attention_shapes(q.shape, k.shape, v.shape, "attention")
        xp = get_array_module(q)
        self.applies_mask = mask is not None
        self.scale = q.dtype.type(1 / math.sqrt(q.shape[-1]))
        scores = (q * self.scale) @ k.swapaxes(-1, -2)  # (..., Lq, Lk)
        if mask is not None:
            xp.copyto(scores, -xp.inf, where=~mask)
        p = _softmax_in_place(scores, xp)
        self.q, self.k, self.v, self.p, self.keep = q, k, v, p, keep
        self.dropout_scale = q.dtype.type(1 / (1 - dropout_p))
        if weights_to is not None:
            weights_to.append(p)
        self.out = _dropped(p, keep, self.dropout_scale) @ v  # (..., Lq, Dv)
        return self.out

    def backward(self, grad_out):
        q, k, v, p, keep = self.q, self.k, self.v, self.p, self.keep
        grad_q = grad_k = grad_v = None
        if self.needs_input_grad[2]:
            p_dropped = _dropped(p, keep, self.dropout_scale)
            grad_v = p_dropped.swapaxes(-1, -2) @ grad_out  # P̃ᵀ G
        grad_s = grad_out @ v.swapaxes(-1, -2)  # dP̃ = G Vᵀ
        if keep is not None:
            grad_s *= keep
            grad_s *= self.dropout_scale  # dP = dP̃ ⊙ M
        delta = (grad_out * self.out).sum(axis=-1, keepdims=True)  # Δ = rowsum(G ⊙ O)
        grad_s -= delta
        grad_s *= p  # dS = P ⊙ (dP - Δ)
        if self.needs_input_grad[0]:
            grad_q = (grad_s @ k) * self.scale
        if self.needs_input_grad[1]:
            grad_k = (grad_s.swapaxes(-1, -2) @ q) * self.scale
        return grad_q, grad_k, grad_v


def _dropped(p, keep, scale):
    """P̃ = P ⊙ keep / (1 - p): inverted dropout on the weights (P itself without it)."""
    if keep is None:
        return p
    p_dropped = p * keep
    p_dropped *= scale
    return p_dropped


def _softmax_in_place(scores, xp):
    """softmax along the last axis, overwriting `scores`; rows that are all -inf
    (every key masked) become all 0 instead of NaN."""
    row_max = scores.max(axis=-1, keepdims=True)
    fully_masked = xp.isneginf(row_max)
    if fully_masked.any():
        row_max[fully_masked] = 0  # exp(-inf - 0) = 0 for every entry of the row
    scores -= row_max  # shift-invariant: every exponent <= 0, no overflow
    xp.exp(scores, out=scores)
    total = scores.sum(axis=-1, keepdims=True)
    if fully_masked.any():
        total[fully_masked] = 1  # 0 / 1 = 0 rather than 0 / 0
    scores *= 1 / total  # one division per row, then multiplications
    return scores


def check_attention_shapes(q: tuple, k: tuple, v: tuple, where: str) -> None:
    """Raise a ValueError naming the shapes unless Q (..., Lq, D), K (..., Lk, D)
    and V (..., Lk, Dv) fit together."""
    shapes = f"q {tuple(q)}, k {tuple(k)}, v {tuple(v)}"
    if len(q) < 2 or len(q) != len(k) or len(k) != len(v):
        raise ValueError(
            f"{where}: q, k, v must have the same number of axes (at least 2), "
            f"got {shapes}"
        )
    if q[:-2] != k[:-2] or k[:-2] != v[:-2]:
        raise ValueError(
            f"{where}: q, k, v must share their leading (batch, head) axes, "
            f"got {shapes}"
        )
    if q[-1] != k[-1]:
        raise ValueError(
            f"{where}: queries and keys must have the same size D to be compared, "
            f"got {shapes} ({q[-1]} != {k[-1]})"
        )
    if k[-2] != v[-2]:
        raise ValueError(
            f"{where}: each key needs one value, got {shapes} "
            f"({k[-2]} keys, {v[-2]} values)"
        )
