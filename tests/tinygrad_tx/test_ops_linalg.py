"""matmul (NumPy's @: 1-D cases, batches, broadcast batch axes) and linear:
values against NumPy, gradients by gradcheck."""

import numpy as np
import pytest
from helpers import check_op, rand

from tinygrad_tx import Tensor
from tinygrad_tx import functional as F
from tinygrad_tx.backend import to_numpy

MATMUL_SHAPES = [
    ((3,), (3,)),  # dot product: a scalar
    ((3,), (3, 4)),  # vector @ matrix
    ((2, 3), (3,)),  # matrix @ vector
    ((2, 3), (3, 4)),
    ((1, 1), (1, 1)),
    ((5, 7), (7, 3)),
    ((2, 2, 3), (3, 4)),  # batch @ matrix (folded into one BLAS call)
    ((3,), (2, 3, 4)),  # vector @ batch
    ((2, 2, 3), (3,)),  # batch @ vector
    ((2, 2, 3), (2, 3, 4)),  # batch @ batch
    ((2, 1, 2, 3), (3, 3, 2)),  # broadcast batch axes
    ((1, 2, 3), (4, 3, 2)),
    ((2, 3), (4, 3, 2)),  # matrix @ batch
]


@pytest.mark.parametrize(("shape_a", "shape_b"), MATMUL_SHAPES, ids=str)
def test_matmul_matches_numpy_and_gradcheck(shape_a, shape_b, device):
    a, b = rand(shape_a, seed=1), rand(shape_b, seed=2)
    check_op(lambda x, y: x @ y, np.matmul, [a, b], device)


def test_matmul_with_a_numpy_operand(device):
    a = Tensor(rand((2, 3)), requires_grad=True, device=device)
    b = rand((3, 4))
    out = a @ b
    np.testing.assert_allclose(out.numpy(), a.numpy() @ b)
    out.backward(np.ones((2, 4)))
    np.testing.assert_allclose(to_numpy(a.grad), np.ones((2, 4)) @ b.T)


@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no_bias"])
@pytest.mark.parametrize("x_shape", [(4,), (3, 4), (2, 3, 4), (1, 1, 4)], ids=str)
def test_linear_matches_numpy_and_gradcheck(x_shape, bias, device):
    x, w, b = rand(x_shape, 1), rand((5, 4), 2), rand((5,), 3)
    if bias:
        check_op(F.linear, lambda x, w, b: x @ w.T + b, [x, w, b], device)
    else:
        check_op(F.linear, lambda x, w: x @ w.T, [x, w], device)


def test_linear_equals_matmul_plus_bias_gradients(device):
    """The fused Linear op against its composition from @, .T and +."""
    x, w, b = rand((3, 2, 4), 1), rand((5, 4), 2), rand((5,), 3)
    u = np.random.default_rng(4).standard_normal((3, 2, 5))
    grads = []
    for fn in (F.linear, lambda x, w, b: x @ w.T + b):
        ts = [Tensor(a, requires_grad=True, device=device) for a in (x, w, b)]
        fn(*ts).backward(u)
        grads.append([to_numpy(t.grad) for t in ts])
    for fused, composed in zip(*grads):
        np.testing.assert_allclose(fused, composed, rtol=1e-12)
