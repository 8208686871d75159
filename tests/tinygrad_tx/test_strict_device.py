"""The strict test device refuses what CuPy refuses (a device array becoming a
NumPy array implicitly, NumPy functions on it, host arrays as operands) and
counts every explicit copy to the host."""

import numpy as np
import pytest

import tinygrad_tx
from tinygrad_tx import Tensor, strict
from tinygrad_tx.backend import get_array_module, to_device, to_numpy


def _array():
    return to_device(np.arange(6.0).reshape(2, 3), "strict")


@pytest.mark.parametrize(
    ("use", "what"),
    [
        (np.asarray, r"numpy.asarray\(\)"),
        (np.exp, "does not support ufuncs"),
        (lambda a: np.concatenate([a, a]), r"numpy.concatenate\(\) was called"),
        (lambda a: np.where(a > 1, a, 0), r"numpy.where\(\) was called"),
        (lambda a: a + np.ones(3), "a NumPy array of shape \\(3,\\) was mixed"),
        (lambda a: a[np.array([0, 1])], "a NumPy array of shape \\(2,\\) was mixed"),
    ],
    ids=["asarray", "ufunc", "function", "where", "host operand", "host index"],
)
def test_implicit_host_use_is_refused(use, what):
    with pytest.raises(TypeError, match=what):
        use(_array())


def test_the_array_module_does_the_math_on_the_device():
    a = _array()
    xp = get_array_module(a)
    assert xp is strict
    total = xp.exp(a).sum(axis=0)  # a device array, even for a reduction
    assert isinstance(total, strict.ndarray) and total.shape == (3,)
    assert isinstance(a.sum(), strict.ndarray) and a.sum().ndim == 0
    np.testing.assert_allclose(
        to_numpy(total), np.exp(np.arange(6.0)).reshape(2, 3).sum(0)
    )


def test_explicit_copies_to_the_host_are_counted():
    a = _array()
    with strict.counting_transfers() as log:
        a.get()
        float(a.max())
        bool(a.any())
        a[0, 0].item()
        to_numpy(a)
        Tensor(a, device="strict").numpy()
        a * 2 + np.float32(1)  # math stays on the device: not counted
    assert log.count == 6
    assert "test_strict_device.py" in log.summary()


def test_tensors_on_the_strict_device_compute_and_refuse_mixing():
    x = Tensor([[1.0, 2.0]], requires_grad=True, device="strict")
    (x * x).sum().backward()
    assert isinstance(x.grad, strict.ndarray)
    np.testing.assert_allclose(to_numpy(x.grad), [[2.0, 4.0]])
    with pytest.raises(RuntimeError, match=r"different devices \(cpu and strict\)"):
        Tensor([[1.0, 2.0]]) + x


def test_dropout_on_the_strict_device_draws_on_its_own_generator():
    tinygrad_tx.manual_seed(0)
    x = Tensor(np.ones((200, 100), np.float32), device="strict")
    kept = to_numpy(tinygrad_tx.functional.dropout(x, 0.25).data) != 0
    assert abs(kept.mean() - 0.75) < 0.01
