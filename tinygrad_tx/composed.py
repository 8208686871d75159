"""Reference compositions of the fused ops, from primitive ops only.

`tinygrad_tx.functional` runs softmax, log_softmax, layer_norm, cross_entropy,
linear_relu, add_layer_norm, attention and multi_head_attention as single ops
with hand-derived backward passes (fast, few graph nodes). Here the same
functions are spelled out with matmul, exp, sum, max, log, mean, var, sqrt,
masked_fill, reshape and indexing, so autograd derives their backward from the
primitives. The tests check that both agree in values and gradients (dropout
included: both draw the same masks from the same seed); lessons draw both
graphs to show what fusing saves.
"""

from __future__ import annotations

import math

import numpy as np

from .arguments import attention_mask, check_attention_shapes, check_probability
from .backend import get_array_module, to_numpy
from .functional import dropout
from .tensor import Tensor


def softmax(x: Tensor, axis: int = -1) -> Tensor:
    """exp(x - max x) / Σ exp(x - max x): the max is a constant (detached), as
    softmax does not depend on it."""
    e = (x - x.max(axis=axis, keepdims=True).detach()).exp()
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(x: Tensor, axis: int = -1) -> Tensor:
    """x - max x - log Σ exp(x - max x)."""
    shifted = x - x.max(axis=axis, keepdims=True).detach()
    return shifted - shifted.exp().sum(axis=axis, keepdims=True).log()


def layer_norm(
    x: Tensor,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """(x - mean) / √(var + eps) * weight + bias, over the last axis."""
    x_hat = (x - x.mean(axis=-1, keepdims=True)) / (
        x.var(axis=-1, keepdims=True) + eps
    ).sqrt()
    if weight is not None:
        x_hat = x_hat * weight
    return x_hat + bias if bias is not None else x_hat


def cross_entropy(
    logits: Tensor,
    target,
    ignore_index: int | None = None,
    label_smoothing: float = 0.0,
    reduction: str = "mean",
) -> Tensor:
    """-Σ_c q_c log p_c per position, q the smoothed one-hot target; ignored
    positions count 0; then the mean over counted positions, the sum, or none."""
    target = target.numpy() if isinstance(target, Tensor) else target
    target = to_numpy(target) if hasattr(target, "shape") else np.asarray(target)
    n_classes = logits.shape[-1]
    log_p = log_softmax(logits).reshape(-1, n_classes)  # (N, C)
    flat = target.reshape(-1)
    keep = np.ones(flat.shape, bool) if ignore_index is None else flat != ignore_index
    rows = Tensor(np.arange(flat.size), device=logits.device)
    classes = Tensor(np.where(keep, flat, 0), device=logits.device)
    eps = label_smoothing
    losses = -(1 - eps) * log_p[rows, classes] - (eps / n_classes) * log_p.sum(axis=-1)
    losses = losses * Tensor(keep, device=logits.device, dtype=logits.dtype)  # (N,)
    if reduction == "none":
        return losses.reshape(target.shape)
    if reduction == "sum":
        return losses.sum()
    return losses.sum() / max(int(keep.sum()), 1)


def linear_relu(x: Tensor, weight: Tensor, bias=None, dropout_p: float = 0.0):
    """dropout(relu(x Wᵀ + b)): a Linear layer, its ReLU and its dropout."""
    a = x @ weight.T if bias is None else x @ weight.T + bias
    return dropout(a.relu(), dropout_p, training=dropout_p > 0)


def add_layer_norm(
    x: Tensor, s: Tensor, weight=None, bias=None, eps: float = 1e-5, dropout_p=0.0
) -> Tensor:
    """LayerNorm(x + dropout(s)): post-norm's residual connection and norm."""
    u = x + dropout(s, dropout_p, training=dropout_p > 0)
    return layer_norm(u, weight, bias, eps)


def attention(q: Tensor, k: Tensor, v: Tensor, mask=None, dropout_p: float = 0.0):
    """(dropout(softmax(Q Kᵀ / √D)) V, softmax(Q Kᵀ / √D)), op by op.

    Shapes and mask as `functional.attention`; here `weights` is a node of the
    graph (differentiable), not a constant.
    """
    check_attention_shapes("attention", q.shape, k.shape, v.shape)
    check_probability("attention", "dropout_p", dropout_p)
    mask = attention_mask("attention", mask, (*q.shape[:-1], k.shape[-2]), q.device)
    scores = (q @ k.swapaxes(-1, -2)) / math.sqrt(q.shape[-1])  # (..., Lq, Lk)
    if mask is None:
        weights = scores.softmax(axis=-1)
    else:
        # A row with no allowed key is filled with 0, not -inf (its softmax would
        # be 0/0 = NaN), and zeroed after the softmax.
        row_has_key = mask.any(axis=-1, keepdims=True)
        weights = scores.masked_fill(~mask & row_has_key, -math.inf).softmax(axis=-1)
        if not bool(get_array_module(mask).all(row_has_key)):
            weights = weights.masked_fill(~mask, 0.0)
    dropped = dropout(weights, dropout_p, training=dropout_p > 0)
    return dropped @ v, weights  # (..., Lq, Dv), (..., Lq, Lk)


def multi_head_attention(
    q: Tensor, k: Tensor, v: Tensor, n_heads: int, mask=None, dropout_p: float = 0.0
):
    """Concat(head_1, ..., head_H), head_h = attention(Q_h, K_h, V_h), op by op.

    q (B, Lq, H·D), k and v (B, Lk, H·D): the projected queries, keys and
    values; Q_h is the h-th block of D columns of q. Returns (out (B, Lq, H·D),
    weights (B, H, Lq, Lk)). The mask broadcasts to (B, H, Lq, Lk).
    """
    batch, len_q, d_model = q.shape
    if d_model % n_heads:
        raise ValueError(
            f"multi_head_attention: {d_model} features do not split into "
            f"{n_heads} heads"
        )
    # 1) split d_model into H heads of size D
    heads = [_split_heads(t, n_heads) for t in (q, k, v)]  # (B, H, L, D) each
    # 2) attend, every head at once
    out, weights = attention(*heads, mask, dropout_p)  # (B, H, Lq, D)
    # 3) concatenate the heads
    return out.transpose(0, 2, 1, 3).reshape(batch, len_q, d_model), weights


def _split_heads(x: Tensor, n_heads: int) -> Tensor:
    batch, length, d_model = x.shape
    x = x.reshape(batch, length, n_heads, d_model // n_heads)  # (B, L, H, D)
    return x.transpose(0, 2, 1, 3)  # (B, H, L, D)
