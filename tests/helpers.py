"""Test helpers: seeded inputs, and comparing an op with its NumPy oracle.

`rand(shape, seed)` makes seeded uniform inputs; `assert_close` compares any
array or Tensor (on any device) with an expected host array, shapes first.

`check_op(fn, oracle, arrays, device)`:
  1. forward: fn on float64 Tensors on `device` equals oracle on NumPy arrays
     (shape asserted first), and in float32 within float32 tolerance;
  2. backward: gradcheck in float64 with a random upstream gradient (central
     differences), which also checks each gradient has its input's shape.

`broadcast_vjp(u, x_shape)` is an independent oracle for the adjoint of
broadcasting: it adds each output position's value into the input position it
was copied from (bincount over an index map), with no axis bookkeeping.
"""

from __future__ import annotations

import numpy as np

from tinygrad_tx import Tensor
from tinygrad_tx.backend import to_numpy
from tinygrad_tx.gradcheck import gradcheck

# float64 results that should agree to the last few bits (rtol 1e-7), and the
# float32 tolerance for the same computation in single precision
RTOL, ATOL = 1e-7, 1e-10
RTOL32, ATOL32 = 1e-4, 1e-5


def rand(shape, seed=0, *, low=-2.0, high=2.0, dtype=np.float64):
    """Seeded uniform inputs of a given shape."""
    return np.random.default_rng(seed).uniform(low, high, size=shape).astype(dtype)


def upstream_grad(shape, seed=1):
    """A random upstream gradient: a plain sum would hide errors in how
    gradients spread over the outputs."""
    return np.random.default_rng(seed).standard_normal(shape)


def host(value) -> np.ndarray:
    """A host NumPy array from a Tensor, a device array or anything array-like."""
    if isinstance(value, Tensor):
        return value.numpy()
    return to_numpy(value) if hasattr(value, "shape") else np.asarray(value)


def assert_close(actual, desired, rtol=RTOL, atol=ATOL, err_msg=""):
    """np.testing.assert_allclose on host arrays, shapes asserted first."""
    actual, desired = host(actual), host(desired)
    assert actual.shape == desired.shape, (
        f"shape {actual.shape} != expected {desired.shape}"
    )
    np.testing.assert_allclose(actual, desired, rtol=rtol, atol=atol, err_msg=err_msg)


def away_from(array, points=(0.0,), margin=0.1):
    """Push values within `margin` of a kink (|x|, relu at 0) out of the way."""
    array = np.array(array, dtype=np.float64)
    for p in points:
        near = np.abs(array - p) < margin
        array[near] = p + np.where(array[near] >= p, margin, -margin)
    return array


def tensors(arrays, device="cpu", dtype=np.float64, requires_grad=True):
    return [
        Tensor(np.asarray(a, dtype=dtype), requires_grad=requires_grad, device=device)
        for a in arrays
    ]


def check_op(fn, oracle, arrays, device, grad=True, rtol=1e-4, atol=1e-6):
    """Values against the oracle (float64 and float32), then gradcheck (float64)."""
    desired = np.asarray(oracle(*[np.asarray(a, np.float64) for a in arrays]))
    out = fn(*tensors(arrays, device))
    assert out.dtype == np.float64, f"float64 inputs gave {out.dtype}"
    assert_close(out, desired)
    out32 = fn(*tensors(arrays, device, dtype=np.float32))
    assert out32.dtype == np.float32, f"float32 inputs gave {out32.dtype}"
    assert_close(out32, desired, rtol=RTOL32, atol=ATOL32)
    if grad:
        report = gradcheck(fn, tensors(arrays, device), rtol=rtol, atol=atol)
        assert report.ok, report.message


def broadcast_vjp(u: np.ndarray, x_shape: tuple) -> np.ndarray:
    """Σ of u over the output positions that were copies of each x position."""
    positions = np.arange(int(np.prod(x_shape))).reshape(x_shape)
    source = np.broadcast_to(positions, u.shape).ravel()
    summed = np.bincount(source, weights=u.ravel(), minlength=positions.size)
    return summed.reshape(x_shape)
