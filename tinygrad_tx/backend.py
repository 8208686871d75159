"""Devices and array modules: "cpu" runs on NumPy, "cuda" on CuPy.

Every op is written once against `xp`, the array module of its inputs (Chainer's
idea): NumPy and CuPy share one API, so `xp.exp(x)` works on either. This is the
only module that imports CuPy, and it does so lazily and guarded, and the only
module that makes a choice by device: where one device needs other code (a
faster path on the CPU, an API CuPy lacks), the function for it is here.

A third device, "strict", exists for the tests: NumPy behind CuPy's rules (no
implicit conversion to a host array; see `tinygrad_tx.strict`), so the suite
runs the GPU's code path on a machine without a GPU.

The device API (`__all__`) is for everyone: the engine, the transformer, the
benchmarks. The per-device helpers below it are for the engine's ops.
"""

from __future__ import annotations

import math

import numpy as np

from . import strict

CUDA_INSTALL_HINT = (
    'install CuPy for your CUDA version, e.g. pip install "tinygrad-tx[gpu]" '
    "(CuPy for CUDA 12), or use device='cpu'"
)

__all__ = [
    "CUDA_INSTALL_HINT",
    "check_device",
    "cuda_available",
    "cuda_status",
    "device_of",
    "get_array_module",
    "synchronize",
    "to_device",
    "to_numpy",
    "xp_for",
]

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
    if device in ("cpu", "strict"):
        return device
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
    if device == "strict":
        return strict
    check_device(device)
    return _cupy


def device_of(array) -> str:
    """ "cpu" for a NumPy array (or scalar), "cuda" for a CuPy array."""
    if isinstance(array, np.ndarray | np.generic):
        return "cpu"
    if isinstance(array, strict.ndarray):
        return "strict"
    cupy = _import_cupy()
    if cupy is not None and isinstance(array, cupy.ndarray):
        return "cuda"
    return "cpu"


def get_array_module(array):
    """numpy or cupy, whichever owns `array` (cupy.get_array_module, without CuPy)."""
    return xp_for(device_of(array))


# ------------------------------------------------------------------ transfers


def to_device(array, device: str):
    """Copy an array to a device (no copy when it is already there)."""
    source = device_of(array)
    if source == device:
        return array
    if source != "cpu":
        array = array.get()  # device -> host, then host -> the other device
    return array if device == "cpu" else xp_for(device).asarray(array)


def to_numpy(array) -> np.ndarray:
    """A host NumPy array from a NumPy or CuPy array."""
    return array if isinstance(array, np.ndarray) else to_device(array, "cpu")


def host_values(*scalars) -> list:
    """Python numbers from 0-d arrays on one device, in one transfer (NumPy's
    are on the host already: no array to stack)."""
    if isinstance(scalars[0], np.ndarray | np.generic):
        return [s.item() for s in scalars]
    return to_numpy(get_array_module(scalars[0]).stack(scalars)).tolist()


def as_array(data):
    """An op's result as an array: NumPy's reductions return scalars
    (numpy.float64), which lack in-place operators; CuPy's return arrays."""
    return np.asarray(data) if isinstance(data, np.generic) else data


def synchronize(device: str) -> None:
    """Wait until the device has finished its queued work (for timing: CuPy
    returns before the GPU is done). Nothing to wait for on the CPU."""
    if device == "cuda":
        _cupy.cuda.Device().synchronize()


# ------------------------------------------------------------------ per-device code


def same_values(a, b) -> bool:
    """True when two arrays of one device hold the same values (NaN == NaN)."""
    if a.shape != b.shape:
        return False
    return bool(get_array_module(a).array_equal(a, b, equal_nan=a.dtype.kind == "f"))


def scatter_add(target, index, values) -> None:
    """target[index] += values, where repeated indices add up (np.add.at)."""
    device = device_of(target)
    if device == "cpu":
        np.add.at(target, index, values)
    elif device == "strict":
        strict.add_at(target, index, values)
    else:
        import cupyx

        cupyx.scatter_add(target, index, values)


def matmul_into(a, b, out):
    """a @ b, written into `out` when given (any strides). NumPy's BLAS writes
    there directly, so a view into a larger array costs no copy; CuPy has no
    strided `out`, so the product is computed, then copied in."""
    if out is None:
        return a @ b
    if isinstance(out, np.ndarray):
        return np.matmul(a, b, out=out)
    out[...] = a @ b
    return out


def keep_mask(rng, shape: tuple, p: float):
    """Booleans of `shape`, each True with probability 1 - p: what dropout keeps.

    On the CPU each element gets 16 random bits b, kept when b >= p · 2¹⁶
    (rounded): NumPy makes raw bits about 4x faster than random floats, and
    this rounds p to a multiple of 2⁻¹⁶ (0.1 becomes 0.100006). On a GPU,
    CuPy's random floats u, kept when u >= p.
    """
    if not isinstance(rng, np.random.Generator):  # CuPy's generator
        return rng.random(shape, dtype=np.float32) >= p
    n = math.prod(shape)
    bits = rng.bit_generator.random_raw((n + 3) // 4).view(np.uint16)[:n]
    return (bits >= round(p * 2**16)).reshape(shape)


def uses_host_memory(array) -> bool:
    """True for a NumPy array: CPU code may then reuse buffers in ways that
    pay on a CPU's caches (see optim.Adam)."""
    return isinstance(array, np.ndarray)
