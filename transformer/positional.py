"""Positional encoding: tell the model where each token is.

Attention treats its input as a set: shuffle the tokens and each output moves
with its token, unchanged. So position is added to each token's embedding as a
vector of its own. The paper's vectors are sines and cosines of geometrically
spaced wavelengths (from 2π to 10000 · 2π):

    PE(pos, 2i)   = sin(pos / 10000^(2i / d_model))
    PE(pos, 2i+1) = cos(pos / 10000^(2i / d_model))

Every position gets a distinct pattern, and PE(pos + k) is a linear function
(a rotation) of PE(pos), which makes relative offsets easy to attend to.
Learned positions (a trained table, as in BERT and GPT) are the alternative.
"""

from __future__ import annotations

import numpy as np

from tinygrad_tx import Tensor
from tinygrad_tx.nn import Dropout, Module, Parameter, init


def sinusoidal_table(max_len: int, d_model: int) -> np.ndarray:
    """The (max_len, d_model) table above, in float64."""
    if max_len < 1 or d_model < 1:
        raise ValueError(
            f"sinusoidal_table: max_len and d_model must be positive, got "
            f"{max_len} and {d_model}"
        )
    position = np.arange(max_len)[:, None]  # (L, 1)
    two_i = np.arange(0, d_model, 2)  # the even feature indices 2i
    angle = position / 10000.0 ** (two_i / d_model)  # (L, ceil(d/2))
    table = np.empty((max_len, d_model))
    table[:, 0::2] = np.sin(angle)
    table[:, 1::2] = np.cos(angle[:, : d_model // 2])  # odd d_model: one sine more
    return table


class PositionalEncoding(Module):
    """x + PE[:L], then dropout: (B, L, d_model) -> (B, L, d_model).

    learned=False adds the fixed sinusoidal table (a constant, not a parameter);
    learned=True adds a trained (max_len, d_model) table `weight` instead.
    A sequence longer than max_len is an error: there is no row for it.
    """

    def __init__(
        self, d_model: int, max_len: int = 512, dropout: float = 0.1, learned=False
    ):
        self.d_model, self.max_len, self.learned = d_model, max_len, learned
        table = sinusoidal_table(max_len, d_model)
        if learned:
            self.weight = Parameter(np.zeros(table.shape), dtype=np.float32)
            init.normal_(self.weight, 0.0, 0.02)
        else:
            self.table = Tensor(table.astype(np.float32))  # a constant: no gradient
        self.dropout = Dropout(dropout)

    def forward(self, x: Tensor) -> Tensor:
        length = x.shape[1] if x.ndim == 3 else -1
        if x.ndim != 3 or x.shape[2] != self.d_model:
            raise ValueError(
                f"PositionalEncoding: expected input of shape (B, L, d_model = "
                f"{self.d_model}), got {x.shape}"
            )
        if length > self.max_len:
            raise ValueError(
                f"PositionalEncoding: a sequence of length {length} is longer than "
                f"max_len = {self.max_len}; shorten it or build the model with "
                f"max_len >= {length}"
            )
        positions = self.weight if self.learned else self.table
        return self.dropout(x + positions[:length])  # (B, L, d) + (L, d)

    def extra_repr(self) -> str:
        kind = "learned" if self.learned else "sinusoidal"
        return f"{self.d_model}, max_len={self.max_len}, {kind}"
