"""Input mistakes found by trying the engine as a hostile or a new user would
(issue 15): each gets a one-line error naming the problem and what to do."""

import numpy as np
import pytest

from tinygrad_tx import Tensor, io, nn


@pytest.mark.parametrize(
    ("make", "pattern"),
    [
        (
            lambda: nn.Linear(0, 3),
            r"nn.Linear: in_features must be a positive integer, got 0",
        ),
        (lambda: nn.Linear(3, -1), r"nn.Linear: out_features must be a positive .* -1"),
        (lambda: nn.Linear(2.5, 3), r"in_features must be a positive integer, got 2.5"),
        (
            lambda: nn.Embedding(0, 4),
            r"nn.Embedding: num_embeddings must be a positive",
        ),
        (lambda: nn.LayerNorm(0), r"nn.LayerNorm: dim must be a positive integer"),
    ],
    ids=["linear in 0", "linear out -1", "linear float", "embedding 0", "norm 0"],
)
def test_layers_of_no_features_are_refused(make, pattern):
    with pytest.raises(ValueError, match=pattern):  # was ZeroDivisionError
        make()


@pytest.mark.parametrize(
    ("value", "error", "pattern"),
    [
        (
            [1.0, 2.0],
            TypeError,
            r"Tensor.data: expected an array, got list \[1.0, 2.0\]",
        ),
        ("abc", TypeError, r"Tensor.data: expected an array, got str"),
        (np.array([1 + 2j]), TypeError, r"dtype complex128: .*take .real or abs"),
        (
            np.array([1, 2]),
            TypeError,
            r"requires a gradient, so its data must be float",
        ),
    ],
    ids=["list", "str", "complex", "int for a parameter"],
)
def test_assigning_data_checks_the_value(value, error, pattern):
    x = Tensor([0.0, 0.0], requires_grad=True)
    with pytest.raises(error, match=pattern):
        x.data = value
    np.testing.assert_array_equal(x.numpy(), [0.0, 0.0])  # unchanged


def test_assigning_data_on_another_device_is_refused():
    x = Tensor([0.0, 0.0], device="strict")
    with pytest.raises(
        TypeError, match=r"the tensor is on 'strict' but the array is on 'cpu'"
    ):
        x.data = np.zeros(2)


def test_assigning_an_array_of_a_new_shape_works_as_in_pytorch():
    x = Tensor([0.0, 0.0])
    x.data = np.ones((2, 3), np.float32)
    assert x.shape == (2, 3)


@pytest.mark.parametrize(
    ("data", "pattern"),
    [
        (np.array([1 + 2j, 3j]), r"Tensor: cannot hold an array of dtype complex128"),
        (
            np.array([{"a": 1}, None], dtype=object),
            r"cannot hold an array of dtype object",
        ),
        (np.array(["a", "b"]), r"cannot hold an array of dtype <U1"),
        ([1 + 2j], r"Tensor: cannot make a tensor from list"),
    ],
    ids=["complex array", "object array", "string array", "complex list"],
)
def test_complex_and_object_data_are_refused(data, pattern):
    with pytest.raises(TypeError, match=pattern):
        Tensor(data)


def test_complex_dtype_is_refused():
    with pytest.raises(TypeError, match="cannot hold an array of dtype complex64"):
        Tensor([1.0], dtype=np.complex64)


def test_save_onto_a_directory_names_it(tmp_path):
    with pytest.raises(
        IsADirectoryError, match=r"save: .* is a directory; give the file"
    ):
        io.save({"w": np.zeros(2)}, tmp_path)
    assert list(tmp_path.iterdir()) == []  # nothing written, no temporary left
