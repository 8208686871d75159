"""Sigmoid and tanh as Functions: write their backward passes.

Lesson 2 (tensors and autograd). A neuron squashes its weighted sum with an
activation; autograd needs, for each activation, the local derivative to multiply
the upstream gradient by (the chain rule).

Task
----
Fill in `Sigmoid.backward` and `Tanh.backward`. Each `forward` is written for
you and saves its output `self.y`; `backward(grad_out)` receives g = dL/dy (an
array shaped like y) and returns dL/dx = g * dy/dx as a new array (never change
grad_out in place).

The math
--------
    σ(x)   = 1 / (1 + e^(-x))          dσ/dx   = σ(x) (1 - σ(x)) = y (1 - y)
    tanh(x) = (e^x - e^-x)/(e^x + e^-x)  dtanh/dx = 1 - tanh(x)² = 1 - y²

Both derivatives are written with the output y alone: that is why forward saves
y and not x.

Hints
-----
- Work on arrays (NumPy), not Tensors: `self.y` and `grad_out` are arrays.
- Multiply by grad_out: the derivative alone is the gradient only when L = y.
- At x = ±30 the sigmoid is 0 or 1 in float32 and its derivative must be ~0.

Check your work: python cli.py exercise check sigmoid_tanh_backward
"""

from tinygrad_tx.backend import get_array_module
from tinygrad_tx.function import Function


class Sigmoid(Function):
    """y = σ(x) = 1 / (1 + e^(-x)), elementwise."""

    def forward(self, x):
        xp = get_array_module(x)
        # exp(-logaddexp(0, -x)) = 1 / (1 + e^-x), with no overflow for x << 0
        self.y = xp.exp(-xp.logaddexp(0, -x)).astype(x.dtype)
        return self.y

    def backward(self, grad_out):
        # Return dL/dx = grad_out * σ'(x), with σ'(x) written using self.y.
        ### BEGIN SOLUTION
        y = self.y
        return grad_out * y * (1 - y)
        ### END SOLUTION


class Tanh(Function):
    """y = tanh(x), elementwise."""

    def forward(self, x):
        xp = get_array_module(x)
        self.y = xp.tanh(x)
        return self.y

    def backward(self, grad_out):
        # Return dL/dx = grad_out * tanh'(x), with tanh'(x) written using self.y.
        ### BEGIN SOLUTION
        y = self.y
        return grad_out * (1 - y * y)
        ### END SOLUTION


def sigmoid(x):
    """σ(x) of a Tensor, through your Function."""
    return Sigmoid.apply(x)


def tanh(x):
    """tanh(x) of a Tensor, through your Function."""
    return Tanh.apply(x)
