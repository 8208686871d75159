"""Initialisers: fill a parameter in place (PyTorch's trailing-underscore names).

Every initialiser draws on the host generator (`tinygrad_tx.manual_seed`), then
copies to the parameter's device: the same seed gives the same model anywhere.
"""

from __future__ import annotations

import math

import numpy as np

from ..backend import to_device
from ..random import host_generator
from ..tensor import Tensor


def _fill(t: Tensor, array: np.ndarray) -> Tensor:
    t.data = to_device(array.astype(t.dtype), t.device)
    return t


def fans(t: Tensor) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of shape (out, in, ...), PyTorch's convention."""
    if t.ndim < 2:
        raise ValueError(
            f"init: fan-in and fan-out need at least 2 axes, got shape {t.shape}"
        )
    receptive = math.prod(t.shape[2:])
    return t.shape[1] * receptive, t.shape[0] * receptive


def uniform_(t: Tensor, low: float = 0.0, high: float = 1.0) -> Tensor:
    return _fill(t, host_generator().uniform(low, high, size=t.shape))


def normal_(t: Tensor, mean: float = 0.0, std: float = 1.0) -> Tensor:
    return _fill(t, host_generator().normal(mean, std, size=t.shape))


def zeros_(t: Tensor) -> Tensor:
    return _fill(t, np.zeros(t.shape))


def ones_(t: Tensor) -> Tensor:
    return _fill(t, np.ones(t.shape))


def xavier_uniform_(t: Tensor, gain: float = 1.0) -> Tensor:
    """U(-a, a) with a = gain √(6 / (fan_in + fan_out)) (Glorot and Bengio, 2010):
    keeps the variance of activations and of gradients about equal across layers."""
    fan_in, fan_out = fans(t)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(t, -bound, bound)


def kaiming_uniform_linear_(t: Tensor) -> Tensor:
    """PyTorch's default for Linear weights: U(-1/√fan_in, 1/√fan_in)."""
    bound = 1.0 / math.sqrt(fans(t)[0])
    return uniform_(t, -bound, bound)
