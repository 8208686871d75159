"""Layer normalization over the last axis, as one op with a hand-derived backward,
and the Transformer's post-norm "Add & Norm", LayerNorm(x + dropout(s)), as one op.

The same functions from primitive ops are `tinygrad_tx.composed.layer_norm`
(mean, var, sqrt, div) and Add, Dropout and LayerNorm one after the other; the
tests check that they agree.
"""

from __future__ import annotations

from ..backend import get_array_module
from ..function import Function
from .linalg import column_sums


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
        _check_weight("layer_norm", weight, x.shape)
        xp = get_array_module(x)
        x_hat = x - _row_means(x, xp)  # x - μ
        return _normalize_in_place(self, x_hat, weight, bias, eps, xp)

    def backward(self, grad_out):
        return _layer_norm_grads(self, grad_out)


class AddLayerNorm(Function):
    """z = LayerNorm(x + s ⊙ M): the residual connection and layer norm of a
    post-norm Transformer layer ("Add & Norm"), with the sublayer's output s
    dropped out first (M = keep / (1 - p); 1 without dropout).

    With u = x + s ⊙ M, z is LayerNorm(u), whose backward (see LayerNorm) gives
    du from dL/dz; then, through the sum,

        dL/dx = du,      dL/ds = du ⊙ M.

    Saves x̂, 1/σ and the dropout mask as booleans. The composed version also
    keeps s ⊙ M and u, two more arrays of the activations' size.
    """

    name = "add_layer_norm"

    def forward(self, x, s, weight=None, bias=None, eps=1e-5, keep=None, dropout_p=0.0):
        _check_weight("add_layer_norm", weight, x.shape)
        if s.shape != x.shape:
            raise ValueError(
                f"add_layer_norm: the residual x {x.shape} and the sublayer's "
                f"output {s.shape} must have the same shape"
            )
        xp = get_array_module(x)
        self.keep, self.scale = keep, None
        if keep is None:
            u = x + s
        else:
            self.scale = x.dtype.type(1 / (1 - dropout_p))
            u = s * keep
            u *= self.scale
            u += x
        u -= _row_means(u, xp)  # u - μ, in place
        return _normalize_in_place(self, u, weight, bias, eps, xp)

    def backward(self, grad_out):
        grad_u, *grad_wb = _layer_norm_grads(self, grad_out)
        grad_s = grad_u
        if self.keep is not None and self.needs_input_grad[1]:
            grad_s = grad_u * self.keep
            grad_s *= self.scale
        return (grad_u, grad_s, *grad_wb)


# ------------------------------------------------------------------ shared steps


def _check_weight(op: str, weight, x_shape: tuple) -> None:
    d = x_shape[-1]
    if weight is not None and weight.shape != (d,):
        raise ValueError(
            f"{op}: weight has shape {weight.shape} but the input's last axis has "
            f"{d} features; expected ({d},)"
        )


def _normalize_in_place(fn, centered, weight, bias, eps, xp):
    """x̂ = (x - μ) / σ from the centred x - μ (overwritten with x̂), then
    y = x̂ w + b; saves x̂, 1/σ and what backward needs on `fn`."""
    variance = _row_means(centered, xp, times=centered)  # mean((x - μ)²)
    variance += eps
    inv_sigma = xp.sqrt(variance)
    xp.reciprocal(inv_sigma, out=inv_sigma)
    centered *= inv_sigma  # now x̂
    fn.x_hat, fn.inv_sigma, fn.weight = centered, inv_sigma, weight
    fn.has_bias = bias is not None
    y = centered * weight if weight is not None else centered.copy()
    if bias is not None:
        y += bias
    return y


def _layer_norm_grads(fn, grad_out) -> tuple:
    """(grad_x[, grad_w[, grad_b]]) of y = x̂ w + b, from what
    `_normalize_in_place` saved (x̂, 1/σ, w), as in LayerNorm's docstring."""
    xp = get_array_module(grad_out)
    g, x_hat, weight = grad_out, fn.x_hat, fn.weight
    g_hat = g * weight if weight is not None else g  # ĝ = g ⊙ w
    mean_g = _row_means(g_hat, xp)  # mean(ĝ), one number per row
    mean_gx = _row_means(g_hat, xp, times=x_hat)  # mean(ĝ ⊙ x̂)
    grad_x = g_hat - mean_g  # the path through μ
    grad_x -= x_hat * mean_gx  # the path through σ
    grad_x *= fn.inv_sigma  # grad_x = (1/σ)(ĝ - mean(ĝ) - x̂ mean(ĝ ⊙ x̂))
    grads = [grad_x]
    rows = (-1, x_hat.shape[-1])  # every position is a row of D features
    if weight is not None:  # grad_w = Σ_rows g ⊙ x̂
        grads.append(xp.einsum("ni,ni->i", g.reshape(rows), x_hat.reshape(rows)))
    if fn.has_bias:  # grad_b = Σ_rows g
        grads.append(column_sums(g.reshape(rows)))
    return tuple(grads)


def _row_means(x, xp, times=None):
    """mean over the last axis of x (or of x ⊙ times), keeping it (size 1):
    einsum sums each row in one pass, with no (.., D) temporary for x ⊙ times
    and faster than x.mean(axis=-1) on short rows."""
    d = x.shape[-1]
    rows = x.reshape(-1, d)
    if times is None:
        sums = xp.einsum("ni->n", rows)
    else:
        sums = xp.einsum("ni,ni->n", rows, times.reshape(-1, d))
    return (sums * (1 / d)).reshape(*x.shape[:-1], 1)
