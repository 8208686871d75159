"""The encoder-decoder Transformer of "Attention is all you need".

    src ids -> embed · √d_model + positions -> Encoder (N layers) -> memory
    tgt ids -> embed · √d_model + positions -> Decoder (N layers, attending to
               memory) -> Linear -> logits over the target vocabulary

Training feeds the whole target at once, shifted right (teacher forcing); the
causal mask keeps position t from seeing the tokens after it, so one forward
pass trains every position in parallel.
"""

from __future__ import annotations

import math
import os

from tinygrad_tx import Tensor
from tinygrad_tx.nn import Embedding, LayerNorm, Linear, Module, ModuleList, init

from . import masks
from .config import PRESETS, TransformerConfig
from .layers import DecoderLayer, EncoderLayer
from .positional import PositionalEncoding

__all__ = ["PRESETS", "Decoder", "Encoder", "Transformer", "TransformerConfig"]


class Encoder(Module):
    """N encoder layers; with pre-norm, a final LayerNorm `norm` (else None)."""

    def __init__(self, config: TransformerConfig):
        c = config
        self.layers = ModuleList(
            EncoderLayer(
                c.d_model, c.n_heads, c.d_ff, c.dropout, c.norm_first, c.fused_ops
            )
            for _ in range(c.n_layers)
        )
        self.norm = LayerNorm(c.d_model) if c.norm_first else None

    def forward(self, x: Tensor, mask=None) -> Tensor:
        for layer in self.layers:
            x = layer(x, mask)
        return self.norm(x) if self.norm is not None else x  # (B, Ls, d_model)


class Decoder(Module):
    """N decoder layers; with pre-norm, a final LayerNorm `norm` (else None)."""

    def __init__(self, config: TransformerConfig):
        c = config
        self.layers = ModuleList(
            DecoderLayer(
                c.d_model, c.n_heads, c.d_ff, c.dropout, c.norm_first, c.fused_ops
            )
            for _ in range(c.n_layers)
        )
        self.norm = LayerNorm(c.d_model) if c.norm_first else None

    def forward(self, x: Tensor, memory: Tensor, src_mask=None, tgt_mask=None):
        for layer in self.layers:
            x = layer(x, memory, src_mask, tgt_mask)
        return self.norm(x) if self.norm is not None else x  # (B, Lt, d_model)


