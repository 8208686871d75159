"""Sinusoidal positional encoding: the table, and adding it to the embeddings.

Lesson 11 (positional encoding). Attention treats its input as a set: permute
the words and the outputs are permuted the same way, nothing else changes. The
paper adds to each word's embedding a vector that depends on its position, made
of sines and cosines of geometrically spaced frequencies.

Task
----
1. `sinusoidal_table(max_len, d_model)`: the NumPy array PE of shape
   (max_len, d_model).
2. `add_positional_encoding(x)`: for a Tensor x of shape (B, L, d_model), return
   x + PE[:L] as a Tensor (gradients must flow to x; the table is a constant).

The math
--------
For position pos and feature pair i (columns 2i and 2i + 1):

    ω_i = 1 / 10000^(2i / d_model)
    PE(pos, 2i)     = sin(pos · ω_i)
    PE(pos, 2i + 1) = cos(pos · ω_i)

Row 0 is [0, 1, 0, 1, ...]. For d_model = 4, ω = (1, 1/100), so row 1 is
[sin 1, cos 1, sin 0.01, cos 0.01] = [0.8415, 0.5403, 0.0100, 1.0000].

Because sin and cos of pos·ω + k·ω are a rotation of those of pos·ω, PE(pos + k)
is a fixed linear function of PE(pos): relative offsets are easy to attend to.

Hints
-----
- `np.arange(max_len)[:, None]` (L, 1) times a row of frequencies (1, d/2) gives
  every angle at once by broadcasting.
- `table[:, 0::2]` are the even columns, `table[:, 1::2]` the odd ones.
- If d_model is odd, there is one more sine column than cosine columns.

Check your work: python cli.py exercise check positional_encoding
"""

import numpy as np

from tinygrad_tx import Tensor


def sinusoidal_table(max_len: int, d_model: int) -> np.ndarray:
    """PE, a float64 array (max_len, d_model)."""
    # Fill the even columns with sin(pos ω_i) and the odd ones with cos(pos ω_i).
    ### BEGIN SOLUTION
    position = np.arange(max_len)[:, None]  # (L, 1)
    two_i = np.arange(0, d_model, 2)  # (ceil(d/2),)
    angle = position / 10000.0 ** (two_i / d_model)  # (L, ceil(d/2))
    table = np.zeros((max_len, d_model))
    table[:, 0::2] = np.sin(angle)
    table[:, 1::2] = np.cos(angle[:, : d_model // 2])
    return table
    ### END SOLUTION


def add_positional_encoding(x: Tensor) -> Tensor:
    """x (B, L, d_model) + PE[:L], broadcast over the batch."""
    # Build the table for L positions and add it to x with a Tensor +.
    ### BEGIN SOLUTION
    _, length, d_model = x.shape
    table = sinusoidal_table(length, d_model).astype(x.dtype)  # (L, d_model)
    return x + Tensor(table)
    ### END SOLUTION
