"""The Transformer of "Attention is all you need" (Vaswani et al., 2017), built
only from tinygrad_tx tensors and modules.

    from transformer import Transformer, make_masks
    model = Transformer.from_config("toy", src_vocab=120, tgt_vocab=140)
    src_mask, tgt_mask = make_masks(src, tgt_in, pad_id=0)
    logits = model(src, tgt_in, src_mask, tgt_mask)     # (B, Lt, tgt_vocab)
"""

from .attention import MultiHeadAttention, scaled_dot_product_attention
from .config import PRESETS, TransformerConfig
from .layers import DecoderLayer, EncoderLayer, PositionwiseFeedForward
from .masks import causal_mask, decoder_mask, make_masks, padding_mask
from .model import Decoder, Encoder, Transformer
from .positional import PositionalEncoding, sinusoidal_table

__all__ = [
    "PRESETS",
    "Decoder",
    "DecoderLayer",
    "Encoder",
    "EncoderLayer",
    "MultiHeadAttention",
    "PositionalEncoding",
    "PositionwiseFeedForward",
    "Transformer",
    "TransformerConfig",
    "causal_mask",
    "decoder_mask",
    "make_masks",
    "padding_mask",
    "scaled_dot_product_attention",
    "sinusoidal_table",
]
