"""Saving and loading state dicts as safetensors files (never pickle).

A safetensors file is a JSON header (names, dtypes, shapes, offsets) followed by
raw bytes: loading it cannot run code, unlike a pickle. Writes are atomic
(files.atomic_write_bytes): a crash mid-write never leaves a half-written file.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .backend import to_numpy
from .files import atomic_write_bytes
from .tensor import Tensor


def save(
    state_dict: dict, path: str | os.PathLike, metadata: dict[str, str] | None = None
) -> None:
    """Write {name: array or Tensor} to a safetensors file, atomically."""
    from safetensors.numpy import save

    if Path(path).is_dir():
        raise IsADirectoryError(
            f"save: {path} is a directory; give the file to write, such as "
            f"{Path(path) / 'model.safetensors'}"
        )
    arrays = {}
    for name, value in state_dict.items():
        array = to_numpy(value._data if isinstance(value, Tensor) else value)
        if not isinstance(name, str) or not hasattr(array, "dtype"):
            raise TypeError(
                f"save: expected {{name: array or Tensor}} with string names, got "
                f"{name!r}: {type(value).__name__}"
            )
        arrays[name] = np.ascontiguousarray(array)
    if metadata is not None and not all(
        isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()
    ):
        raise TypeError(
            "save: metadata must map strings to strings (safetensors' rule); "
            "convert numbers with str() or json.dumps()"
        )
    atomic_write_bytes(path, save(arrays, metadata=metadata))


def load(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Read a safetensors file into {name: NumPy array}, with clear errors."""
    arrays, _ = load_with_metadata(path)
    return arrays


def load_with_metadata(
    path: str | os.PathLike,
) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    from safetensors import safe_open

    """Read a safetensors file into ({name: NumPy array}, {key: str}).

    Raises FileNotFoundError for a missing path and ValueError for a file that is
    not safetensors (truncated, empty, or a pickle such as a PyTorch .pt file):
    the bytes are parsed as data, never executed.
    """
    path = Path(path)
    if not path.is_file():
        what = "is a directory, not a file" if path.is_dir() else "does not exist"
        raise FileNotFoundError(f"load: checkpoint {path} {what}")
    try:
        with safe_open(str(path), framework="numpy") as f:
            metadata = f.metadata() or {}
            arrays = {name: f.get_tensor(name) for name in f.keys()}  # noqa: SIM118
    except Exception as exc:  # safetensors raises its own error types
        raise ValueError(
            f"load: {path} is not a readable safetensors file (truncated, or "
            f"another format such as a pickle): {exc}"
        ) from None
    return arrays, metadata
