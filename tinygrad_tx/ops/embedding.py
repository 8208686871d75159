"""Embedding lookup and dropout: an op that picks rows by id, and one that
keeps elements by a random mask."""

from __future__ import annotations

from ..arguments import check_in_range
from ..backend import get_array_module, scatter_add
from ..function import Function


class Embedding(Function):
    """y[n] = W[ids[n]]: row ids[n] of the table W (V, D), for every id.

    Looking up row i is multiplying W by the one-hot vector of i, never built:
    y = onehot(ids) W. Backward is therefore grad_W = onehot(ids)ᵀ grad_out, which
    adds each position's gradient into the row of its id. An id used twice gets
    both gradients added (a scatter-add, not an assignment).
    """

    def forward(self, weight, ids=None):
        n_rows = weight.shape[0]
        table = f"a table of {n_rows} rows"
        check_in_range("embedding", ids, 0, n_rows - 1, "token id", table)
        self.ids, self.weight_shape = ids, weight.shape
        return weight[ids]

    def backward(self, grad_out):
        xp = get_array_module(grad_out)
        grad_w = xp.zeros(self.weight_shape, dtype=grad_out.dtype)
        scatter_add(
            grad_w, self.ids.ravel(), grad_out.reshape(-1, self.weight_shape[1])
        )
        return grad_w


class Dropout(Function):
    """y = x * m / (1 - p), m_i ~ Bernoulli(1 - p): zero each element with
    probability p and scale the survivors so that E[y] = x ("inverted dropout",
    so evaluation needs no rescaling). dy/dx = m / (1 - p), the same mask.

    The mask m (`keep`, booleans of x's shape) is drawn by the caller
    (`random.keep_mask`). Saves it: one byte per element, a quarter of a float.
    """

    def forward(self, x, keep=None, p=0.5):
        self.keep = keep
        self.scale = x.dtype.type(1 / (1 - p))
        y = x * self.keep
        y *= self.scale
        return y

    def backward(self, grad_out):
        grad_x = grad_out * self.keep
        grad_x *= self.scale
        return grad_x
