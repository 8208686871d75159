"""Reference compositions of the fused ops, from primitive ops only.

`tinygrad_tx.functional` runs softmax, log_softmax, layer_norm and cross_entropy
as single ops with hand-derived backward passes (fast, few graph nodes). Here
the same functions are spelled out with exp, sum, max, log, mean, var, sqrt and
indexing, so autograd derives their backward from the primitives. The tests
check that both agree in values and gradients; lessons draw both graphs to show
what fusing saves.
"""

from __future__ import annotations

import numpy as np

from .tensor import Tensor


def softmax(x: Tensor, axis: int = -1) -> Tensor:
    """exp(x - max x) / Σ exp(x - max x): the max is a constant (detached), as
    softmax does not depend on it."""
    e = (x - x.max(axis=axis, keepdims=True).detach()).exp()
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(x: Tensor, axis: int = -1) -> Tensor:
    """x - max x - log Σ exp(x - max x)."""
    shifted = x - x.max(axis=axis, keepdims=True).detach()
    return shifted - shifted.exp().sum(axis=axis, keepdims=True).log()


def layer_norm(
    x: Tensor,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """(x - mean) / √(var + eps) * weight + bias, over the last axis."""
    x_hat = (x - x.mean(axis=-1, keepdims=True)) / (
        x.var(axis=-1, keepdims=True) + eps
    ).sqrt()
    if weight is not None:
        x_hat = x_hat * weight
    return x_hat + bias if bias is not None else x_hat


def cross_entropy(
    logits: Tensor,
    target,
    ignore_index: int | None = None,
    label_smoothing: float = 0.0,
    reduction: str = "mean",
) -> Tensor:
    """-Σ_c q_c log p_c per position, q the smoothed one-hot target; ignored
    positions count 0; then the mean over counted positions, the sum, or none."""
    target = np.asarray(target.numpy() if isinstance(target, Tensor) else target)
    n_classes = logits.shape[-1]
    log_p = log_softmax(logits).reshape(-1, n_classes)  # (N, C)
    flat = target.reshape(-1)
    keep = np.ones(flat.shape, bool) if ignore_index is None else flat != ignore_index
    rows = Tensor(np.arange(flat.size), device=logits.device)
    classes = Tensor(np.where(keep, flat, 0), device=logits.device)
    eps = label_smoothing
    losses = -(1 - eps) * log_p[rows, classes] - (eps / n_classes) * log_p.sum(axis=-1)
    losses = losses * Tensor(keep, device=logits.device, dtype=logits.dtype)  # (N,)
    if reduction == "none":
        return losses.reshape(target.shape)
    if reduction == "sum":
        return losses.sum()
    return losses.sum() / max(int(keep.sum()), 1)
