"""Checking what users pass in: data for a tensor, shapes, axes, masks and ids.

Each helper turns a user's argument into the form the ops expect, or raises an
error that names the function, what it got and what it expected. Every op and
layer checks these things through the one helper here, so a mistake reads the
same wherever it is made.
"""

from __future__ import annotations

import numpy as np

from .backend import device_of, host_values, to_device, xp_for

NUMBER_KINDS = "biuf"  # bool, signed and unsigned integers, real floats


def host_array(data, where: str = "Tensor") -> np.ndarray:
    """A NumPy array from Python numbers and nested lists, or a clear TypeError."""
    try:
        host = np.asarray(data)
    except ValueError:  # NumPy refuses ragged nested lists
        host = None
    if host is None or host.dtype.kind not in NUMBER_KINDS:
        raise TypeError(
            f"{where}: cannot make a tensor from {type(data).__name__} {data!r:.60}: "
            "expected a number, a nested list of numbers with a regular shape "
            "(every row the same length), or an array"
        )
    return host


def check_number_dtype(dtype, where: str = "Tensor") -> None:
    """Refuse complex, string and object arrays: tensors hold real numbers."""
    dtype = np.dtype(dtype)
    if dtype.kind not in NUMBER_KINDS:
        hint = "; take .real or abs() first" if dtype.kind == "c" else ""
        raise TypeError(
            f"{where}: cannot hold an array of dtype {dtype}: tensors hold booleans, "
            f"integers or real floating-point numbers{hint}"
        )


def default_dtype(host: np.ndarray):
    """float32 for Python floats (NumPy reads them as float64); ints stay int64."""
    return np.float32 if host.dtype == np.float64 else host.dtype


def leaf_array(data, dtype, device: str):
    """The array of a new leaf tensor: always a copy of `data` (like torch.tensor),
    so an optimizer's in-place update never writes into the caller's array.

    Python floats become float32; arrays keep their dtype (float64 stays
    float64, which gradcheck needs) unless `dtype` is given.
    """
    if dtype is not None:
        check_number_dtype(dtype)
    if hasattr(data, "dtype") and hasattr(data, "shape"):  # a NumPy or device array
        check_number_dtype(data.dtype)
        array = to_device(data, device)  # already a copy when it changes device
        if array is data or dtype is not None:
            array = array.astype(dtype or array.dtype)  # astype copies
        return array
    host = host_array(data)  # Python numbers and (nested) lists
    return xp_for(device).asarray(host, dtype=dtype or default_dtype(host))


def assigned_array(value, device: str, requires_grad: bool):
    """The array for `tensor.data = value`: an array of the tensor's device
    (used as it is, not copied, as in PyTorch), of numbers, and of floats when
    the tensor requires a gradient."""
    if isinstance(value, np.generic):
        value = np.asarray(value)
    if not (hasattr(value, "dtype") and hasattr(value, "shape")):
        raise TypeError(
            f"Tensor.data: expected an array, got {type(value).__name__} "
            f"{value!r:.60}; write x.data = numpy.array(...) (on the tensor's "
            "device), or make a new tensor with Tensor(...)"
        )
    if device_of(value) != device:
        raise TypeError(
            f"Tensor.data: the tensor is on {device!r} but the array is on "
            f"{device_of(value)!r}; move the tensor with .to() instead"
        )
    check_number_dtype(value.dtype, "Tensor.data")
    if requires_grad and value.dtype.kind != "f":
        raise TypeError(
            f"Tensor.data: this tensor requires a gradient, so its data must be "
            f"floating point, got {value.dtype}"
        )
    return value


def array_on(device: str, value, dtype):
    """`value` (number, list, or an array of any device) as an array of
    `dtype` on `device` (no copy when it is one already)."""
    if isinstance(value, np.generic) or not hasattr(value, "shape"):
        return xp_for(device).asarray(host_array(value), dtype=dtype)
    return to_device(value, device).astype(dtype, copy=False)


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
    check_number_dtype(other.dtype)
    return to_device(other, device)


