"""Layer normalization as a Function: write its backward.

Lesson 12 (residual connections, Add & Norm). Every sublayer of the Transformer
ends in LayerNorm(x + Sublayer(x)); its backward is the least obvious gradient of
the model, because the mean and the spread depend on every input of the row.

Task
----
Fill in `LayerNorm.backward`. `forward(x, weight, bias)` normalises the last
axis of x (D features) and saves x̂ (`self.x_hat`), 1/σ (`self.inv_sigma`, one
per row) and the weight. backward(grad_out) returns (dL/dx, dL/dweight,
dL/dbias) for g = grad_out.

The math
--------
    μ = (1/D) Σ_d x_d        σ = √((1/D) Σ_d (x_d - μ)² + eps)
    x̂ = (x - μ) / σ          y = x̂ * weight + bias

The parameters are easy, summed over every row (every axis but the last):

    dL/dbias = Σ_rows g              dL/dweight = Σ_rows g * x̂

For x, let ĝ = g * weight (the gradient reaching x̂). Then, per row,

    dL/dx = (1/σ) (ĝ - mean(ĝ) - x̂ * mean(ĝ * x̂))

The first mean is the path through μ: adding a constant to every x_d leaves x̂
unchanged. The second is the path through σ: scaling the centred x leaves x̂
unchanged. Both directions are projected out of ĝ.

Hints
-----
- Means are over the last axis with keepdims=True; sums for weight and bias are
  over all the other axes: reshape g to (-1, D) and sum axis 0.
- Forgetting the σ path (the last term) passes a test at one special point
  only: gradcheck at random inputs will find it.

Check your work: python cli.py exercise check layer_norm_backward
"""

from tinygrad_tx.backend import get_array_module
from tinygrad_tx.function import Function


class LayerNorm(Function):
    """y = (x - μ) / σ * weight + bias over the last axis."""

    def forward(self, x, weight, bias, eps=1e-5):
        xp = get_array_module(x)
        centred = x - x.mean(axis=-1, keepdims=True)
        variance = (centred * centred).mean(axis=-1, keepdims=True)
        self.inv_sigma = 1 / xp.sqrt(variance + eps)  # (..., 1)
        self.x_hat = centred * self.inv_sigma  # (..., D)
        self.weight = weight  # (D,)
        return self.x_hat * weight + bias

    def backward(self, grad_out):
        # Return (dL/dx, dL/dweight, dL/dbias) with the formulas above.
        ### BEGIN SOLUTION
        x_hat, inv_sigma = self.x_hat, self.inv_sigma
        d = x_hat.shape[-1]
        g_hat = grad_out * self.weight
        grad_x = inv_sigma * (
            g_hat
            - g_hat.mean(axis=-1, keepdims=True)
            - x_hat * (g_hat * x_hat).mean(axis=-1, keepdims=True)
        )
        grad_weight = (grad_out * x_hat).reshape(-1, d).sum(axis=0)
        grad_bias = grad_out.reshape(-1, d).sum(axis=0)
        return grad_x, grad_weight, grad_bias
        ### END SOLUTION


def layer_norm(x, weight, bias, eps=1e-5):
    """LayerNorm of a Tensor over its last axis, through your Function."""
    return LayerNorm.apply(x, weight, bias, eps=eps)
