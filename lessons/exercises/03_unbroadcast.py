"""Unbroadcast: reduce a gradient to the shape of the input it belongs to.

Lesson 3 (broadcasting, matmul and gradient checking). When x + b adds a bias b
of shape (3,) to x of shape (2, 3), b is copied to every row. Each copy sends its
own gradient back, so b's gradient is their sum: the adjoint of broadcasting is
summing.

Task
----
Write `unbroadcast(grad, shape)`: given an array `grad` with the broadcast
shape, return the array of shape `shape` that sums every copy. Then `Add`, below,
uses it, and its gradients become right for any broadcast.

The math
--------
NumPy broadcasts `shape` to grad.shape in two ways:

1. it prepends axes: (3,) -> (1, 3) -> (2, 3). Sum over those leading axes.
2. it stretches axes of size 1: (4, 1) -> (4, 5). Sum over each such axis,
   keeping it (keepdims=True) so it stays of size 1.

Example: shape (3, 1) broadcast to (2, 3, 4): sum over axis 0 (new), then over
axis 2 keeping it; the result has shape (3, 1).

Hints
-----
- The number of leading axes to remove is grad.ndim - len(shape).
- An axis of size 1 in `shape` may also be of size 1 in grad: summing it is
  harmless, but only where the sizes differ is a sum needed.
- Finish with `.reshape(shape)` so a scalar shape () works as well.

Check your work: python cli.py exercise check unbroadcast
"""

from tinygrad_tx.function import Function


def unbroadcast(grad, shape):
    """Sum `grad` (an array) down to `shape`, the adjoint of broadcasting."""
    # Sum over the leading axes that broadcasting added, then over the axes that
    # were stretched from size 1 (keepdims=True); return an array of `shape`.
    ### BEGIN SOLUTION
    shape = tuple(shape)
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad.reshape(shape)
    ### END SOLUTION


class Add(Function):
    """z = x + y with broadcasting; dz/dx = dz/dy = 1, reduced to each shape."""

    def forward(self, x, y):
        self.x_shape, self.y_shape = x.shape, y.shape
        return x + y

    def backward(self, grad_out):
        return unbroadcast(grad_out, self.x_shape), unbroadcast(grad_out, self.y_shape)


def add(x, y):
    """x + y of two Tensors, through the Add above (and your unbroadcast)."""
    return Add.apply(x, y)
