"""The fused ops as functions on Tensors (import as F), as torch.nn.functional.

This is the one entry point for every op with a hand-derived backward: each
function checks its arguments, draws the dropout mask when there is one
(`random.keep_mask`, the one place masks are drawn), and applies one op from
`tinygrad_tx.ops`, whose class documents the math, forward and backward. The
same functions built from primitive ops are in `tinygrad_tx.composed`.

    linear, linear_relu                  matrix products (ops/linalg.py)
    softmax, log_softmax                 ops/softmax.py
    layer_norm, add_layer_norm           ops/normalization.py
    cross_entropy                        ops/loss.py
    embedding, dropout                   ops/embedding.py
    attention, multi_head_attention      ops/attention.py, ops/multi_head.py
"""

from __future__ import annotations

from . import random
from .arguments import attention_mask, check_attention_shapes, check_probability
from .backend import xp_for
from .ops.attention import Attention
from .ops.embedding import Dropout, Embedding
from .ops.linalg import Linear, LinearReLU
from .ops.loss import CrossEntropy
from .ops.multi_head import HeadsAttention, check_sources
from .ops.normalization import AddLayerNorm, LayerNorm
from .ops.softmax import LogSoftmax, Softmax
from .tensor import Tensor

# ------------------------------------------------------------------ layers


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x Wᵀ + b, with W of shape (out_features, in_features)."""
    return Linear.apply(*_present(x, weight, bias))


def linear_relu(x: Tensor, weight: Tensor, bias=None, dropout_p: float = 0.0):
    """dropout(relu(x Wᵀ + b), dropout_p) as one op (a feed-forward network's
    first half): the same numbers as the three steps, the same dropout mask."""
    check_probability("linear_relu", "dropout_p", dropout_p)
    shape = (*x.shape[:-1], weight.shape[0])
    keep = random.keep_mask(x.device, shape, dropout_p)
    return LinearReLU.apply(*_present(x, weight, bias), keep=keep, dropout_p=dropout_p)


def relu(x: Tensor) -> Tensor:
    return x.relu()


def softmax(x: Tensor, axis: int = -1) -> Tensor:
    return Softmax.apply(x, axis=axis)


def log_softmax(x: Tensor, axis: int = -1) -> Tensor:
    return LogSoftmax.apply(x, axis=axis)


def layer_norm(
    x: Tensor,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise over the last axis to mean 0 and variance 1, then scale and shift."""
    return LayerNorm.apply(*_present(x, *_weight_for_bias(x, weight, bias)), eps=eps)


def add_layer_norm(
    x: Tensor, s: Tensor, weight=None, bias=None, eps: float = 1e-5, dropout_p=0.0
) -> Tensor:
    """LayerNorm(x + dropout(s, dropout_p)) as one op: post-norm's "Add & Norm",
    x the residual and s the sublayer's output; the same dropout mask as
    `dropout(s, dropout_p)`."""
    check_probability("add_layer_norm", "dropout_p", dropout_p)
    keep = random.keep_mask(x.device, s.shape, dropout_p)
    inputs = _present(x, s, *_weight_for_bias(x, weight, bias))
    return AddLayerNorm.apply(*inputs, eps=eps, keep=keep, dropout_p=dropout_p)


def embedding(ids, weight: Tensor) -> Tensor:
    """Rows of `weight` (V, D) picked by integer `ids` of any shape: (..., D)."""
    ids = _index_array(ids, weight.device)
    return Embedding.apply(weight, ids=ids)


def dropout(x: Tensor, p: float = 0.5, training: bool = True) -> Tensor:
    """Zero elements with probability p and scale the rest by 1/(1-p) while
    training; the identity in evaluation (training=False) or when p == 0."""
    check_probability("dropout", "p", p)
    if not training or p == 0.0:
        return x
    keep = random.keep_mask(x.device, x.shape, p)
    return Dropout.apply(x, keep=keep, p=p)


# ------------------------------------------------------------------ loss


