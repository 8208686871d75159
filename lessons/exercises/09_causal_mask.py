"""The causal mask, and the decoder's mask that also hides padding.

Lesson 9 (masked attention). While training, the decoder reads the whole target
sentence at once, but position t must predict token t+1 from tokens 0..t only:
in "O gato <?> feliz", the blank may look at "O gato" and not at "feliz". The
mask forbids every look into the future.

Task
----
1. `causal_mask(T)`: a boolean Tensor of shape (T, T), True where query t may
   attend to key s, that is where s <= t.
2. `decoder_mask(tgt, pad_id)`: for a batch of target ids (B, T), the mask of the
   decoder's self-attention, of shape (B, 1, T, T): causal AND the key is not
   padding. The axis of size 1 broadcasts over the heads.

The math
--------
    causal[t, s] = (s <= t)                      lower triangle, diagonal included
    decoder[b, 0, t, s] = causal[t, s] and tgt[b, s] != pad_id

For T = 3:   [[T, F, F],
              [T, T, F],
              [T, T, T]]

Hints
-----
- `np.tril` keeps the lower triangle of a matrix; `np.ones((T, T), dtype=bool)`.
- Masks are constants, not part of the graph: build them on NumPy arrays, then
  wrap the result with `Tensor(array)`.
- `ids.numpy() != pad_id` is (B, T); reshape it to (B, 1, 1, T) so it broadcasts
  against a (T, T) causal mask as keys (the last axis).

Check your work: python cli.py exercise check causal_mask
"""

import numpy as np

from tinygrad_tx import Tensor


def causal_mask(T: int) -> Tensor:
    """(T, T) booleans, True on and below the diagonal."""
    # Return Tensor(a boolean (T, T) array that is True where key s <= query t).
    ### BEGIN SOLUTION
    return Tensor(np.tril(np.ones((T, T), dtype=bool)))
    ### END SOLUTION


def decoder_mask(tgt: Tensor, pad_id: int) -> Tensor:
    """(B, 1, T, T): causal, and False at padded keys."""
    # Combine causal_mask(T) with (tgt != pad_id) along the key axis.
    ### BEGIN SOLUTION
    batch, length = tgt.shape
    real = (tgt.numpy() != pad_id).reshape(batch, 1, 1, length)  # (B, 1, 1, T)
    return Tensor(real & causal_mask(length).numpy())  # (B, 1, T, T)
    ### END SOLUTION
