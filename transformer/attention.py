"""Attention: scaled dot-product attention and multi-head attention.

Each query asks every key "how much do you match me?" (a dot product), the
answers become weights through a softmax, and the query's output is the
weighted sum of the values:

    Attention(Q, K, V) = softmax(Q Kᵀ / √d_k) V

The slides' example: a query whose dot products with two keys are 112 and 96,
with d_k = 64, gives scores 112/8 = 14 and 96/8 = 12 and weights 0.88 and 0.12.
"""

from __future__ import annotations

import math

from tinygrad_tx import Tensor
from tinygrad_tx import functional as F
from tinygrad_tx import random as tx_random
from tinygrad_tx.backend import get_array_module
from tinygrad_tx.nn import Linear, Module
from tinygrad_tx.ops.attention import attention, check_attention_shapes
from tinygrad_tx.ops.embedding import keep_mask
from tinygrad_tx.ops.multi_head import multi_head_attention

from .masks import check_mask


def scaled_dot_product_attention(
    q: Tensor,
    k: Tensor,
    v: Tensor,
    mask=None,
    dropout_p: float = 0.0,
    fused: bool = True,
) -> tuple[Tensor, Tensor]:
    """(out, weights) = (softmax(Q Kᵀ / √d_k) V, the softmax), per leading axes.

    q (..., Lq, D), k (..., Lk, D), v (..., Lk, Dv) -> out (..., Lq, Dv) and
    weights (..., Lq, Lk), each row of weights summing to 1.

    mask: boolean, broadcastable to (..., Lq, Lk), True where attention is
    allowed. Scores where it is False become -inf before the softmax, so those
    keys get a weight of exactly 0. A query whose keys are all masked gets zero
    weights and a zero output, never NaN (softmax of a row of -inf is 0/0).

    dropout_p: attention dropout on the weights (pass 0 in evaluation);
    `weights` are returned before dropout.

    fused=True runs one op with a hand-derived backward (faster, less memory;
    `weights` is then a constant for inspection, without a gradient of its
    own); fused=False composes matmul, masked_fill, softmax and dropout, so
    autograd derives the backward and `weights` is differentiable.
    """
    where = "scaled_dot_product_attention"
    check_attention_shapes(q.shape, k.shape, v.shape, where)
    if not 0.0 <= dropout_p < 1.0:
        raise ValueError(f"{where}: dropout_p must be in [0, 1), got {dropout_p}")
    if mask is not None:
        mask = check_mask(mask, (*q.shape[:-1], k.shape[-2]), where)
    if fused:
        return _fused_attention(q, k, v, mask, dropout_p)
    return _composed_attention(q, k, v, mask, dropout_p)


def _composed_attention(q, k, v, mask, dropout_p):
    """The formula, op by op (autograd derives the backward)."""
    d_k = q.shape[-1]
    scores = (q @ k.swapaxes(-1, -2)) / math.sqrt(d_k)  # (..., Lq, Lk)
    if mask is None:
        weights = scores.softmax(axis=-1)
    else:
        # A row with no allowed key is filled with 0, not -inf (its softmax would
        # be 0/0 = NaN), and zeroed after the softmax.
        row_has_key = mask.any(axis=-1, keepdims=True)
        weights = scores.masked_fill(~mask & row_has_key, -math.inf).softmax(axis=-1)
        if not bool(get_array_module(mask).all(row_has_key)):
            weights = weights.masked_fill(~mask, 0.0)
    dropped = F.dropout(weights, dropout_p, training=dropout_p > 0)
    return dropped @ v, weights  # (..., Lq, Dv), (..., Lq, Lk)


def _fused_attention(q, k, v, mask, dropout_p):
    """One Attention op (tinygrad_tx.ops.attention), with dropout drawn here."""
    keep = None
    if dropout_p > 0:
        # The same draws as F.dropout on the weights: both paths agree per seed.
        shape = (*q.shape[:-1], k.shape[-2])
        keep = keep_mask(tx_random.generator(q.device), shape, dropout_p)
    return attention(q, k, v, mask=mask, keep=keep, dropout_p=dropout_p)


def _stacked_linear(x: Tensor, linears: list) -> Tensor:
    """x Wᵀ + b for W the linears' weights stacked (n·d_out, d_in): their n
    outputs side by side, (B, L, n·d_out), from one matrix product."""
    if len(linears) == 1:
        return linears[0](x)
    weight = Tensor.cat([linear.weight for linear in linears], axis=0)
    bias = Tensor.cat([linear.bias for linear in linears], axis=0)
    return F.linear(x, weight, bias)


