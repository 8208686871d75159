"""Tensor construction, dtypes (float32 by default, float64 kept, numbers never
upcast), devices, conversions, comparisons, and the creation functions."""

import numpy as np
import pytest

import tinygrad_tx
from tinygrad_tx import Tensor
from tinygrad_tx.backend import to_numpy


@pytest.mark.parametrize(
    ("data", "dtype"),
    [
        (1.5, np.float32),
        ([1.0, 2.0], np.float32),
        ([[1, 2], [3, 4]], np.int64),
        (True, np.bool_),
        (np.array([1.0, 2.0]), np.float64),  # arrays keep their dtype
        (np.array([1.0], np.float32), np.float32),
        (np.arange(3, dtype=np.int32), np.int32),
        (np.float64(2.0), np.float64),
    ],
    ids=[
        "float",
        "list",
        "int_list",
        "bool",
        "f64_array",
        "f32_array",
        "i32",
        "np_scalar",
    ],
)
def test_default_dtypes(data, dtype, device):
    t = Tensor(data, device=device)
    assert t.dtype == dtype
    np.testing.assert_array_equal(t.numpy(), np.asarray(data))
    assert t.device == device


def test_explicit_dtype_wins(device):
    assert Tensor([1, 2], dtype=np.float64, device=device).dtype == np.float64
    assert Tensor(np.ones(2), dtype=np.float32, device=device).dtype == np.float32


def test_tensor_copies_the_callers_array(device):
    """Like torch.tensor: an optimizer updating the tensor in place must not
    write into the array the user passed in."""
    a = np.zeros(3)
    t = Tensor(a, requires_grad=True, device=device)
    t.data += 1
    np.testing.assert_array_equal(a, [0.0, 0.0, 0.0])


@pytest.mark.parametrize(
    "number", [2, 2.5, True, np.float64(2.5), np.int64(2), [1.0, 2.0, 3.0]], ids=repr
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_python_and_numpy_numbers_never_upcast(number, dtype, device):
    x = Tensor(np.ones(3, dtype), requires_grad=True, device=device)
    for out in (x + number, number + x, x * number, number * x, x / number, x**2):
        assert type(out) is Tensor
        assert out.dtype == dtype, f"{out.dtype} from {dtype} and {number!r}"


def test_a_float64_array_operand_promotes_as_in_numpy(device):
    x = Tensor(np.ones(2, np.float32), device=device)
    assert (x + np.ones(2)).dtype == np.float64


def test_item_numpy_tolist_len_and_repr(device):
    t = Tensor([[1.0, 2.0]], requires_grad=True, device=device)
    assert t.sum().item() == 3.0
    assert t.tolist() == [[1.0, 2.0]]
    assert len(t) == 1 and t.shape == (1, 2) and t.ndim == 2 and t.numel() == 2
    assert "requires_grad=True" in repr(t) and "float32" in repr(t)
    assert isinstance(t.numpy(), np.ndarray)
    np.testing.assert_array_equal(np.asarray(t), [[1.0, 2.0]])


def test_comparisons_are_elementwise_and_carry_no_gradient(device):
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True, device=device)
    for out, expected in [
        (x > 2, [False, False, True]),
        (x >= 2, [False, True, True]),
        (x < 2, [True, False, False]),
        (x <= 2, [True, True, False]),
        (x == 2, [False, True, False]),
        (x != 2, [True, False, True]),
        (x == Tensor([1.0, 0.0, 3.0], device=device), [True, False, True]),
    ]:
        np.testing.assert_array_equal(out.numpy(), expected)
        assert not out.requires_grad
    assert {x: 1}[x] == 1  # hashable by identity


def test_to_the_same_device_is_the_same_tensor(device):
    t = Tensor([1.0], device=device)
    assert t.to(device) is t
    moved = t.to("cpu")
    np.testing.assert_array_equal(moved.numpy(), [1.0])


def test_astype_and_shortcuts(device):
    t = Tensor([1.7, -2.2], device=device)
    assert t.double().dtype == np.float64
    assert t.long().dtype == np.int64
    np.testing.assert_array_equal(t.long().numpy(), [1, -2])
    assert t.float() is t


def test_creation_functions(device):
    assert tinygrad_tx.zeros(2, 3, device=device).shape == (2, 3)
    assert tinygrad_tx.randn(np.int64(3), device=device).shape == (3,)  # a NumPy int
    assert tinygrad_tx.ones((2,), device=device).numpy().tolist() == [1.0, 1.0]
    full = tinygrad_tx.full((2, 2), 7.0, device=device)
    assert full.dtype == np.float32 and full.numpy().sum() == 28.0
    np.testing.assert_array_equal(tinygrad_tx.eye(2, device=device).numpy(), np.eye(2))
    assert tinygrad_tx.arange(5, device=device).dtype == np.int64
    floats = tinygrad_tx.arange(0.0, 1.0, 0.25, device=device)
    assert floats.dtype == np.float32 and floats.shape == (4,)
    like = tinygrad_tx.zeros_like(full, requires_grad=True)
    assert like.requires_grad and like.shape == (2, 2)
    assert tinygrad_tx.ones_like(full).numpy().sum() == 4.0
    r = tinygrad_tx.randint(0, 5, (100,), device=device).numpy()
    assert r.min() >= 0 and r.max() < 5 and r.dtype == np.int64
    u = tinygrad_tx.rand(1000, device=device).numpy()
    assert u.min() >= 0 and u.max() < 1 and u.dtype == np.float32
    n = tinygrad_tx.randn(4000, dtype=np.float64, device=device).numpy()
    assert abs(n.mean()) < 0.1 and abs(n.std() - 1) < 0.1 and n.dtype == np.float64
    assert tinygrad_tx.tensor([1, 2], device=device).dtype == np.int64


def test_manual_seed_repeats_random_tensors(device):
    tinygrad_tx.manual_seed(3)
    a = tinygrad_tx.randn(5, device=device).numpy()
    tinygrad_tx.manual_seed(3)
    np.testing.assert_array_equal(tinygrad_tx.randn(5, device=device).numpy(), a)


def test_numpy_of_a_cpu_tensor_and_to_numpy(device):
    t = Tensor([1.0, 2.0], device=device)
    np.testing.assert_array_equal(to_numpy(t.data), [1.0, 2.0])
