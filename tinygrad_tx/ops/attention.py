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

    Layout: the op computes and keeps Sᵀ = K Qᵀ, of shape (..., Lk, Lq), with
    the keys outermost in memory (see `_keys_outer`), and P is its transposed
    view. The softmax's maxima and sums over the keys then run over long
    contiguous rows, several times faster in NumPy than over short rows of Lk;
    dP and dS are computed the same way (dPᵀ = V Gᵀ), and every product
    takes them as they lie (BLAS reads strided matrices).

    Saves Q, K, V and O (held by the graph anyway), P, and the dropout `keep`
    mask (laid out like Pᵀ) as booleans: one (Lq, Lk) float array. The
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
            weights_to.append(self.p_t.swapaxes(-1, -2))  # P (..., Lq, Lk)
        return out

    def backward(self, grad_out):
        return attend_backward(self, grad_out, self.needs_input_grad)


# ------------------------------------------------------------------ the steps
# Shared with the multi-head op (multi_head.py), which runs them on views of
# its inputs and writes the results into views of its outputs (`out`, `into`).


def attend(fn, q, k, v, mask, keep, dropout_p, out=None):
    """O from q (..., Lq, D), k (..., Lk, D), v (..., Lk, Dv), written into
    `out` when given; saves on `fn` what `attend_backward` needs."""
    xp = get_array_module(q)
    fn.scale = q.dtype.type(1 / math.sqrt(q.shape[-1]))
    p_t = _keys_outer(k.shape[:-1] + q.shape[-2:-1], q.dtype, xp)
    matmul_into(k, q.swapaxes(-1, -2), p_t)  # Sᵀ √D = K Qᵀ: (..., Lk, Lq)
    if mask is not None:
        xp.copyto(p_t, -xp.inf, where=~_transposed(mask))
    _softmax_over_keys(p_t, fn.scale, xp)  # now Pᵀ
    if keep is not None:  # laid out like Pᵀ: products of arrays that lie alike
        keep_t = _keys_outer(p_t.shape, bool, xp)  # are several times faster
        xp.copyto(keep_t, _transposed(keep))
        keep = keep_t
    fn.q, fn.k, fn.v, fn.p_t, fn.keep_t = q, k, v, p_t, keep
    fn.dropout_scale = q.dtype.type(1 / (1 - dropout_p))
    fn.out = matmul_into(_dropped_t(fn).swapaxes(-1, -2), v, out)  # P̃ V
    return fn.out


def attend_backward(fn, grad_out, needs, into=(None, None, None)):
    """(dQ, dK, dV) for G = grad_out (..., Lq, Dv), each written into the
    matching array of `into` when given; None where `needs` says no."""
    xp = get_array_module(grad_out)
    grad_q = grad_k = grad_v = None
    if needs[2]:
        grad_v = matmul_into(_dropped_t(fn), grad_out, into[2])  # P̃ᵀ G
    grad_s_t = _keys_outer(fn.p_t.shape, fn.p_t.dtype, xp)
    matmul_into(fn.v, grad_out.swapaxes(-1, -2), grad_s_t)  # dP̃ᵀ = V Gᵀ
    if fn.keep_t is not None:
        grad_s_t *= fn.keep_t
        grad_s_t *= fn.dropout_scale  # dPᵀ = dP̃ᵀ ⊙ Mᵀ
    delta = xp.einsum("...d,...d->...", grad_out, fn.out)  # Δ = rowsum(G ⊙ O)
    grad_s_t -= delta[..., None, :]
    grad_s_t *= fn.p_t  # dSᵀ = Pᵀ ⊙ (dPᵀ - Δ)
    grad_s_t *= fn.scale  # s dSᵀ
    if needs[0]:
        grad_q = matmul_into(grad_s_t.swapaxes(-1, -2), fn.k, into[0])  # s dS K
    if needs[1]:
        grad_k = matmul_into(grad_s_t, fn.q, into[1])  # s dSᵀ Q
    return grad_q, grad_k, grad_v


def _keys_outer(shape_t: tuple, dtype, xp):
    """A new array of shape (..., Lk, Lq) whose memory runs keys-outermost,
    (Lk, ..., Lq): a maximum or a sum over the keys then combines whole
    contiguous rows of B·H·Lq numbers, several times faster in NumPy than
    short rows of Lk numbers, and BLAS reads each head's (Lk, Lq) matrix
    with its rows B·H·Lq numbers apart as well as any other."""
    buffer = xp.empty((shape_t[-2], *shape_t[:-2], shape_t[-1]), dtype=dtype)
    return xp.moveaxis(buffer, 0, -2)


def _dropped_t(fn):
    """P̃ᵀ = Pᵀ ⊙ keepᵀ / (1 - p): inverted dropout (Pᵀ itself without it)."""
    if fn.keep_t is None:
        return fn.p_t
    p_dropped = fn.p_t * fn.keep_t
    p_dropped *= fn.dropout_scale
    return p_dropped


def _transposed(mask):
    """The mask (or dropout mask) with its last two axes swapped, to lie like
    Sᵀ; a mask over keys only, (Lk,), is the row (1, Lk) first."""
    return (mask if mask.ndim >= 2 else mask[None, :]).swapaxes(-1, -2)


def _softmax_over_keys(scores_t, scale, xp):
    """Pᵀ from Sᵀ √D in place: P_ij = exp(s (S_ij - m_i)) / Σ_j exp(s (S_ij - m_i))
    with m_i the row maximum (softmax is shift-invariant, and s > 0, so every
    exponent is <= 0: no overflow). Keys run along axis -2 here. Rows that are
    all -inf (every key masked) become all 0 instead of NaN."""
    row_max = scores_t.max(axis=-2, keepdims=True)  # (..., 1, Lq)
    fully_masked = xp.isneginf(row_max)
    xp.copyto(row_max, 0, where=fully_masked)  # exp(-inf - 0) = 0 along the row
    scores_t -= row_max
    scores_t *= scale
    xp.exp(scores_t, out=scores_t)
    total = scores_t.sum(axis=-2, keepdims=True)
    xp.copyto(total, 1, where=fully_masked)  # 0 / 1 = 0 rather than 0 / 0
    scores_t *= 1 / total  # one division per row, then multiplications
