"""Test helpers: compare an op with its NumPy oracle, forward and backward."""

from __future__ import annotations

import numpy as np

from tinygrad_tx import Tensor
from tinygrad_tx.backend import to_numpy


def rand(shape, seed=0, dtype=np.float64, low=-2.0, high=2.0):
    """Seeded uniform inputs of a given shape."""
    return np.random.default_rng(seed).uniform(low, high, size=shape).astype(dtype)


def to_tensors(arrays, device="cpu", requires_grad=True):
    return [Tensor(a, requires_grad=requires_grad, device=device) for a in arrays]


def assert_close(actual, desired, rtol=1e-6, atol=1e-8, err_msg=""):
    """np.testing.assert_allclose on host arrays, shapes asserted first."""
    actual = to_numpy(actual.data if isinstance(actual, Tensor) else actual)
    desired = np.asarray(desired)
    assert actual.shape == desired.shape, (
        f"shape {actual.shape} != expected {desired.shape}"
    )
    np.testing.assert_allclose(actual, desired, rtol=rtol, atol=atol, err_msg=err_msg)


def upstream_grad(shape, seed=1):
    """A random upstream gradient: a plain sum would hide errors in how
    gradients spread over the outputs."""
    return np.random.default_rng(seed).standard_normal(shape)
