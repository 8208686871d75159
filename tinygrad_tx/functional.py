"""Functional forms of the fused ops and layers (import as F), as torch.nn.functional.

Each function checks its arguments, then applies one op from `tinygrad_tx.ops`;
the math of each op, forward and backward, is documented in its class.
"""

from __future__ import annotations

from . import random
from .backend import xp_for
from .ops.embedding import Dropout, Embedding
from .ops.linalg import Linear
from .ops.loss import CrossEntropy
from .ops.normalization import LayerNorm
from .ops.softmax import LogSoftmax, Softmax
from .tensor import Tensor


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x Wᵀ + b, with W of shape (out_features, in_features)."""
    return Linear.apply(x, weight) if bias is None else Linear.apply(x, weight, bias)


def relu(x: Tensor) -> Tensor:
    return x.relu()


def softmax(x: Tensor, axis: int = -1) -> Tensor:
    return Softmax.apply(x, axis=axis)


def log_softmax(x: Tensor, axis: int = -1) -> Tensor:
    return LogSoftmax.apply(x, axis=axis)


def layer_norm(
    x: Tensor,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise over the last axis to mean 0 and variance 1, then scale and shift."""
    if bias is not None and weight is None:
        weight = Tensor(
            xp_for(x.device).ones(x.shape[-1], dtype=x.dtype), device=x.device
        )
    inputs = [t for t in (x, weight, bias) if t is not None]
    return LayerNorm.apply(*inputs, eps=eps)


def cross_entropy(
    logits: Tensor,
    target,
    ignore_index: int | None = None,
    label_smoothing: float = 0.0,
    reduction: str = "mean",
) -> Tensor:
    """Cross-entropy between logits (..., C) and integer targets (...).

    ignore_index: targets equal to it (padding) add nothing to the loss.
    label_smoothing: ε in [0, 1): the target puts 1 - ε on the class and ε/C on all.
    reduction: "mean" over the counted positions, "sum", or "none" (one per position).
    """
    if not 0.0 <= label_smoothing < 1.0:
        raise ValueError(
            f"cross_entropy: label_smoothing must be in [0, 1), got {label_smoothing}"
        )
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(
            f"cross_entropy: reduction must be 'mean', 'sum' or 'none', got {reduction!r}"
        )
    target = _index_array(target, logits.device)
    return CrossEntropy.apply(
        logits,
        target=target,
        ignore_index=ignore_index,
        label_smoothing=label_smoothing,
        reduction=reduction,
    )


def embedding(ids, weight: Tensor) -> Tensor:
    """Rows of `weight` (V, D) picked by integer `ids` of any shape: (..., D)."""
    ids = _index_array(ids, weight.device)
    return Embedding.apply(weight, ids=ids)


def dropout(x: Tensor, p: float = 0.5, training: bool = True) -> Tensor:
    """Zero elements with probability p and scale the rest by 1/(1-p) while
    training; the identity in evaluation (training=False) or when p == 0."""
    if not 0.0 <= p < 1.0:
        raise ValueError(f"dropout: p must be in [0, 1), got {p}")
    if not training or p == 0.0:
        return x
    return Dropout.apply(x, p=p, rng=random.generator(x.device))


def _index_array(values, device: str):
    """Class ids or token ids (Tensor, array or list) as an array on `device`,
    keeping their integer dtype (the ops check it is an integer one)."""
    if isinstance(values, Tensor):
        return values.to(device).data
    return Tensor(values, device=device).data