class Transformer(Module):
    """Encoder, decoder, embeddings and the output projection `out_proj`.

    Submodules: src_embed, tgt_embed (Embedding), src_pos, tgt_pos
    (PositionalEncoding), encoder, decoder, out_proj (Linear d_model -> tgt_vocab).
    share_embeddings=True uses one matrix for src_embed, tgt_embed and
    out_proj.weight (the paper's choice with a shared vocabulary). Every
    parameter matrix starts Xavier-uniform; biases and LayerNorms keep theirs.
    The arguments are the fields of `TransformerConfig` (kept in `config`).
    """

    def __init__(
        self,
        src_vocab: int,
        tgt_vocab: int,
        d_model: int = 512,
        n_heads: int = 8,
        n_layers: int = 6,
        d_ff: int = 2048,
        dropout: float = 0.1,
        max_len: int = 512,
        share_embeddings: bool = False,
        norm_first: bool = False,
        learned_positions: bool = False,
        fused_ops: bool = True,
    ):
        c = self.config = TransformerConfig(
            src_vocab=src_vocab, tgt_vocab=tgt_vocab, d_model=d_model,
            n_heads=n_heads, n_layers=n_layers, d_ff=d_ff, dropout=dropout,
            max_len=max_len, share_embeddings=share_embeddings, norm_first=norm_first,
            learned_positions=learned_positions, fused_ops=fused_ops,
        )  # fmt: skip
        _check_memory(c)
        self.src_embed = Embedding(c.src_vocab, c.d_model)
        self.tgt_embed = (
            self.src_embed if c.share_embeddings else Embedding(c.tgt_vocab, c.d_model)
        )
        self.src_pos = PositionalEncoding(
            c.d_model, c.max_len, c.dropout, c.learned_positions
        )
        self.tgt_pos = PositionalEncoding(
            c.d_model, c.max_len, c.dropout, c.learned_positions
        )
        self.encoder = Encoder(c)
        self.decoder = Decoder(c)
        self.out_proj = Linear(c.d_model, c.tgt_vocab)
        if c.share_embeddings:
            self.out_proj.weight = self.tgt_embed.weight  # one (V, d_model) matrix
        for param in self.parameters():
            if param.ndim > 1:
                init.xavier_uniform_(param)

    @classmethod
    def from_config(cls, config: TransformerConfig | str, **overrides) -> Transformer:
        """Build from a TransformerConfig, or a preset name plus overrides."""
        if isinstance(config, str):
            config = TransformerConfig.preset(config, **overrides)
        elif overrides:
            config = TransformerConfig.from_dict({**config.to_dict(), **overrides})
        return cls(**config.to_dict())

    # ------------------------------------------------------------ the three passes

    def encode(self, src, src_mask=None) -> Tensor:
        """Source ids (B, Ls) -> memory (B, Ls, d_model)."""
        src = self._ids(src, "src")
        x = self.src_pos(self.src_embed(src) * math.sqrt(self.config.d_model))
        return self.encoder(x, src_mask)

    def decode(self, memory: Tensor, src_mask, tgt, tgt_mask=None) -> Tensor:
        """Target ids so far (B, Lt) and the memory -> logits (B, Lt, tgt_vocab).

        tgt_mask=None means the causal mask alone (no target padding).
        """
        tgt = self._ids(tgt, "tgt")
        _check_batch("decode", "memory", memory.shape[0], tgt.shape[0])
        if tgt_mask is None:
            tgt_mask = masks.causal_mask(tgt.shape[1], tgt.device)
        x = self.tgt_pos(self.tgt_embed(tgt) * math.sqrt(self.config.d_model))
        x = self.decoder(x, memory, src_mask, tgt_mask)
        return self.out_proj(x)

    def forward(self, src, tgt, src_mask=None, tgt_mask=None) -> Tensor:
        """Logits (B, Lt, tgt_vocab) for source (B, Ls) and shifted target (B, Lt)."""
        src_batch = src.shape[0] if hasattr(src, "shape") else len(src)
        tgt_batch = tgt.shape[0] if hasattr(tgt, "shape") else len(tgt)
        _check_batch("forward", "src", src_batch, tgt_batch)
        return self.decode(self.encode(src, src_mask), src_mask, tgt, tgt_mask)

    def make_masks(self, src, tgt, pad_id: int) -> tuple[Tensor, Tensor]:
        """(src_mask (B, 1, 1, Ls), tgt_mask (B, 1, Lt, Lt)): see masks.make_masks."""
        src = self._ids(src, "src")
        tgt = self._ids(tgt, "tgt")
        return masks.make_masks(src, tgt, pad_id)

    # ------------------------------------------------------------ checks

    @property
    def device(self) -> str:
        return self.src_embed.weight.device

    def _ids(self, ids, name: str) -> Tensor:
        """Token ids as an integer Tensor (B, L) on the model's device, checked
        (their range is checked by the embedding, which names its module)."""
        if not isinstance(ids, Tensor):
            ids = Tensor(ids, device=self.device)
        if ids.ndim != 2 or ids.dtype.kind not in "iu":
            raise ValueError(
                f"Transformer: {name} must be integer token ids of shape (B, L), "
                f"got shape {ids.shape} and dtype {ids.dtype}"
            )
        if ids.shape[1] > self.config.max_len:
            raise ValueError(
                f"Transformer: {name} has length {ids.shape[1]} but max_len = "
                f"{self.config.max_len}; shorten it or build the model with "
                f"max_len >= {ids.shape[1]}"
            )
        return ids

    def extra_repr(self) -> str:
        c = self.config
        return (
            f"d_model={c.d_model}, n_heads={c.n_heads}, n_layers={c.n_layers}, "
            f"d_ff={c.d_ff}, vocab={c.src_vocab}->{c.tgt_vocab}"
        )


def _check_memory(config: TransformerConfig) -> None:
    """Refuse, before allocating anything, a model larger than this machine's
    memory (a typo such as d_model = 1e9 would end in a MemoryError deep
    inside, or in the system killing the process)."""
    needed = config.num_parameters() * 4  # float32
    try:
        memory = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):  # no sysconf (Windows)
        return
    if needed > memory:
        raise ValueError(
            f"Transformer: this configuration has {config.num_parameters():,} "
            f"parameters ({needed / 2**30:,.1f} GiB in float32), more than this "
            f"machine's {memory / 2**30:,.1f} GiB of memory; choose a smaller "
            f"d_model ({config.d_model}), d_ff ({config.d_ff}), n_layers "
            f"({config.n_layers}) or vocabulary"
        )


def _check_batch(where: str, name: str, batch: int, tgt_batch: int) -> None:
    if batch != tgt_batch:
        raise ValueError(
            f"Transformer.{where}: {name} has batch size {batch} but tgt has "
            f"{tgt_batch}; they must be equal (one {name} row per target row)"
        )
