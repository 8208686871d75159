"""Attention masks: boolean tensors, True where a query may look at a key.

Two kinds, combined for the decoder:

  padding  a batch is padded to one length with a pad id; no query may look at
           a pad token, so its key column is False.     (B, 1, 1, L)
  causal   position t may look at positions 0..t only (the decoder predicts
           token t+1 from the tokens before it).       (1, 1, L, L)

Every mask broadcasts to the attention scores' shape (B, H, Lq, Lk). Masks are
constants, not graph nodes: they carry no gradient, so their booleans are
combined directly on the arrays.
"""

from __future__ import annotations

import numpy as np

from tinygrad_tx import Tensor


def padding_mask(ids: Tensor, pad_id: int) -> Tensor:
    """True at real tokens, False at padding: (B, L) ids -> (B, 1, 1, L).

    The singleton axes let the mask broadcast over heads (H) and query rows (Lq):
    every query of sequence b ignores the same padded keys.
    """
    _check_ids(ids, "padding_mask")
    batch, length = ids.shape
    return (ids != pad_id).reshape(batch, 1, 1, length)  # (B, 1, 1, L)


def causal_mask(length: int, device: str = "cpu") -> Tensor:
    """Lower-triangular (1, 1, L, L): row t is True at columns 0..t.

    t=0  [T F F F]
    t=1  [T T F F]
    t=2  [T T T F]
    t=3  [T T T T]
    """
    if length < 1:
        raise ValueError(f"causal_mask: length must be at least 1, got {length}")
    allowed = np.tril(np.ones((length, length), dtype=bool))
    return Tensor(allowed[None, None], device=device)  # (1, 1, L, L)


def combine_masks(a: Tensor, b: Tensor) -> Tensor:
    """Attention allowed where both masks allow it (logical and, broadcasting)."""
    try:
        shape = np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ValueError(
            f"combine_masks: masks of shapes {a.shape} and {b.shape} do not broadcast"
        ) from None
    allowed = a.data & b.data
    return Tensor(allowed.reshape(shape), device=a.device)


def decoder_mask(tgt: Tensor, pad_id: int) -> Tensor:
    """The decoder's self-attention mask: causal and not padding, (B, 1, L, L)."""
    _check_ids(tgt, "decoder_mask")
    length = tgt.shape[1]
    return combine_masks(padding_mask(tgt, pad_id), causal_mask(length, tgt.device))


def make_masks(src: Tensor, tgt: Tensor, pad_id: int) -> tuple[Tensor, Tensor]:
    """(src_mask, tgt_mask) for a batch of padded token ids.

    src_mask (B, 1, 1, Ls) serves the encoder's self-attention and the decoder's
    cross-attention (keys there are source positions); tgt_mask (B, 1, Lt, Lt)
    serves the decoder's self-attention.
    """
    return padding_mask(src, pad_id), decoder_mask(tgt, pad_id)


def _check_ids(ids, where: str) -> None:
    if not isinstance(ids, Tensor):
        raise TypeError(
            f"{where}: expected token ids as a Tensor of shape (B, L), got "
            f"{type(ids).__name__}; wrap them with Tensor(ids)"
        )
    if ids.ndim != 2 or ids.dtype.kind not in "iu":
        raise ValueError(
            f"{where}: expected integer token ids of shape (B, L), got shape "
            f"{ids.shape} and dtype {ids.dtype}"
        )
