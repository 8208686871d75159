"""The layers the encoder and decoder stack: feed-forward, encoder and decoder layers.

Every sublayer (attention or feed-forward) is wrapped in a residual connection
and a layer normalization, the paper's "Add & Norm":

    post-norm (the paper, the default):  x = LayerNorm(x + Dropout(Sublayer(x)))
    pre-norm  (norm_first=True):         x = x + Dropout(Sublayer(LayerNorm(x)))

The residual path lets the signal and its gradient skip the sublayer, so deep
stacks still train; pre-norm keeps that path free of normalization, which
trains more stably without a learning-rate warm-up, and needs one final
LayerNorm after the stack (see `model.py`).

Each layer has one small method per sublayer connection: it reads the
sublayer's input (`_sublayer_input`), runs the sublayer, and adds and
normalizes (`_add_norm`).
"""

from __future__ import annotations

from tinygrad_tx import Tensor
from tinygrad_tx import functional as F
from tinygrad_tx.nn import Dropout, LayerNorm, Linear, Module, ReLU

from .attention import MultiHeadAttention


class PositionwiseFeedForward(Module):
    """FFN(x) = max(0, x W₁ + b₁) W₂ + b₂, applied to each position on its own:
    d_model -> d_ff -> d_model (the paper: 512 -> 2048 -> 512), with dropout
    after the ReLU.

    fused=True runs linear1, ReLU and dropout as one op (`F.linear_relu`: less
    time, and the (B, L, d_ff) arrays between them are never kept); fused=False
    calls the three modules one after the other. Both compute the same thing.
    """

    def __init__(self, d_model: int, d_ff: int, dropout: float = 0.1, fused=True):
        self.linear1 = Linear(d_model, d_ff)
        self.relu = ReLU()
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(d_ff, d_model)
        self.fused = fused

    def forward(self, x: Tensor) -> Tensor:
        if not self.fused:
            return self.linear2(self.dropout(self.relu(self.linear1(x))))
        p = self.dropout.p if self.dropout.training else 0.0
        hidden = F.linear_relu(x, self.linear1.weight, self.linear1.bias, p)
        return self.linear2(hidden)


class _SublayerConnections(Module):
    """What encoder and decoder layers share: Add & Norm around a sublayer.

    A layer sets `norm_first` (pre-norm) and `fused` (post-norm's add, dropout
    and LayerNorm as one op, `F.add_layer_norm`: the same numbers, less time
    and memory).
    """

    norm_first = False
    fused = True

    def _sublayer_input(self, x: Tensor, norm: LayerNorm) -> Tensor:
        """What the sublayer reads: LayerNorm(x) with pre-norm, else x itself."""
        return norm(x) if self.norm_first else x

    def _add_norm(self, x: Tensor, s: Tensor, norm: LayerNorm, dropout: Dropout):
        """x and the sublayer's output s joined: LayerNorm(x + Dropout(s)) with
        post-norm, x + Dropout(s) with pre-norm (s already read LayerNorm(x))."""
        if self.norm_first:
            return x + dropout(s)
        if self.fused:
            p = dropout.p if dropout.training else 0.0
            return F.add_layer_norm(x, s, norm.weight, norm.bias, norm.eps, p)
        return norm(x + dropout(s))


class EncoderLayer(_SublayerConnections):
    """Self-attention over the source, then the feed-forward network, each with
    Add & Norm. forward(x (B, L, d_model), mask (B, 1, 1, L)) -> (B, L, d_model).

    fused=True (the default) runs the fused ops: multi-head attention as one
    op, linear1 + ReLU + dropout as one, and post-norm's add + dropout +
    LayerNorm as one; fused=False composes every step from basic ops (the
    graph a lesson draws). Both give the same numbers.
    """

    def __init__(
        self,
        d_model: int,
        n_heads: int,
        d_ff: int,
        dropout: float = 0.1,
        norm_first: bool = False,
        fused: bool = True,
    ):
        self.norm_first, self.fused = norm_first, fused
        self.self_attn = MultiHeadAttention(d_model, n_heads, dropout, fused)
        self.ffn = PositionwiseFeedForward(d_model, d_ff, dropout, fused)
        self.norm1, self.norm2 = LayerNorm(d_model), LayerNorm(d_model)
        self.dropout1, self.dropout2 = Dropout(dropout), Dropout(dropout)

    def forward(self, x: Tensor, mask=None) -> Tensor:
        x = self._self_attention_block(x, mask)  # x = LayerNorm(x + SelfAttn(x))
        return self._feed_forward_block(x)  # x = LayerNorm(x + FFN(x))

    def _self_attention_block(self, x: Tensor, mask) -> Tensor:
        h = self._sublayer_input(x, self.norm1)
        return self._add_norm(
            x, self.self_attn(h, h, h, mask), self.norm1, self.dropout1
        )

    def _feed_forward_block(self, x: Tensor) -> Tensor:
        h = self._sublayer_input(x, self.norm2)
        return self._add_norm(x, self.ffn(h), self.norm2, self.dropout2)


class DecoderLayer(_SublayerConnections):
    """Masked self-attention over the target so far, cross-attention to the
    encoder's memory (queries from the decoder, keys and values from the
    source), then the feed-forward network, each with Add & Norm.

    forward(x (B, Lt, d), memory (B, Ls, d), src_mask (B, 1, 1, Ls),
    tgt_mask (B, 1, Lt, Lt), causal and padding) -> (B, Lt, d)

    `fused` as in EncoderLayer.
    """

    def __init__(
        self,
        d_model: int,
        n_heads: int,
        d_ff: int,
        dropout: float = 0.1,
        norm_first: bool = False,
        fused: bool = True,
    ):
        self.norm_first, self.fused = norm_first, fused
        self.self_attn = MultiHeadAttention(d_model, n_heads, dropout, fused)
        self.cross_attn = MultiHeadAttention(d_model, n_heads, dropout, fused)
        self.ffn = PositionwiseFeedForward(d_model, d_ff, dropout, fused)
        self.norm1, self.norm2, self.norm3 = (LayerNorm(d_model) for _ in range(3))
        self.dropout1, self.dropout2, self.dropout3 = (
            Dropout(dropout) for _ in range(3)
        )

    def forward(
        self, x: Tensor, memory: Tensor, src_mask=None, tgt_mask=None
    ) -> Tensor:
        x = self._self_attention_block(x, tgt_mask)  # causal: no peeking ahead
        x = self._cross_attention_block(x, memory, src_mask)  # look at the source
        return self._feed_forward_block(x)

    def _self_attention_block(self, x: Tensor, tgt_mask) -> Tensor:
        h = self._sublayer_input(x, self.norm1)
        s = self.self_attn(h, h, h, tgt_mask)
        return self._add_norm(x, s, self.norm1, self.dropout1)

    def _cross_attention_block(self, x: Tensor, memory: Tensor, src_mask) -> Tensor:
        h = self._sublayer_input(x, self.norm2)  # queries; keys and values: memory
        s = self.cross_attn(h, memory, memory, src_mask)
        return self._add_norm(x, s, self.norm2, self.dropout2)

    def _feed_forward_block(self, x: Tensor) -> Tensor:
        h = self._sublayer_input(x, self.norm3)
        return self._add_norm(x, self.ffn(h), self.norm3, self.dropout3)
