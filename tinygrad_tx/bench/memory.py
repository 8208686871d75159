"""Keeping freed memory for reuse: fewer page faults in each training step.

A training step allocates and frees the same arrays every time: activations,
gradients, temporaries. glibc's malloc hands large freed blocks back to the
operating system (blocks above its mmap threshold, and free space at the top
of the heap beyond its trim threshold), so the next step gets them back as
fresh pages, and the kernel faults in and zeroes every page at first touch.
Measured on a 2-core virtual machine: 7,000 page faults and 8 ms of a 70 ms
toy training step, 13,600 faults and 25 ms of a small one (transformer/bench).

`keep_freed_memory()` raises both thresholds (glibc's mallopt), so freed
blocks stay in the process and are reused. The peak memory is unchanged; the
difference is that it is not handed back between steps. It changes no result.
"""

from __future__ import annotations

import ctypes
import ctypes.util

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt parameters (malloc.h)
_LARGEST_HEAP_BLOCK = 32 << 20  # glibc's maximum mmap threshold on 64-bit
_KEEP_AT_TOP = 1 << 30  # free memory at the heap's top kept before trimming

_kept = False


def keep_freed_memory() -> bool:
    """Ask glibc's malloc to keep freed blocks of up to 32 MiB (and up to
    1 GiB of free space at the top of the heap) for reuse, instead of
    returning them to the operating system. Returns True when done (or
    already done); False where there is no glibc (macOS, Windows, musl),
    where it does nothing."""
    global _kept
    if _kept:
        return True
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    _kept = bool(
        mallopt(_M_MMAP_THRESHOLD, _LARGEST_HEAP_BLOCK)
        and mallopt(_M_TRIM_THRESHOLD, _KEEP_AT_TOP)
    )
    return _kept
