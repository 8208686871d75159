"""Elementwise ops: values against NumPy, gradients by gradcheck (float64, random
upstream gradient), over shapes with broadcasting, size-1 axes, odd sizes and
scalars; hypothesis draws further broadcastable shapes."""

import numpy as np
import pytest
from helpers import away_from, broadcast_vjp, check_op, rand, tensors
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

from tinygrad_tx import Tensor
from tinygrad_tx.backend import to_numpy

PAIRS = [
    ((), ()),
    ((5,), ()),
    ((), (3,)),
    ((3,), (3,)),
    ((2, 3), (3,)),
    ((2, 1, 4), (3, 1)),
    ((1,), (2, 3)),
    ((2, 3, 1), (1, 1, 5)),
    ((7, 5), (7, 5)),
    ((1, 1), (1,)),
]
PAIR_IDS = [f"{a}-{b}" for a, b in PAIRS]

BINARY = {
    "add": (lambda x, y: x + y, np.add),
    "sub": (lambda x, y: x - y, np.subtract),
    "mul": (lambda x, y: x * y, np.multiply),
    "div": (lambda x, y: x / y, np.divide),
    "pow": (lambda x, y: x**y, np.power),
    "maximum": (lambda x, y: x.maximum(y), np.maximum),
    "minimum": (lambda x, y: x.minimum(y), np.minimum),
}


def _binary_inputs(name, shape_x, shape_y):
    x, y = rand(shape_x, seed=1), rand(shape_y, seed=2)
    if name == "div":
        y = away_from(y, margin=0.5)
    if name == "pow":
        x = rand(shape_x, seed=1, low=0.5, high=2.0)  # x > 0: d/dy x^y = x^y ln x
    return x, y


@pytest.mark.parametrize("name", list(BINARY))
@pytest.mark.parametrize(("shape_x", "shape_y"), PAIRS, ids=PAIR_IDS)
def test_binary_op_matches_numpy_and_gradcheck(name, shape_x, shape_y, device):
    fn, oracle = BINARY[name]
    x, y = _binary_inputs(name, shape_x, shape_y)
    check_op(fn, oracle, [x, y], device)


@pytest.mark.parametrize(
    "python_fn",
    [
        lambda x: 2.5 + x,
        lambda x: 2.5 - x,
        lambda x: 2.5 * x,
        lambda x: 2.5 / x,
        lambda x: 2.0**x,
        lambda x: x**2,
        lambda x: x**0.5,
    ],
    ids=["radd", "rsub", "rmul", "rtruediv", "rpow", "pow2", "sqrt_pow"],
)
def test_python_number_operands(python_fn, device):
    x = rand((2, 3), low=0.5, high=2.0)
    check_op(python_fn, python_fn, [x], device)


UNARY = {
    "neg": (lambda x: -x, np.negative, None),
    "exp": (lambda x: x.exp(), np.exp, None),
    "log": (lambda x: x.log(), np.log, (0.2, 3.0)),
    "sqrt": (lambda x: x.sqrt(), np.sqrt, (0.2, 3.0)),
    "abs": (lambda x: x.abs(), np.abs, "kink"),
    "relu": (lambda x: x.relu(), lambda x: np.maximum(x, 0), "kink"),
    "tanh": (lambda x: x.tanh(), np.tanh, None),
    "sigmoid": (lambda x: x.sigmoid(), lambda x: 1 / (1 + np.exp(-x)), None),
}
SHAPES = [(), (1,), (5,), (2, 3), (3, 1, 4), (7, 5)]


@pytest.mark.parametrize("name", list(UNARY))
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_unary_op_matches_numpy_and_gradcheck(name, shape, device):
    fn, oracle, domain = UNARY[name]
    if isinstance(domain, tuple):
        x = rand(shape, seed=3, low=domain[0], high=domain[1])
    else:
        x = rand(shape, seed=3)
        if domain == "kink":
            x = away_from(
                x
            )  # the derivative jumps at 0: keep central differences off it
    check_op(fn, oracle, [x], device)


def test_relu_and_abs_take_zero_derivative_at_zero(device):
    x = Tensor([0.0, -1.0, 2.0], requires_grad=True, device=device)
    x.relu().sum().backward()
    np.testing.assert_array_equal(to_numpy(x.grad), [0.0, 0.0, 1.0])
    x.grad = None
    x.abs().sum().backward()
    np.testing.assert_array_equal(to_numpy(x.grad), [0.0, -1.0, 1.0])


def test_extreme_values_stay_finite(device):
    x = Tensor([-1000.0, -np.inf, 0.0, 1000.0], device=device)
    np.testing.assert_array_equal(x.relu().numpy(), [0.0, 0.0, 0.0, 1000.0])
    np.testing.assert_allclose(x.sigmoid().numpy(), [0.0, 0.0, 0.5, 1.0])
    np.testing.assert_allclose(x.tanh().numpy(), [-1.0, -1.0, 0.0, 1.0])


