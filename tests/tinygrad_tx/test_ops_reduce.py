"""Reductions (sum, mean, max, min, var, argmax): values against NumPy,
gradients by gradcheck over axes (None, int, negative, tuple) and keepdims."""

import numpy as np
import pytest
from helpers import check_op, rand
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes

from tinygrad_tx import Tensor
from tinygrad_tx.backend import to_numpy

CASES = [
    ((), None),
    ((5,), None),
    ((5,), 0),
    ((2, 3), 1),
    ((2, 3), -1),
    ((2, 3), (0, 1)),
    ((3, 1, 4), 1),
    ((3, 4, 5), (0, 2)),
    ((7, 5), 0),
]
IDS = [f"{s}-axis{a}" for s, a in CASES]


@pytest.mark.parametrize("keepdims", [False, True], ids=["", "keepdims"])
@pytest.mark.parametrize(("shape", "axis"), CASES, ids=IDS)
@pytest.mark.parametrize("name", ["sum", "mean", "max", "min"])
def test_reduction_matches_numpy_and_gradcheck(name, shape, axis, keepdims, device):
    x = rand(shape, seed=7)  # continuous values: no ties

    def fn(t):
        return getattr(t, name)(axis=axis, keepdims=keepdims)

    def oracle(a):
        return getattr(np, name)(a, axis=axis, keepdims=keepdims)

    check_op(fn, oracle, [x], device)


VAR_CASES = [(s, a) for s, a in CASES[2:] if s != (3, 1, 4)]  # n = 1: no ddof=1


@pytest.mark.parametrize("ddof", [0, 1])
@pytest.mark.parametrize(("shape", "axis"), VAR_CASES, ids=str)
def test_var_matches_numpy_and_gradcheck(shape, axis, ddof, device):
    def fn(t):
        return t.var(axis=axis, ddof=ddof)

    check_op(
        fn, lambda a: np.var(a, axis=axis, ddof=ddof), [rand(shape, seed=8)], device
    )


def test_max_splits_the_gradient_evenly_between_ties(device):
    """Documented choice: k tied maxima each receive 1/k of the gradient."""
    x = Tensor(
        [[3.0, 1.0, 3.0, 3.0], [0.0, 2.0, -1.0, 2.0]], requires_grad=True, device=device
    )
    x.max(axis=1).backward(np.array([3.0, 1.0], np.float32))
    np.testing.assert_allclose(
        to_numpy(x.grad), [[1.0, 0.0, 1.0, 1.0], [0.0, 0.5, 0.0, 0.5]]
    )


def test_min_splits_ties_too(device):
    x = Tensor([2.0, 1.0, 1.0], requires_grad=True, device=device)
    x.min().backward()
    np.testing.assert_allclose(to_numpy(x.grad), [0.0, 0.5, 0.5])


def test_sum_of_a_float32_tensor_stays_float32(device):
    x = Tensor(np.ones((3, 4), np.float32), requires_grad=True, device=device)
    for out in (x.sum(), x.mean(axis=0), x.var(axis=1), x.max()):
        assert out.dtype == np.float32
        out.backward(np.ones(out.shape, np.float32))
        assert x.grad.dtype == np.float32


def test_argmax_matches_numpy_and_has_no_gradient(device):
    x = rand((4, 5), seed=9)
    t = Tensor(x, requires_grad=True, device=device)
    np.testing.assert_array_equal(t.argmax(axis=1).numpy(), x.argmax(axis=1))
    assert t.argmax().item() == x.argmax()
    assert not t.argmax(axis=0).requires_grad


@given(
    shape=array_shapes(min_dims=1, max_dims=4, max_side=4),
    data=st.data(),
)
def test_sum_gradient_is_the_upstream_broadcast_back(shape, data):
    """Property: d(Σ_axes x)/dx sends each output's upstream value to every
    element it summed, so grad = upstream broadcast along the reduced axes."""
    axes = data.draw(st.lists(st.integers(0, len(shape) - 1), unique=True, min_size=1))
    axis = tuple(axes)
    x = Tensor(rand(shape), requires_grad=True)
    out = x.sum(axis=axis, keepdims=True)
    u = np.random.default_rng(0).standard_normal(out.shape)
    out.backward(u)
    np.testing.assert_allclose(x.grad, np.broadcast_to(u, shape))
    np.testing.assert_allclose(out.numpy(), x.numpy().sum(axis=axis, keepdims=True))