class MultiHeadAttention(Module):
    """H attention heads side by side, each on its own D = d_model / H slice.

        head_h = Attention(Q W_q^h, K W_k^h, V W_v^h)
        MultiHead(Q, K, V) = Concat(head_1, ..., head_H) W_o

    The H projections of size D are one Linear of size d_model (w_q, w_k, w_v)
    whose output is reshaped into heads: no loop over heads. Self-attention
    passes the same tensor as query, key and value; cross-attention passes the
    decoder's states as query and the encoder's memory as key and value.

    fused=True runs the heads as one op (`tinygrad_tx.ops.multi_head`): the
    split and merge are views instead of copies, and the projections of one
    input are one product with the weights stacked (self-attention:
    x [W_q; W_k; W_v]ᵀ). fused=False composes reshape, transpose and the
    attention ops one by one, as the formula reads. Both compute the same.

    After each call, `attn_weights` holds the weights (B, H, Lq, Lk) for plots.
    """

    def __init__(self, d_model: int, n_heads: int, dropout: float = 0.0, fused=True):
        if n_heads < 1 or d_model % n_heads != 0:
            raise ValueError(
                f"MultiHeadAttention: d_model = {d_model} is not divisible by "
                f"n_heads = {n_heads}; each head gets d_model / n_heads features"
            )
        if not 0.0 <= dropout < 1.0:
            raise ValueError(
                f"MultiHeadAttention: dropout must be in [0, 1), got {dropout}"
            )
        self.d_model, self.n_heads, self.d_head = d_model, n_heads, d_model // n_heads
        self.dropout_p, self.fused = dropout, fused
        self.w_q = Linear(d_model, d_model)
        self.w_k = Linear(d_model, d_model)
        self.w_v = Linear(d_model, d_model)
        self.w_o = Linear(d_model, d_model)
        self.attn_weights: Tensor | None = None

    def forward(self, query: Tensor, key: Tensor, value: Tensor, mask=None) -> Tensor:
        self._check_inputs(query, key, value)
        mask = self._head_mask(mask)
        dropout_p = self.dropout_p if self.training else 0.0
        heads = self._fused_heads if self.fused else self._composed_heads
        out, weights = heads(query, key, value, mask, dropout_p)  # (B, Lq, d_model)
        self.attn_weights = weights.detach()  # (B, H, Lq, Lk)
        return self.w_o(out)  # mix the heads: (B, Lq, d_model)

    def _composed_heads(self, query, key, value, mask, dropout_p):
        """Concat(head_1, ..., head_H), op by op."""
        batch, len_q, _ = query.shape
        # 1) project, then split d_model into H heads of size D
        q = self._split_heads(self.w_q(query))  # (B, H, Lq, D)
        k = self._split_heads(self.w_k(key))  # (B, H, Lk, D)
        v = self._split_heads(self.w_v(value))  # (B, H, Lk, D)
        # 2) attend, every head at once
        out, weights = scaled_dot_product_attention(
            q, k, v, mask, dropout_p, fused=False
        )
        # 3) concatenate the heads
        out = out.transpose(0, 2, 1, 3).reshape(batch, len_q, self.d_model)
        return out, weights

    def _fused_heads(self, query, key, value, mask, dropout_p):
        """Concat(head_1, ..., head_H) as one op (tinygrad_tx.ops.multi_head),
        after the projections, those of one input as one product."""
        sources, slots = self._projections(query, key, value)
        shape = (query.shape[0], self.n_heads, query.shape[1], key.shape[1])
        if mask is not None:
            mask = check_mask(mask, shape, "MultiHeadAttention")
        keep = None
        if dropout_p > 0:  # the draws of the composed path, in the same order
            keep = keep_mask(tx_random.generator(query.device), shape, dropout_p)
        return multi_head_attention(sources, slots, self.n_heads, mask, keep, dropout_p)

    def _projections(self, query, key, value):
        """Q, K, V as the multi-head op takes them: inputs that are one tensor
        are multiplied once by the stacked weights, [W_q; W_k; W_v] for
        self-attention, [W_k; W_v] for the memory in cross-attention.
        Returns the products and, for Q, K, V, (which product, which block)."""
        inputs, linears, slots = [], [], []
        for x, linear in ((query, self.w_q), (key, self.w_k), (value, self.w_v)):
            index = next((i for i, seen in enumerate(inputs) if seen is x), None)
            if index is None:
                index = len(inputs)
                inputs.append(x)
                linears.append([])
            slots.append((index, len(linears[index])))
            linears[index].append(linear)
        return [_stacked_linear(x, ls) for x, ls in zip(inputs, linears)], slots

    def _split_heads(self, x: Tensor) -> Tensor:
        batch, length, _ = x.shape
        x = x.reshape(batch, length, self.n_heads, self.d_head)  # (B, L, H, D)
        return x.transpose(0, 2, 1, 3)  # (B, H, L, D)

    @staticmethod
    def _head_mask(mask):
        """A 3-D mask (B, Lq, Lk) gets the head axis (B, 1, Lq, Lk); 2-D (Lq, Lk)
        and 4-D masks broadcast as they are."""
        if mask is not None and mask.ndim == 3:
            return mask.reshape(mask.shape[0], 1, *mask.shape[1:])
        return mask

    def _check_inputs(self, query, key, value) -> None:
        for name, x in (("query", query), ("key", key), ("value", value)):
            if x.ndim != 3 or x.shape[-1] != self.d_model:
                raise ValueError(
                    f"MultiHeadAttention: {name} must have shape (B, L, d_model = "
                    f"{self.d_model}), got {x.shape}"
                )
        if not query.shape[0] == key.shape[0] == value.shape[0]:
            raise ValueError(
                f"MultiHeadAttention: query, key and value have batch sizes "
                f"{query.shape[0]}, {key.shape[0]}, {value.shape[0]}; they must be equal"
            )
        if key.shape[1] != value.shape[1]:
            raise ValueError(
                f"MultiHeadAttention: key has {key.shape[1]} positions but value has "
                f"{value.shape[1]}; each key needs one value"
            )

    def extra_repr(self) -> str:
        return (
            f"d_model={self.d_model}, n_heads={self.n_heads}, dropout={self.dropout_p}"
        )
