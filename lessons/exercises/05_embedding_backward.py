"""Embedding lookup as a Function: write its backward.

Lesson 5 (embeddings). A token id picks a row of the embedding table: "abandon"
-> id 9 -> row 9. That lookup is a product with a one-hot vector that is never
built, and its backward sends each position's gradient to the row of its id.

Task
----
Fill in `Embedding.backward`. `forward(weight, ids)` returns weight[ids]: for
ids of any shape (...), the output has shape (..., D) for a table (V, D). It
saves the ids and the table's shape. backward(grad_out) receives dL/dy of shape
(..., D) and returns dL/dweight of shape (V, D).

The math
--------
    y[n] = W[ids[n]] = onehot(ids[n]) W
    dL/dW = Σ_n onehot(ids[n])ᵀ dL/dy[n]

Row v of dL/dW is the sum of dL/dy[n] over every position n whose id is v, and
zero for ids that do not occur. A sentence that uses "the" twice sends two
gradients to the row of "the": they must add up.

Hints
-----
- Flatten first: ids to (N,), grad_out to (N, D).
- `grad[ids] += rows` looks right and is wrong: with a repeated id, NumPy
  writes the row once and the other contributions are lost. `np.add.at(grad,
  ids, rows)` adds every one of them.
- Return a new array of zeros filled in; the id array itself gets no gradient.

Check your work: python cli.py exercise check embedding_backward
"""

import numpy as np

from tinygrad_tx import Tensor
from tinygrad_tx.function import Function


class Embedding(Function):
    """y = weight[ids], a row of the table (V, D) per id."""

    def forward(self, weight, ids=None):
        self.ids, self.weight_shape = ids, weight.shape
        return weight[ids]

    def backward(self, grad_out):
        # Return dL/dweight (V, D): the sum of grad_out's rows per id.
        ### BEGIN SOLUTION
        n_features = self.weight_shape[1]
        grad = np.zeros(self.weight_shape, dtype=grad_out.dtype)
        np.add.at(grad, self.ids.reshape(-1), grad_out.reshape(-1, n_features))
        return grad
        ### END SOLUTION


def embedding(ids, weight: Tensor) -> Tensor:
    """Rows of `weight` (V, D) picked by integer `ids` of any shape: (..., D)."""
    return Embedding.apply(weight, ids=np.asarray(ids))