def cross_entropy(
    logits: Tensor,
    target,
    ignore_index: int | None = None,
    label_smoothing: float = 0.0,
    reduction: str = "mean",
) -> Tensor:
    """Cross-entropy between logits (..., C) and integer targets (...).

    ignore_index: targets equal to it (padding) add nothing to the loss.
    label_smoothing: ε in [0, 1): the target puts 1 - ε on the class and ε/C on all.
    reduction: "mean" over the counted positions, "sum", or "none" (one per position).
    """
    check_probability("cross_entropy", "label_smoothing", label_smoothing)
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(
            f"cross_entropy: reduction must be 'mean', 'sum' or 'none', got {reduction!r}"
        )
    target = _index_array(target, logits.device)
    return CrossEntropy.apply(
        logits,
        target=target,
        ignore_index=ignore_index,
        label_smoothing=label_smoothing,
        reduction=reduction,
    )


# ------------------------------------------------------------------ attention


def attention(q: Tensor, k: Tensor, v: Tensor, mask=None, dropout_p: float = 0.0):
    """(out, weights) = (dropout(softmax(Q Kᵀ / √D)) V, the softmax) as one op.

    q (..., Lq, D), k (..., Lk, D), v (..., Lk, Dv) -> out (..., Lq, Dv).
    mask: boolean, broadcastable to (..., Lq, Lk), True where a query may look
    at a key. `weights` (..., Lq, Lk), before dropout, is a constant for plots
    and inspection: it shares the op's array and has no gradient of its own.
    """
    check_attention_shapes("attention", q.shape, k.shape, v.shape)
    check_probability("attention", "dropout_p", dropout_p)
    scores = (*q.shape[:-1], k.shape[-2])  # (..., Lq, Lk)
    mask = attention_mask("attention", mask, scores, q.device)
    keep = random.keep_mask(q.device, scores, dropout_p)
    weights = []
    out = Attention.apply(
        q, k, v, mask=mask, keep=keep, dropout_p=dropout_p, weights_to=weights
    )
    return out, Tensor._from_op(weights[0], q.device, False)


def multi_head_attention(
    sources, slots, n_heads: int, mask=None, dropout_p: float = 0.0
):
    """(out (B, Lq, H·D), weights (B, H, Lq, Lk)): H heads of `attention` as one op.

    sources: Tensors (B, L, n·H·D), each holding n of Q, K, V side by side (the
    projections of one input, made by one matrix product).
    slots: for Q, K and V in turn, (index of its source, its block there):
    self-attention [Q | K | V] is ((0, 0), (0, 1), (0, 2)); cross-attention
    with [Q] and [K | V] is ((0, 0), (1, 0), (1, 1)).
    mask broadcasts to (B, H, Lq, Lk); `weights` is a constant, as in `attention`.
    """
    check_probability("multi_head_attention", "dropout_p", dropout_p)
    check_sources(sources, slots, n_heads)  # before reading their shapes
    (q_source, _), (k_source, _) = slots[0], slots[1]
    batch, len_q = sources[q_source].shape[:2]
    scores = (batch, n_heads, len_q, sources[k_source].shape[1])  # (B, H, Lq, Lk)
    mask = attention_mask("multi_head_attention", mask, scores, sources[0].device)
    keep = random.keep_mask(sources[0].device, scores, dropout_p)
    weights = []
    out = HeadsAttention.apply(
        *sources, slots=tuple(slots), n_heads=n_heads, mask=mask, keep=keep,
        dropout_p=dropout_p, weights_to=weights,
    )  # fmt: skip
    return out, Tensor._from_op(weights[0], sources[0].device, False)


# ------------------------------------------------------------------ helpers


def _present(*tensors) -> list:
    """The inputs that were given (ops take optional weight and bias last)."""
    return [t for t in tensors if t is not None]


def _weight_for_bias(x: Tensor, weight, bias) -> tuple:
    """(weight, bias), with a weight of ones when only a bias is given (the
    ops take the bias after the weight)."""
    if bias is not None and weight is None:
        ones = xp_for(x.device).ones(x.shape[-1], dtype=x.dtype)
        weight = Tensor._from_op(ones, x.device, False)
    return weight, bias


def _index_array(values, device: str):
    """Class ids or token ids (Tensor, array or list) as an array on `device`,
    keeping their integer dtype (the ops check it is an integer one)."""
    if isinstance(values, Tensor):
        return values.to(device)._data
    return Tensor(values, device=device)._data
