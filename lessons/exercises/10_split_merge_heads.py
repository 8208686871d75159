"""Multi-head attention's reshapes: split d_model into heads, and merge them back.

Lesson 10 (multi-head attention). Instead of one attention over d_model
features, H heads each attend over their own D = d_model / H features, side by
side. No loop over heads is needed: one reshape and one transpose turn the
projected (B, T, d_model) into (B, H, T, D), attention runs on all heads at
once, and the inverse turns the result back into (B, T, d_model).

Task
----
1. `split_heads(x, n_heads)`: (B, T, d_model) -> (B, H, T, D). Head h holds the
   features h·D .. (h+1)·D - 1 of every position. Raise ValueError when d_model
   is not divisible by n_heads (say both numbers in the message).
2. `merge_heads(x)`: (B, H, T, D) -> (B, T, H·D), the inverse of split_heads:
   merge_heads(split_heads(x, H)) == x.

Use Tensor methods (reshape, transpose) so that gradients flow through.

The math
--------
    split:  (B, T, d_model) --reshape--> (B, T, H, D) --transpose(0, 2, 1, 3)--> (B, H, T, D)
    merge:  (B, H, T, D) --transpose(0, 2, 1, 3)--> (B, T, H, D) --reshape--> (B, T, H·D)

Hints
-----
- Reshaping (B, T, d_model) straight to (B, H, T, D) runs without error and is
  wrong: it cuts the sequence, not the features, into heads. Reshape first to
  (B, T, H, D), where the last axis is split, then move H before T.
- `x.shape` gives (B, T, d_model); D = d_model // n_heads.

Check your work: python cli.py exercise check split_merge_heads
"""

from tinygrad_tx import Tensor


def split_heads(x: Tensor, n_heads: int) -> Tensor:
    """(B, T, d_model) -> (B, H, T, D) with D = d_model / H."""
    # Check d_model % n_heads == 0 (ValueError), reshape, then transpose.
    ### BEGIN SOLUTION
    batch, length, d_model = x.shape
    if d_model % n_heads != 0:
        raise ValueError(
            f"split_heads: d_model = {d_model} is not divisible by n_heads = {n_heads}"
        )
    x = x.reshape(batch, length, n_heads, d_model // n_heads)  # (B, T, H, D)
    return x.transpose(0, 2, 1, 3)  # (B, H, T, D)
    ### END SOLUTION


def merge_heads(x: Tensor) -> Tensor:
    """(B, H, T, D) -> (B, T, H·D), the inverse of split_heads."""
    # Transpose back to (B, T, H, D), then reshape to (B, T, H·D).
    ### BEGIN SOLUTION
    batch, n_heads, length, d_head = x.shape
    x = x.transpose(0, 2, 1, 3)  # (B, T, H, D)
    return x.reshape(batch, length, n_heads * d_head)  # (B, T, H·D)
    ### END SOLUTION
