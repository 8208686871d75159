"""Devices and array modules: "cpu" runs on NumPy, "cuda" on CuPy.

Every op is written once against `xp`, the array module of its inputs (Chainer's
idea): NumPy and CuPy share one API, so `xp.exp(x)` works on either. This is the
only module that imports CuPy, and it does so lazily and guarded.
"""

from __future__ import annotations

import numpy as np

CUDA_INSTALL_HINT = (
    'install CuPy for your CUDA version, e.g. pip install "tinygrad-tx[gpu]" '
    "(CuPy for CUDA 12), or use device='cpu'"
)

_cupy = None
_cupy_checked = False


def _import_cupy():
    """CuPy if it imports, else None (checked once)."""
    global _cupy, _cupy_checked
    if not _cupy_checked:
        _cupy_checked = True
        try:
            import cupy

            _cupy = cupy
        except Exception:  # ImportError, or a broken CUDA install
            _cupy = None
    return _cupy


def cuda_status() -> tuple[bool, str]:
    """(available, description): the GPU's name, or why CUDA cannot be used."""
    cupy = _import_cupy()
    if cupy is None:
        return False, "CuPy is not installed"
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:  # no driver, no device
        return False, f"CuPy found no usable GPU ({exc})"
    if count == 0:
        return False, "CuPy found no GPU"
    props = cupy.cuda.runtime.getDeviceProperties(0)
    name = props["name"]
    return True, name.decode() if isinstance(name, bytes) else str(name)


def cuda_available() -> bool:
    return cuda_status()[0]


def check_device(device: str) -> str:
    """Normalise a device name; raise a clear error when it cannot be used."""
    if device == "auto":
        return "cuda" if cuda_available() else "cpu"
    if device == "cpu":
        return "cpu"
    if device in ("cuda", "gpu", "cuda:0"):
        ok, why = cuda_status()
        if not ok:
            raise RuntimeError(
                f"device 'cuda' is not available: {why}; {CUDA_INSTALL_HINT}"
            )
        return "cuda"
    raise ValueError(f"unknown device {device!r}: expected 'cpu', 'cuda' or 'auto'")


def xp_for(device: str):
    """The array module of a device: numpy for "cpu", cupy for "cuda"."""
    if device == "cpu":
        return np
    check_device(device)
    return _cupy


def device_of(array) -> str:
    """ "cpu" for a NumPy array (or scalar), "cuda" for a CuPy array."""
    if isinstance(array, np.ndarray | np.generic):
        return "cpu"
    cupy = _import_cupy()
    if cupy is not None and isinstance(array, cupy.ndarray):
        return "cuda"
    return "cpu"


def get_array_module(array):
    """numpy or cupy, whichever owns `array` (cupy.get_array_module, without CuPy)."""
    return np if device_of(array) == "cpu" else _cupy


def to_device(array, device: str):
    """Copy an array to a device (no copy when it is already there)."""
    if device_of(array) == device:
        return array
    if device == "cpu":
        return array.get()
    return xp_for(device).asarray(array)


def to_numpy(array) -> np.ndarray:
    """A host NumPy array from a NumPy or CuPy array."""
    return array if isinstance(array, np.ndarray) else to_device(array, "cpu")


def synchronize(device: str) -> None:
    """Wait until the device has finished its queued work (for timing: CuPy
    returns before the GPU is done). Nothing to wait for on the CPU."""
    if device == "cuda":
        _cupy.cuda.Device().synchronize()


def scatter_add(target, index, values) -> None:
    """target[index] += values, where repeated indices add up (np.add.at)."""
    if device_of(target) == "cpu":
        np.add.at(target, index, values)
    else:
        import cupyx

        cupyx.scatter_add(target, index, values)