# ------------------------------------------------------------------ shapes, axes


def shape_args(args: tuple) -> tuple:
    """f(2, 3) and f((2, 3)) both mean the shape (2, 3); f() is the shape ()."""
    if len(args) == 1 and not isinstance(args[0], int | np.integer):
        return tuple(args[0])
    return tuple(args)


def broadcast_shape(*shapes) -> tuple[int, ...] | None:
    """The shape NumPy broadcasting gives, or None when the shapes clash."""
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        return None


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


def check_probability(where: str, name: str, p: float) -> None:
    """A dropout probability or a label smoothing: a number in [0, 1)."""
    if not 0.0 <= p < 1.0:  # NaN fails every comparison
        raise ValueError(f"{where}: {name} must be in [0, 1), got {p}")


def check_attention_shapes(where: str, q: tuple, k: tuple, v: tuple) -> None:
    """Raise a ValueError naming the shapes unless Q (..., Lq, D), K (..., Lk, D)
    and V (..., Lk, Dv) fit together."""
    shapes = f"q {tuple(q)}, k {tuple(k)}, v {tuple(v)}"
    if len(q) < 2 or len(q) != len(k) or len(k) != len(v):
        raise ValueError(
            f"{where}: q, k, v must have the same number of axes (at least 2), "
            f"got {shapes}"
        )
    if q[:-2] != k[:-2] or k[:-2] != v[:-2]:
        raise ValueError(
            f"{where}: q, k, v must share their leading (batch, head) axes, "
            f"got {shapes}"
        )
    if q[-1] != k[-1]:
        raise ValueError(
            f"{where}: queries and keys must have the same size D to be compared, "
            f"got {shapes} ({q[-1]} != {k[-1]})"
        )
    if k[-2] != v[-2]:
        raise ValueError(
            f"{where}: each key needs one value, got {shapes} "
            f"({k[-2]} keys, {v[-2]} values)"
        )


# ------------------------------------------------------------------ masks and ids


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


def attention_mask(where: str, mask, scores_shape: tuple, device: str):
    """The array of an attention mask (Tensor, array or None), after checking
    that it is boolean and broadcasts to the scores' shape (..., Lq, Lk)."""
    if mask is None:
        return None
    array = mask._data if hasattr(mask, "_data") else mask
    if not hasattr(array, "dtype") or array.dtype != bool:
        what = getattr(array, "dtype", type(mask).__name__)
        raise TypeError(
            f"{where}: the mask must be boolean (True where attention is allowed), "
            f"got {what}; make one with a comparison such as ids != pad_id"
        )
    if broadcast_shape(array.shape, scores_shape) != tuple(scores_shape):
        raise ValueError(
            f"{where}: a mask of shape {tuple(array.shape)} cannot broadcast to the "
            f"attention scores' shape {tuple(scores_shape)} (..., Lq, Lk): each of "
            "its axes must equal the scores' axis or be 1"
        )
    return to_device(array, device)


def check_in_range(where: str, values, low: int, high: int, what: str, of: str,
                   ignore=None) -> None:  # fmt: skip
    """Raise an IndexError unless every integer in `values` (an array on any
    device, or a Python int) lies in low..high (or equals `ignore`):

        embedding: token id 7 is out of range for a table of 5 rows (valid: 0..4)

    An array costs one device-to-host transfer: its smallest and largest value.
    """
    if hasattr(values, "dtype"):
        if values.dtype.kind not in "iu":
            raise TypeError(
                f"{where}: {what}s must be integers, got dtype {values.dtype}"
            )
        if ignore is not None:
            values = values[values != ignore]
        if values.size == 0:
            return
        smallest, largest = host_values(values.min(), values.max())
    else:
        smallest = largest = int(values)
    if smallest < low or largest > high:
        bad = largest if largest > high else smallest
        ignored = f", or {ignore} to ignore" if ignore is not None else ""
        raise IndexError(
            f"{where}: {what} {bad} is out of range for {of} "
            f"(valid: {low}..{high}{ignored})"
        )
