"""Attention: scaled dot-product attention and multi-head attention.

Each query asks every key "how much do you match me?" (a dot product), the
answers become weights through a softmax, and the query's output is the
weighted sum of the values:

    Attention(Q, K, V) = softmax(Q Kᵀ / √d_k) V

The slides' example: a query whose dot products with two keys are 112 and 96,
with d_k = 64, gives scores 112/8 = 14 and 96/8 = 12 and weights 0.88 and 0.12.
"""

from __future__ import annotations

from tinygrad_tx import Tensor, composed
from tinygrad_tx import functional as F
from tinygrad_tx.nn import Linear, Module


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

    fused=True runs one op with a hand-derived backward (`F.attention`: faster,
    less memory; `weights` is then a constant for inspection, without a
    gradient of its own); fused=False composes matmul, masked_fill, softmax
    and dropout (`composed.attention`), so autograd derives the backward and
    `weights` is differentiable.
    """
    attend = F.attention if fused else composed.attention
    return attend(q, k, v, mask, dropout_p)


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

    fused=True runs the heads as one op (`F.multi_head_attention`): the split
    and merge are views instead of copies, and the projections of one input
    are one product with the weights stacked (self-attention: x [W_q; W_k;
    W_v]ᵀ). fused=False composes reshape, transpose and the attention ops one
    by one, as the formula reads (`composed.multi_head_attention`). Both
    compute the same.

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
        if self.fused:  # the projections of one input as one product, then one op
            sources, slots = self._projections(query, key, value)
            out, weights = F.multi_head_attention(
                sources, slots, self.n_heads, mask, dropout_p
            )
        else:  # 1) project, 2) split into heads, attend, concatenate (composed)
            q, k, v = self.w_q(query), self.w_k(key), self.w_v(value)  # (B, L, d)
            out, weights = composed.multi_head_attention(
                q, k, v, self.n_heads, mask, dropout_p
            )
        self.attn_weights = weights.detach()  # (B, H, Lq, Lk)
        return self.w_o(out)  # 3) mix the heads: (B, Lq, d_model)

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
