"""Softmax as a Function: write its forward and its backward.

Lesson 6 (attention as a weighted sum). Attention turns scores into weights that
are positive and sum to 1 with softmax; training needs its backward.

Task
----
Fill in `Softmax.forward` and `Softmax.backward`, on arrays.

- forward(x, axis) returns y = softmax(x) along `axis` and saves what backward
  needs on `self`. It must work for logits such as [1000, 1001, 1002].
- backward(grad_out) returns dL/dx for g = grad_out = dL/dy.

The math
--------
    y_i = e^(x_i) / Σ_j e^(x_j)

Softmax does not change when a constant c is added to every x_i (the e^c cancel),
so compute it from x - max(x): every exponent is then <= 0 and nothing overflows.

The Jacobian is dy_i/dx_j = y_i (δ_ij - y_j). Multiplied by the upstream g:

    dL/dx_j = Σ_i g_i y_i (δ_ij - y_j) = y_j (g_j - Σ_i g_i y_i)

so backward needs only y, never the (n, n) Jacobian.

Hints
-----
- `x.max(axis=axis, keepdims=True)` and `.sum(axis=axis, keepdims=True)` keep the
  reduced axis (size 1) so the result broadcasts against x.
- The sum Σ_i g_i y_i is taken along `axis`, one value per row.
- A backward of `g * y * (1 - y)` is the derivative of each y_i by its own x_i
  only: it forgets that every y_i depends on every x_j.

Check your work: python cli.py exercise check softmax
"""

from tinygrad_tx.backend import get_array_module
from tinygrad_tx.function import Function


class Softmax(Function):
    """y = softmax(x) along `axis`."""

    def forward(self, x, axis=-1):
        xp = get_array_module(x)
        self.axis = axis
        # Return softmax(x) along `axis`, computed from x - max(x); save y on self.
        ### BEGIN SOLUTION
        e = xp.exp(x - x.max(axis=axis, keepdims=True))
        self.y = e / e.sum(axis=axis, keepdims=True)
        return self.y
        ### END SOLUTION

    def backward(self, grad_out):
        # Return dL/dx = y * (g - Σ g y), the sum along self.axis.
        ### BEGIN SOLUTION
        y = self.y
        return y * (grad_out - (grad_out * y).sum(axis=self.axis, keepdims=True))
        ### END SOLUTION


def softmax(x, axis=-1):
    """softmax of a Tensor along `axis`, through your Function."""
    return Softmax.apply(x, axis=axis)
