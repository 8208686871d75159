"""CPU settings for training: how many threads NumPy's matrix products use.

A toy Transformer multiplies small matrices ((B·L, 128) by (128, 512)): too
small for several threads to share well. On a 2-core machine OpenBLAS's second
thread made each product 1.7 times slower when the machine was quiet, and up to
50 times slower when another program kept the cores busy (its threads wait for
each other). So training uses one BLAS thread unless asked otherwise.

NumPy's BLAS reads OPENBLAS_NUM_THREADS only when it loads, so the count is
changed here through OpenBLAS's own function, when NumPy ships OpenBLAS (the
Linux and Windows wheels); elsewhere (Apple's Accelerate) nothing is changed.
"""

from __future__ import annotations

import ctypes
import glob
import os

import numpy as np

_SETTERS = ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads")
_GETTERS = ("scipy_openblas_get_num_threads64_", "scipy_openblas_get_num_threads")


def set_blas_threads(threads: int) -> int | None:
    """Use `threads` threads in NumPy's OpenBLAS; returns the count it reports
    afterwards, or None when NumPy's BLAS cannot be reached this way."""
    if not isinstance(threads, int) or threads < 1:
        raise ValueError(f"threads must be a positive integer, got {threads!r}")
    library = _openblas()
    if library is None:
        return None
    setter = _first(library, _SETTERS)
    getter = _first(library, _GETTERS)
    if setter is None or getter is None:
        return None
    setter(ctypes.c_int(threads))
    return int(getter())


def blas_threads() -> int | None:
    """The thread count of NumPy's OpenBLAS, or None when it cannot be asked."""
    library = _openblas()
    getter = _first(library, _GETTERS) if library is not None else None
    return int(getter()) if getter is not None else None


def _openblas():
    """The OpenBLAS library bundled with NumPy's wheel, or None."""
    root = os.path.dirname(np.__file__)
    patterns = [
        os.path.join(root, os.pardir, "numpy.libs", "libscipy_openblas*"),
        os.path.join(root, ".dylibs", "libscipy_openblas*"),
    ]
    for path in sorted(p for pattern in patterns for p in glob.glob(pattern)):
        try:
            return ctypes.CDLL(path)
        except OSError:
            continue
    return None


def _first(library, names):
    for name in names:
        function = getattr(library, name, None)
        if function is not None:
            return function
    return None
