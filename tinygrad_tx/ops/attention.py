"""Scaled dot-product attention as one op with a hand-derived backward.

The same function composed from primitive ops (matmul, masked_fill, softmax,
dropout) is `tinygrad_tx.composed.attention`; the tests check that both agree
in values and gradients, and `python cli.py bench model` compares their time
and memory. Call it as `tinygrad_tx.functional.attention`.
"""

from __future__ import annotations

import math

from ..arguments import check_attention_shapes
from ..backend import get_array_module, matmul_into
from ..function import Function


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

    Layout: the (..., Lq, Lk) arrays (S, then P in its place, and dP, dS) lie
    with the keys outermost in memory (`_scores_like`): NumPy's maximum and sum
    over the keys then add whole contiguous rows, several times faster than
    short rows of Lk numbers, and BLAS reads such matrices as they lie.

    Saves Q, K, V and O (held by the graph anyway), P, and the dropout `keep`
    mask (laid out like P) as booleans: one (Lq, Lk) float array. The
    composed version keeps four until backward (the graph holds every
    intermediate): Q Kᵀ, its scaled and masked copies, and P (with dropout
    also the float mask and P̃).

    `weights_to`, a list, receives P: Function.apply returns a single tensor,
    and this is how the caller gets the weights for plots without a second op.
    """

    name = "attention"

    def forward(self, q, k, v, mask=None, keep=None, dropout_p=0.0, weights_to=None):
        check_attention_shapes("attention", q.shape, k.shape, v.shape)
        self.applies_mask = mask is not None
        out = attend(self, q, k, v, mask, keep, dropout_p)  # (..., Lq, Dv)
        if weights_to is not None:
            weights_to.append(self.p)  # P (..., Lq, Lk)
        return out

    def backward(self, grad_out):
        return attend_backward(self, grad_out, self.needs_input_grad)


# ------------------------------------------------------------------ the steps
# Shared with the multi-head op (multi_head.py), which runs them on views of
# its inputs and writes the results into views of its outputs (`out`, `into`).


def attend(fn, q, k, v, mask, keep, dropout_p, out=None):
    """O = P̃ V from q (..., Lq, D), k (..., Lk, D), v (..., Lk, Dv), written
    into `out` when given; saves on `fn` what `attend_backward` needs."""
    xp = get_array_module(q)
    fn.scale = q.dtype.type(1 / math.sqrt(q.shape[-1]))  # s = 1/√D
    p = _scores_like(q, k, q.dtype, xp)
    matmul_into(q, k.swapaxes(-1, -2), p)  # Q Kᵀ = S / s  (..., Lq, Lk)
    if mask is not None:
        xp.copyto(p, -xp.inf, where=~mask)  # masked: -inf, so P = 0 there
    _softmax_over_keys(p, fn.scale, xp)  # P = softmax(s Q Kᵀ), in place
    if keep is not None:  # M laid out like P: products of arrays that lie
        keep_like_p = _scores_like(q, k, bool, xp)  # alike are several times
        xp.copyto(keep_like_p, keep)  # faster
        keep = keep_like_p
    fn.q, fn.k, fn.v, fn.p, fn.keep = q, k, v, p, keep
    fn.dropout_scale = q.dtype.type(1 / (1 - dropout_p))
    fn.out = matmul_into(_dropped(fn), v, out)  # O = P̃ V
    return fn.out


def attend_backward(fn, grad_out, needs, into=(None, None, None)):
    """(dQ, dK, dV) for G = grad_out (..., Lq, Dv), each written into the
    matching array of `into` when given; None where `needs` says no."""
    xp = get_array_module(grad_out)
    g, p, s = grad_out, fn.p, fn.scale
    d_q = d_k = d_v = None
    if needs[2]:
        d_v = matmul_into(_dropped(fn).swapaxes(-1, -2), g, into[2])  # dV = P̃ᵀ G
    d_p = _scores_like(g, fn.v, g.dtype, xp)
    matmul_into(g, fn.v.swapaxes(-1, -2), d_p)  # G Vᵀ
    if fn.keep is not None:
        d_p *= fn.keep
        d_p *= fn.dropout_scale  # dP = (G Vᵀ) ⊙ M,  M = keep / (1 - p)
    delta = xp.einsum("...d,...d->...", g, fn.out)[..., None]  # Δ = rowsum(G ⊙ O)
    d_s = _softmax_backward(p, d_p, delta)  # dS = P ⊙ (dP - Δ)
    if needs[0]:
        d_q = matmul_into(d_s, fn.k, into[0])
        d_q *= s  # dQ = s dS K
    if needs[1]:
        d_k = matmul_into(d_s.swapaxes(-1, -2), fn.q, into[1])
        d_k *= s  # dK = s dSᵀ Q
    return d_q, d_k, d_v


def _softmax_backward(p, d_p, delta):
    """dS = P ⊙ (dP - Δ), written over dP (an (Lq, Lk) array per head that is
    not needed after this: no third one is allocated)."""
    d_p -= delta
    d_p *= p
    return d_p


def _scores_like(queries, keys, dtype, xp):
    """A new (..., Lq, Lk) array for queries (..., Lq, ·) and keys (..., Lk, ·) whose
    memory runs keys-outermost, (Lk, ..., Lq): reductions over the keys then
    combine contiguous rows of B·H·Lq numbers (several times faster in NumPy
    than rows of Lk numbers), and BLAS reads each head's matrix as it lies."""
    batch, len_q, len_k = queries.shape[:-2], queries.shape[-2], keys.shape[-2]
    buffer = xp.empty((len_k, *batch, len_q), dtype=dtype)  # keys outermost
    return xp.moveaxis(buffer, 0, -1)  # the (..., Lq, Lk) view of it


def _dropped(fn):
    """P̃ = P ⊙ M, M = keep / (1 - p): inverted dropout (P itself without it)."""
    if fn.keep is None:
        return fn.p
    p_dropped = fn.p * fn.keep
    p_dropped *= fn.dropout_scale
    return p_dropped


def _softmax_over_keys(scores, scale, xp):
    """P from Q Kᵀ in place: P_ij = exp(s (S_ij - m_i)) / Σ_j exp(s (S_ij - m_i))
    with m_i the row maximum (softmax is shift-invariant, and s > 0, so every
    exponent is <= 0: no overflow). Rows that are all -inf (every key masked)
    become all 0 instead of NaN."""
    row_max = scores.max(axis=-1, keepdims=True)  # (..., Lq, 1)
    fully_masked = xp.isneginf(row_max)
    xp.copyto(row_max, 0, where=fully_masked)  # exp(-inf - 0) = 0 along the row
    scores -= row_max
    scores *= scale
    xp.exp(scores, out=scores)
    total = scores.sum(axis=-1, keepdims=True)
    xp.copyto(total, 1, where=fully_masked)  # 0 / 1 = 0 rather than 0 / 0
    scores *= 1 / total  # one division per row, then multiplications
