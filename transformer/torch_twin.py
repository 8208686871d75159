"""The same Transformer written in PyTorch, parameter for parameter.

`python cli.py bench train` times it beside ours, and the tests use it as an
independent oracle. Every module and parameter has the name it has in
`transformer.model.Transformer`, so one `load_state_dict` copies our weights
over:

    twin = twin_of(model)          # a torch.nn.Module with model's weights
    logits = twin(src, tgt, src_mask, tgt_mask)   # torch tensors, same masks

Attention is written out (Q Kᵀ / √D, masked_fill, softmax, dropout, @ V) rather
than calling torch's fused kernels, so both sides do the same arithmetic; the
layers are post-norm by default, as in the paper, with norm_first as in ours.

This module imports PyTorch, which the project does not depend on: import it
only after checking that torch is installed (`torch_available()` in
`transformer.bench.train` does).
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .config import TransformerConfig
from .positional import sinusoidal_table


class MultiHeadAttention(nn.Module):
    """softmax(Q Kᵀ / √D) V per head, with w_q, w_k, w_v, w_o as in ours.

    mask: boolean, True where attention is allowed, broadcastable to
    (B, H, Lq, Lk). A query with no allowed key gives NaN here (ours gives 0):
    the benchmark's batches have none.
    """

    def __init__(self, d_model: int, n_heads: int, dropout: float):
        super().__init__()
        self.n_heads, self.d_head = n_heads, d_model // n_heads
        self.w_q = nn.Linear(d_model, d_model)
        self.w_k = nn.Linear(d_model, d_model)
        self.w_v = nn.Linear(d_model, d_model)
        self.w_o = nn.Linear(d_model, d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, query, key, value, mask=None):
        batch, len_q, d_model = query.shape
        q = self._split_heads(self.w_q(query))  # (B, H, Lq, D)
        k = self._split_heads(self.w_k(key))  # (B, H, Lk, D)
        v = self._split_heads(self.w_v(value))  # (B, H, Lk, D)
        scores = (q * (1 / math.sqrt(self.d_head))) @ k.transpose(-1, -2)
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))  # (B, H, Lq, Lk)
        weights = self.dropout(scores.softmax(dim=-1))
        out = (weights @ v).transpose(1, 2).reshape(batch, len_q, d_model)
        return self.w_o(out)

    def _split_heads(self, x):
        batch, length, _ = x.shape
        x = x.reshape(batch, length, self.n_heads, self.d_head)  # (B, L, H, D)
        return x.transpose(1, 2)  # (B, H, L, D)


class PositionwiseFeedForward(nn.Module):
    def __init__(self, d_model: int, d_ff: int, dropout: float):
        super().__init__()
        self.linear1 = nn.Linear(d_model, d_ff)
        self.dropout = nn.Dropout(dropout)
        self.linear2 = nn.Linear(d_ff, d_model)

    def forward(self, x):
        return self.linear2(self.dropout(torch.relu(self.linear1(x))))


def _add_and_norm(x, sublayer, norm, dropout, norm_first: bool):
    if norm_first:
        return x + dropout(sublayer(norm(x)))
    return norm(x + dropout(sublayer(x)))


class EncoderLayer(nn.Module):
    def __init__(self, c: TransformerConfig):
        super().__init__()
        self.norm_first = c.norm_first
        self.self_attn = MultiHeadAttention(c.d_model, c.n_heads, c.dropout)
        self.ffn = PositionwiseFeedForward(c.d_model, c.d_ff, c.dropout)
        self.norm1, self.norm2 = nn.LayerNorm(c.d_model), nn.LayerNorm(c.d_model)
        self.dropout1, self.dropout2 = nn.Dropout(c.dropout), nn.Dropout(c.dropout)

    def forward(self, x, mask=None):
        attend = lambda h: self.self_attn(h, h, h, mask)  # noqa: E731
        x = _add_and_norm(x, attend, self.norm1, self.dropout1, self.norm_first)
        return _add_and_norm(x, self.ffn, self.norm2, self.dropout2, self.norm_first)


class DecoderLayer(nn.Module):
    def __init__(self, c: TransformerConfig):
        super().__init__()
        self.norm_first = c.norm_first
        self.self_attn = MultiHeadAttention(c.d_model, c.n_heads, c.dropout)
        self.cross_attn = MultiHeadAttention(c.d_model, c.n_heads, c.dropout)
        self.ffn = PositionwiseFeedForward(c.d_model, c.d_ff, c.dropout)
        self.norm1, self.norm2, self.norm3 = (nn.LayerNorm(c.d_model) for _ in "123")
        self.dropout1, self.dropout2, self.dropout3 = (
            nn.Dropout(c.dropout) for _ in "123"
        )

    def forward(self, x, memory, src_mask=None, tgt_mask=None):
        first = self.norm_first
        attend = lambda h: self.self_attn(h, h, h, tgt_mask)  # noqa: E731
        cross = lambda h: self.cross_attn(h, memory, memory, src_mask)  # noqa: E731
        x = _add_and_norm(x, attend, self.norm1, self.dropout1, first)
        x = _add_and_norm(x, cross, self.norm2, self.dropout2, first)
        return _add_and_norm(x, self.ffn, self.norm3, self.dropout3, first)


class Stack(nn.Module):
    """N layers, then a final LayerNorm `norm` with pre-norm (as Encoder, Decoder)."""

    def __init__(self, layer, c: TransformerConfig):
        super().__init__()
        self.layers = nn.ModuleList(layer(c) for _ in range(c.n_layers))
        self.norm = nn.LayerNorm(c.d_model) if c.norm_first else None

    def forward(self, x, *args):
        for layer in self.layers:
            x = layer(x, *args)
        return self.norm(x) if self.norm is not None else x


class PositionalEncoding(nn.Module):
    def __init__(self, c: TransformerConfig):
        super().__init__()
        table = torch.tensor(
            sinusoidal_table(c.max_len, c.d_model), dtype=torch.float32
        )
        if c.learned_positions:
            self.weight = nn.Parameter(torch.zeros(c.max_len, c.d_model))
        else:
            self.register_buffer("table", table, persistent=False)
        self.learned = c.learned_positions
        self.dropout = nn.Dropout(c.dropout)

    def forward(self, x):
        positions = self.weight if self.learned else self.table
        return self.dropout(x + positions[: x.shape[1]])


class Transformer(nn.Module):
    """The encoder-decoder of `transformer.model.Transformer`, in PyTorch."""

    def __init__(self, config: TransformerConfig):
        super().__init__()
        c = self.config = config
        self.src_embed = nn.Embedding(c.src_vocab, c.d_model)
        self.tgt_embed = (
            self.src_embed
            if c.share_embeddings
            else nn.Embedding(c.tgt_vocab, c.d_model)
        )
        self.src_pos, self.tgt_pos = PositionalEncoding(c), PositionalEncoding(c)
        self.encoder = Stack(EncoderLayer, c)
        self.decoder = Stack(DecoderLayer, c)
        self.out_proj = nn.Linear(c.d_model, c.tgt_vocab)
        if c.share_embeddings:
            self.out_proj.weight = self.tgt_embed.weight

    def encode(self, src, src_mask=None):
        scale = math.sqrt(self.config.d_model)
        return self.encoder(self.src_pos(self.src_embed(src) * scale), src_mask)

    def decode(self, memory, src_mask, tgt, tgt_mask=None):
        scale = math.sqrt(self.config.d_model)
        x = self.tgt_pos(self.tgt_embed(tgt) * scale)
        return self.out_proj(self.decoder(x, memory, src_mask, tgt_mask))

    def forward(self, src, tgt, src_mask=None, tgt_mask=None):
        return self.decode(self.encode(src, src_mask), src_mask, tgt, tgt_mask)


def twin_of(model) -> Transformer:
    """A PyTorch Transformer with `model`'s configuration and a copy of its
    weights (float32, on the CPU), in the same training/eval mode."""
    twin = Transformer(model.config)
    state = {k: torch.from_numpy(v) for k, v in model.state_dict().items()}
    if model.config.share_embeddings:  # ours lists a shared module once
        state["tgt_embed.weight"] = state["src_embed.weight"]
    twin.load_state_dict(state)
    return twin.train(model.training)
