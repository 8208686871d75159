"""Matrix multiplication as a Function: write its backward, batches and
broadcasting included.

Lesson 3 (broadcasting, matmul and gradient checking). Every layer of a
Transformer is a matmul; its backward is two more matmuls, plus a sum when a
batch axis was broadcast.

Task
----
Fill in `MatMul.backward`. `forward(a, b)` computes C = a @ b for a of shape
(..., n, k) and b of shape (..., k, m), NumPy-style: the leading (batch) axes
broadcast, so a (2, 3, 4) stack of matrices times one (4, 5) matrix works, and
so does (1, 3, 4) @ (6, 4, 5). Both inputs have at least two axes.

The math
--------
For one pair of matrices, C[i, j] = Σ_p A[i, p] B[p, j], so with G = dL/dC:

    dL/dA = G Bᵀ        (n, m) @ (m, k) = (n, k)
    dL/dB = Aᵀ G        (k, n) @ (n, m) = (k, m)

With batch axes the same formulas hold matrix by matrix (transpose only the
last two axes). If an input was broadcast along a batch axis, the same matrix
was used several times, and its gradient is the sum of the gradients of all its
uses: reduce each gradient back to its input's shape.

Hints
-----
- `x.swapaxes(-1, -2)` transposes the last two axes of a stack of matrices.
- `tinygrad_tx.function.unbroadcast(grad, shape)` sums a gradient back to `shape`
  (or write that sum yourself: it is the next exercise).
- Check the shapes on paper first: gradcheck will tell you which input is wrong.

Check your work: python cli.py exercise check matmul_backward
"""

from tinygrad_tx.function import Function, unbroadcast


class MatMul(Function):
    """C = a @ b, with batch axes that broadcast."""

    def forward(self, a, b):
        if a.ndim < 2 or b.ndim < 2 or a.shape[-1] != b.shape[-2]:
            raise ValueError(f"matmul: cannot multiply {a.shape} by {b.shape}")
        self.a, self.b = a, b
        return a @ b

    def backward(self, grad_out):
        # Return (dL/da, dL/db): G bᵀ and aᵀ G, each summed back to its
        # input's shape where a batch axis was broadcast.
        ### BEGIN SOLUTION
        a, b = self.a, self.b
        grad_a = grad_out @ b.swapaxes(-1, -2)
        grad_b = a.swapaxes(-1, -2) @ grad_out
        return unbroadcast(grad_a, a.shape), unbroadcast(grad_b, b.shape)
        ### END SOLUTION


def matmul(a, b):
    """a @ b of two Tensors, through your Function."""
    return MatMul.apply(a, b)