def test_maximum_splits_ties_evenly(device):
    """On x == y each side gets half the gradient (the two one-sided derivatives'
    average), so the total that flows back is still the upstream gradient."""
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True, device=device)
    y = Tensor([1.0, 5.0, 0.0], requires_grad=True, device=device)
    x.maximum(y).backward(np.array([2.0, 2.0, 2.0], np.float32))
    np.testing.assert_array_equal(to_numpy(x.grad), [1.0, 0.0, 2.0])
    np.testing.assert_array_equal(to_numpy(y.grad), [1.0, 2.0, 0.0])


@pytest.mark.parametrize(
    ("shape_c", "shape_x", "shape_y"),
    [((2, 3), (2, 3), (2, 3)), ((3,), (2, 3), ()), ((2, 1), (1, 4), (2, 4))],
    ids=str,
)
def test_where_matches_numpy_and_gradcheck(shape_c, shape_x, shape_y, device):
    cond = np.random.default_rng(4).random(shape_c) > 0.5

    def fn(x, y):
        return Tensor.where(cond, x, y)

    check_op(
        fn, lambda x, y: np.where(cond, x, y), [rand(shape_x), rand(shape_y, 1)], device
    )


def test_where_accepts_a_number_for_either_branch(device):
    x = Tensor([1.0, -2.0, 3.0], requires_grad=True, device=device)
    out = Tensor.where(x > 0, x, 0.0)
    np.testing.assert_array_equal(out.numpy(), [1.0, 0.0, 3.0])
    assert out.dtype == np.float32
    out.sum().backward()
    np.testing.assert_array_equal(to_numpy(x.grad), [1.0, 0.0, 1.0])


@pytest.mark.parametrize("mask_shape", [(2, 3), (3,), (2, 1), ()], ids=str)
def test_masked_fill_matches_numpy_and_gradcheck(mask_shape, device):
    mask = np.random.default_rng(5).random(mask_shape) > 0.4

    def fn(x):
        return x.masked_fill(Tensor(mask, device=device), -7.0)

    check_op(fn, lambda x: np.where(mask, -7.0, x), [rand((2, 3))], device)


def test_masked_fill_with_minus_infinity_then_softmax(device):
    scores = Tensor([[1.0, 2.0, 3.0]], requires_grad=True, device=device)
    allowed = np.array([[True, True, False]])
    weights = scores.masked_fill(~allowed, -np.inf).softmax(axis=-1)
    e = np.exp([1.0, 2.0])
    np.testing.assert_allclose(weights.numpy(), [[*(e / e.sum()), 0.0]], rtol=1e-6)
    weights[0, 0].backward()
    assert to_numpy(scores.grad)[0, 2] == 0.0


def test_cast_between_float_dtypes_keeps_the_gradient(device):
    x = Tensor(rand((2, 3)), requires_grad=True, device=device)  # float64
    y = x.float()
    assert y.dtype == np.float32
    (y * 3).sum().backward()
    assert x.grad.dtype == np.float64
    np.testing.assert_allclose(to_numpy(x.grad), np.full((2, 3), 3.0))


# ------------------------------------------------------------------ properties


@given(
    shapes=mutually_broadcastable_shapes(
        num_shapes=2, min_dims=0, max_dims=4, max_side=3
    ),
    op=st.sampled_from(["add", "sub", "mul", "maximum"]),
    seed=st.integers(0, 2**16),
)
def test_broadcasting_gradients_sum_over_the_copies(shapes, op, seed):
    """For random broadcastable shapes: the value is NumPy's, and each input's
    gradient is the upstream gradient times the local derivative, added over
    the output positions that copied that input element (independent oracle)."""
    (sx, sy), out_shape = shapes.input_shapes, shapes.result_shape
    x, y = rand(sx, seed), rand(sy, seed + 1)
    u = np.random.default_rng(seed + 2).standard_normal(out_shape)
    tx, ty = tensors([x, y], "cpu")
    out = BINARY[op][0](tx, ty)
    np.testing.assert_allclose(out.numpy(), BINARY[op][1](x, y))
    out.backward(u)
    xb, yb = np.broadcast_to(x, out_shape), np.broadcast_to(y, out_shape)
    local_x, local_y = {
        "add": (1.0, 1.0),
        "sub": (1.0, -1.0),
        "mul": (yb, xb),
        "maximum": (
            np.where(xb > yb, 1.0, np.where(xb == yb, 0.5, 0.0)),
            np.where(yb > xb, 1.0, np.where(xb == yb, 0.5, 0.0)),
        ),
    }[op]
    np.testing.assert_allclose(tx.grad, broadcast_vjp(u * local_x, sx), atol=1e-12)
    np.testing.assert_allclose(ty.grad, broadcast_vjp(u * local_y, sy), atol=1e-12)
