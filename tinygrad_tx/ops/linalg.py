"""Matrix products: matmul (NumPy's @, batched and broadcasting) and linear.

For C = A B with A (n, k) and B (k, m), each C[i, j] = Σ_p A[i, p] B[p, j], so

    dL/dA = dL/dC Bᵀ        dL/dB = Aᵀ dL/dC

(shapes check it: (n, m)(m, k) = (n, k) and (k, n)(n, m) = (k, m)). With leading
batch axes the same holds per matrix, and a batch axis that was broadcast sums
its gradients back (unbroadcast), as for any broadcast.
"""

from __future__ import annotations

from ..arguments import broadcast_shape
from ..backend import get_array_module
from ..function import Function, unbroadcast


def _matmul(a, b):
    """a @ b, folding a's batch axes into rows when b is a single matrix: one
    large BLAS call instead of one per batch element."""
    if a.ndim > 2 and b.ndim == 2:
        return (a.reshape(-1, a.shape[-1]) @ b).reshape(*a.shape[:-1], b.shape[-1])
    return a @ b


def _check_matmul_shapes(a, b) -> None:
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(
            f"matmul: cannot multiply {a.shape} by {b.shape}: both need at least one "
            "axis (use * to multiply by a scalar)"
        )
    k_a = a.shape[-1]
    k_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if k_a != k_b:
        raise ValueError(
            f"matmul: cannot multiply {a.shape} by {b.shape}: inner sizes "
            f"{k_a} != {k_b}"
        )


class MatMul(Function):
    """C = A @ B.   dL/dA = dL/dC Bᵀ,   dL/dB = Aᵀ dL/dC.

    1-D operands follow NumPy: a vector on the left is a row (1, k), on the right
    a column (k, 1), and the added axis is removed from the result.
    """

    def forward(self, a, b):
        _check_matmul_shapes(a, b)
        self.a_shape, self.b_shape = a.shape, b.shape
        # Promote vectors to matrices, as NumPy does, and remember to undo it.
        self.a = a[None, :] if a.ndim == 1 else a
        self.b = b[:, None] if b.ndim == 1 else b
        return _matmul(a, b)

    def backward(self, grad_out):
        a, b = self.a, self.b
        # grad_out with the vectors' removed axes put back: (..., n, m)
        batch = broadcast_shape(a.shape[:-2], b.shape[:-2])  # checked by forward
        grad = grad_out.reshape(*batch, a.shape[-2], b.shape[-1])
        grad_a = grad_b = None
        if self.needs_input_grad[0]:
            grad_a = _matmul(grad, b.swapaxes(-1, -2))
            grad_a = unbroadcast(grad_a, a.shape).reshape(self.a_shape)
        if self.needs_input_grad[1]:
            grad_b = self._grad_b(a, grad)
        return grad_a, grad_b

    def _grad_b(self, a, grad):
        b = self.b
        if b.ndim == 2 and a.ndim > 2:
            # Aᵀ dC summed over the batch is one product of the folded rows.
            k, m = b.shape
            grad_b = a.reshape(-1, k).T @ grad.reshape(-1, m)
        else:
            grad_b = unbroadcast(a.swapaxes(-1, -2) @ grad, b.shape)
        return grad_b.reshape(self.b_shape)


class Linear(Function):
    """y = x Wᵀ + b, the fully connected layer, with W of shape (out, in).

    dL/dx = dL/dy W,   dL/dW = dL/dyᵀ x (summed over all rows),   dL/db = Σ_rows dL/dy.
    One op instead of matmul + transpose + add: fewer temporaries and graph nodes.
    """

    def forward(self, x, weight, bias=None):
        _check_linear_shapes("linear", x, weight)
        self.x, self.weight, self.has_bias = x, weight, bias is not None
        y = _matmul(x, weight.T)
        if bias is not None:
            y += bias
        return y

    def backward(self, grad_out):
        return _linear_grads(self, grad_out)


class LinearReLU(Function):
    """h = relu(x Wᵀ + b) ⊙ M: a Linear layer, its ReLU and its dropout in one
    op (the first half of the Transformer's feed-forward network).

    M is inverted dropout's mask, keep / (1 - p), or 1 without dropout. Forward
    computes a = x Wᵀ + b and turns it into h in the same array, so neither a
    nor relu(a) is kept: only x (an input, which the graph holds anyway) and h.

    Backward, with G = dL/dh. h > 0 exactly where a > 0 and the element was
    kept, so h itself tells where the gradient passes:

        dL/da = G ⊙ M ⊙ [a > 0] = G ⊙ [h > 0] / (1 - p)

    and then, as for Linear: dx = (dL/da) W, dW = (dL/da)ᵀ x, db = Σ_rows dL/da.
    The composed version (Linear, ReLU, Dropout) keeps a, relu(a) and M too.
    """

    name = "linear_relu"

    def forward(self, x, weight, bias=None, keep=None, dropout_p=0.0):
        _check_linear_shapes("linear_relu", x, weight)
        xp = get_array_module(x)
        self.x, self.weight, self.has_bias = x, weight, bias is not None
        h = _matmul(x, weight.T)
        if bias is not None:
            h += bias
        xp.maximum(h, 0, out=h)  # not h * (h > 0): -inf * 0 = NaN
        self.scale = None
        if keep is not None:
            self.scale = x.dtype.type(1 / (1 - dropout_p))
            h *= keep
            h *= self.scale
        self.h = h
        return h

    def backward(self, grad_out):
        grad_a = grad_out * (self.h > 0)
        if self.scale is not None:
            grad_a *= self.scale
        return _linear_grads(self, grad_a)


def _check_linear_shapes(op: str, x, weight) -> None:
    if x.shape[-1] != weight.shape[1]:
        raise ValueError(
            f"{op}: input of shape {x.shape} has {x.shape[-1]} features but the "
            f"weight {weight.shape} expects {weight.shape[1]} (weight is (out, in))"
        )


def _linear_grads(fn, grad_out):
    """(dx, dW[, db]) of y = x Wᵀ + b for upstream gradient grad_out, with
    fn.x, fn.weight, fn.has_bias and fn.needs_input_grad saved by forward."""
    x, weight = fn.x, fn.weight
    n_out, n_in = weight.shape
    rows = grad_out.reshape(-1, n_out)
    grad_x = grad_w = grad_b = None
    if fn.needs_input_grad[0]:
        grad_x = (rows @ weight).reshape(x.shape)
    if fn.needs_input_grad[1]:
        grad_w = rows.T @ x.reshape(-1, n_in)
    if fn.has_bias and fn.needs_input_grad[2]:
        grad_b = column_sums(rows)
    return (grad_x, grad_w, grad_b) if fn.has_bias else (grad_x, grad_w)


def column_sums(rows):
    """Σ over the rows of a matrix (N, M) -> (M,), as the product 1ᵀ rows: one
    BLAS call, which uses every thread (about twice NumPy's sum(axis=0))."""
    return get_array_module(rows).ones(rows.shape[0], dtype=rows.dtype) @ rows
