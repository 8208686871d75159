"""Checking what users pass in: data for a tensor, shapes, axes and masks.

Each helper turns a user's argument into the form the ops expect, or raises an
error that names the function, what it got and what it expected.
"""

from __future__ import annotations

import numpy as np

from .backend import to_device, xp_for


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


def leaf_array(data, dtype, device: str):
    """The array of a new leaf tensor: always a copy of `data` (like torch.tensor),
    so an optimizer's in-place update never writes into the caller's array.

    Python floats become float32; arrays keep their dtype (float64 stays
    float64, which gradcheck needs) unless `dtype` is given.
    """
    if hasattr(data, "dtype") and hasattr(data, "shape"):  # a NumPy or CuPy array
        array = to_device(data, device)  # already a copy when it changes device
        if array is data or dtype is not None:
            array = array.astype(dtype or array.dtype)  # astype copies
        return array
    host = host_array(data)  # Python numbers and (nested) lists
    return xp_for(device).asarray(host, dtype=dtype or default_dtype(host))


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


def operand_array(other, dtype, device: str):
    """The array for a number, list or array met in `tensor + other`.

    Numbers are "weak", as in NumPy 2 and PyTorch: a Python or NumPy scalar, or
    a list of numbers, takes the float dtype of the tensor, so float32 * 0.5
    stays float32. Arrays keep their own dtype (NumPy's promotion rules).
    """
    if isinstance(other, np.generic) or not hasattr(other, "shape"):
        host = host_array(other)
        dtype = dtype if dtype.kind == "f" else default_dtype(host)
        return xp_for(device).asarray(host, dtype=dtype)
    return to_device(other, device)
