"""io: safetensors round trips, atomic writes, and clear errors for missing,
truncated, empty and foreign (pickle) files, which are never unpickled."""

import os
import pickle

import numpy as np
import pytest

from tinygrad_tx import Tensor, io, nn


def test_round_trip_keeps_names_dtypes_values_and_metadata(tmp_path):
    state = {
        "w": np.arange(6, dtype=np.float32).reshape(2, 3),
        "d": np.array([1.5, -2.5]),
        "ids": np.array([3, 1, 2], dtype=np.int64),
        "t": Tensor([1.0, 2.0]),
    }
    path = tmp_path / "sub" / "ckpt.safetensors"  # parent folders are created
    io.save(state, path, metadata={"epoch": "3"})
    loaded, metadata = io.load_with_metadata(path)
    assert metadata == {"epoch": "3"}
    assert set(loaded) == set(state)
    for name, value in state.items():
        expected = value.numpy() if isinstance(value, Tensor) else value
        assert loaded[name].dtype == expected.dtype
        np.testing.assert_array_equal(loaded[name], expected)
    assert io.load(path).keys() == loaded.keys()


def test_a_model_survives_a_save_and_load(tmp_path):
    a, b = nn.Linear(3, 2), nn.Linear(3, 2)
    io.save(a.state_dict(), tmp_path / "m.safetensors")
    b.load_state_dict(io.load(tmp_path / "m.safetensors"))
    np.testing.assert_array_equal(a.weight.numpy(), b.weight.numpy())


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(
    tmp_path, monkeypatch
):
    path = tmp_path / "ckpt.safetensors"
    io.save({"w": np.zeros(2)}, path)
    before = path.read_bytes()

    def crash(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError, match="disk full"):
        io.save({"w": np.ones(2)}, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["ckpt.safetensors"]


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(
        FileNotFoundError, match=r"load: checkpoint .*nope.safetensors does not exist"
    ):
        io.load(tmp_path / "nope.safetensors")
    with pytest.raises(FileNotFoundError, match="is a directory, not a file"):
        io.load(tmp_path)


def test_truncated_file(tmp_path):
    path = tmp_path / "ckpt.safetensors"
    io.save({"w": np.zeros(100)}, path)
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(
        ValueError, match=r"is not a readable safetensors file \(truncated"
    ):
        io.load(path)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.safetensors"
    path.write_bytes(b"")
    with pytest.raises(ValueError, match="is not a readable safetensors file"):
        io.load(path)


class Boom:
    """Unpickling this would run code: load must never do it."""

    def __reduce__(self):
        return (os.system, ("touch PWNED",))


def test_a_pickle_is_refused_and_never_executed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "model.pt"
    path.write_bytes(pickle.dumps({"w": Boom()}))
    with pytest.raises(ValueError, match="another format such as a pickle"):
        io.load(path)
    assert not (tmp_path / "PWNED").exists()


def test_save_rejects_what_safetensors_cannot_hold(tmp_path):
    with pytest.raises(TypeError, match=r"save: expected \{name: array or Tensor\}"):
        io.save({"w": [1.0, 2.0]}, tmp_path / "x.safetensors")
    with pytest.raises(TypeError, match="metadata must map strings to strings"):
        io.save({"w": np.zeros(1)}, tmp_path / "x.safetensors", metadata={"epoch": 3})
    assert not (tmp_path / "x.safetensors").exists()
