"""Layer normalization over the last axis, one op with a hand-derived backward.

The same function from primitive ops (mean, var, sqrt, div) is in
`tinygrad_tx.composed.layer_norm`; the tests check that both agree.
"""

from __future__ import annotations

from ..backend import get_array_module
from ..function import Function


class LayerNorm(Function):
    """y = x̂ * w + b, with x̂ = (x - μ) / σ over the last axis (D features):

        μ = (1/D) Σ x,   σ = √((1/D) Σ (x - μ)² + eps)

    With upstream gradient g and ĝ = g * w (the gradient reaching x̂):

        grad_x = (1/σ) (ĝ - mean(ĝ) - x̂ * mean(ĝ * x̂))
        grad_w = Σ_rows g * x̂,    grad_b = Σ_rows g

    The two means are the paths through μ and through σ: shifting every x by the
    same amount, or scaling them all, leaves x̂ unchanged, so those directions are
    projected out of ĝ. Saves x̂ and 1/σ.
    """

    name = "layer_norm"

    def forward(self, x, weight=None, bias=None, eps=1e-5):
        # Called with (x), (x, weight) or (x, weight, bias): the inputs present.
        xp = get_array_module(x)
        d = x.shape[-1]
        if weight is not None and weight.shape != (d,):
            raise ValueError(
                f"layer_norm: weight has shape {weight.shape} but the input's last "
                f"axis has {d} features; expected ({d},)"
            )
        x_hat = x - x.mean(axis=-1, keepdims=True)
        variance = (x_hat * x_hat).mean(axis=-1, keepdims=True)
        inv_sigma = 1 / xp.sqrt(variance + eps)
        x_hat *= inv_sigma
        self.x_hat, self.inv_sigma, self.weight = x_hat, inv_sigma, weight
        self.has_bias = bias is not None
        y = x_hat * weight if weight is not None else x_hat.copy()
        if bias is not None:
            y += bias
        return y

    def backward(self, grad_out):
        x_hat, weight = self.x_hat, self.weight
        g_hat = grad_out * weight if weight is not None else grad_out
        grad_x = g_hat - g_hat.mean(axis=-1, keepdims=True)
        grad_x -= x_hat * (g_hat * x_hat).mean(axis=-1, keepdims=True)
        grad_x *= self.inv_sigma
        grads = [grad_x]
        rows = (-1, x_hat.shape[-1])
        if weight is not None:
            grads.append((grad_out * x_hat).reshape(rows).sum(axis=0))
        if self.has_bias:
            grads.append(grad_out.reshape(rows).sum(axis=0))
        return tuple(grads)
