"""Functions that make new tensors: zeros, ones, full, arange, eye, rand, randn.

They mirror NumPy's names and arguments, plus `requires_grad` and `device`.
Random tensors draw on the host generator of `tinygrad_tx.random` (seed it with
`manual_seed`), so the same seed gives the same numbers on every device.
"""

from __future__ import annotations

import numpy as np

from . import random
from .arguments import shape_args
from .backend import check_device, to_device, xp_for
from .tensor import Tensor


def _make(array, requires_grad, device) -> Tensor:
    """A leaf tensor around a freshly made array (no copy: nobody else holds it)."""
    device = check_device(device)
    t = Tensor._from_op(to_device(array, device), device, False)
    return t.requires_grad_(requires_grad)


def tensor(data, requires_grad=False, device="cpu", dtype=None) -> Tensor:
    return Tensor(data, requires_grad=requires_grad, device=device, dtype=dtype)


def zeros(*shape, dtype=np.float32, requires_grad=False, device="cpu") -> Tensor:
    return _make(
        xp_for(check_device(device)).zeros(shape_args(shape), dtype),
        requires_grad,
        device,
    )


def ones(*shape, dtype=np.float32, requires_grad=False, device="cpu") -> Tensor:
    return _make(
        xp_for(check_device(device)).ones(shape_args(shape), dtype),
        requires_grad,
        device,
    )


def full(shape, value, dtype=np.float32, requires_grad=False, device="cpu") -> Tensor:
    return _make(
        xp_for(check_device(device)).full(shape, value, dtype), requires_grad, device
    )


def zeros_like(t: Tensor, requires_grad=False) -> Tensor:
    return zeros(t.shape, dtype=t.dtype, requires_grad=requires_grad, device=t.device)


def ones_like(t: Tensor, requires_grad=False) -> Tensor:
    return ones(t.shape, dtype=t.dtype, requires_grad=requires_grad, device=t.device)


def arange(start, stop=None, step=1, dtype=None, device="cpu") -> Tensor:
    """start, start + step, ... up to (excluding) stop; integers stay int64 and
    floats become float32 unless `dtype` says otherwise (as Tensor does)."""
    array = np.arange(start, stop, step) if stop is not None else np.arange(start)
    if dtype is None and array.dtype.kind == "f":
        dtype = np.float32
    return _make(array if dtype is None else array.astype(dtype), False, device)


def eye(n: int, dtype=np.float32, requires_grad=False, device="cpu") -> Tensor:
    return _make(np.eye(n, dtype=dtype), requires_grad, device)


def randn(*shape, dtype=np.float32, requires_grad=False, device="cpu") -> Tensor:
    """Samples from the standard normal distribution N(0, 1)."""
    array = random.host_generator().standard_normal(shape_args(shape)).astype(dtype)
    return _make(array, requires_grad, device)


def rand(*shape, dtype=np.float32, requires_grad=False, device="cpu") -> Tensor:
    """Samples from the uniform distribution on [0, 1)."""
    array = random.host_generator().random(shape_args(shape)).astype(dtype)
    return _make(array, requires_grad, device)


def randint(low: int, high: int, shape, device="cpu") -> Tensor:
    """Integers drawn uniformly from [low, high)."""
    array = random.host_generator().integers(low, high, size=shape, dtype=np.int64)
    return _make(array, False, device)
