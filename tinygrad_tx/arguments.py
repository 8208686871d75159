"""Checking what users pass in: data for a tensor, shapes, axes and masks.

Each helper turns a user's argument into the form the ops expect, or raises an
error that names the function, what it got and what it expected.
"""

from __future__ import annotations

import numpy as np

from .backend import to_device


def host_array(data) -> np.ndarray:
    """A NumPy array from Python numbers and nested lists, or a clear TypeError."""
    try:
        host = np.asarray(data)
    except ValueError:  # NumPy refuses ragged nested lists
        host = None
    if host is None or host.dtype.kind not in "biuf":
        raise TypeError(
            f"Tensor: cannot make a tensor from {type(data).__name__} {data!r:.60}: "
            "expected a number, a nested list of numbers with a regular shape "
            "(every row the same length), or an array"
        )
    return host


def default_dtype(host: np.ndarray):
    """float32 for Python floats (NumPy reads them as float64); ints stay int64."""
    return np.float32 if host.dtype == np.float64 else host.dtype


def shape_args(args: tuple) -> tuple:
    """f(2, 3) and f((2, 3)) both mean the shape (2, 3)."""
    if len(args) == 1 and not isinstance(args[0], int):
        return tuple(args[0])
    return tuple(args)


def check_axis(op: str | None, axis: int, ndim: int) -> int:
    """`axis` (negatives count from the end) as 0..ndim-1, or an IndexError
    (prefixed with the op's name when given)."""
    if not -ndim <= axis < ndim:
        prefix = f"{op}: " if op else ""
        raise IndexError(
            f"{prefix}axis {axis} is out of range for {ndim} axes "
            f"(valid: {-ndim} to {ndim - 1})"
        )
    return axis % ndim


def bool_array(op: str, mask, device: str):
    """A boolean mask (array or list) as an array on `device`."""
    if not hasattr(mask, "dtype"):
        mask = np.asarray(mask)
    if mask.dtype != bool:
        raise TypeError(
            f"{op}: the mask must be boolean, got dtype {mask.dtype} (compare to "
            "make one, e.g. ids == pad_id)"
        )
    return to_device(mask, device)
