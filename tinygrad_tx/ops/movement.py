"""Movement ops: they move, copy or select elements without arithmetic.

Each has an adjoint that moves the gradient back:
  reshape  <-> reshape back          transpose <-> the inverse permutation
  broadcast_to <-> sum (unbroadcast) getitem   <-> scatter-add into zeros
  cat      <-> split                 stack     <-> select along the new axis
"""

from __future__ import annotations

import math

from ..arguments import check_in_range
from ..backend import get_array_module, scatter_add
from ..function import Function, unbroadcast


class Reshape(Function):
    """y = x with a new shape (same elements, same order).   Backward: reshape back."""

    def forward(self, x, shape=None):
        self.x_shape = x.shape
        if -1 not in shape and math.prod(shape) != x.size:
            raise ValueError(
                f"reshape: cannot reshape {x.shape} ({x.size} elements) into "
                f"{tuple(shape)} ({math.prod(shape)} elements)"
            )
        return x.reshape(shape)

    def backward(self, grad_out):
        return grad_out.reshape(self.x_shape)


class Transpose(Function):
    """y = x with its axes permuted: y.shape[i] = x.shape[axes[i]].

    Backward applies the inverse permutation (argsort of axes).
    """

    def forward(self, x, axes=None):
        if sorted(axes) != list(range(x.ndim)):
            raise ValueError(
                f"transpose: axes {tuple(axes)} are not a permutation of the "
                f"{x.ndim} axes of shape {x.shape}; to swap two axes use "
                "swapaxes(a, b)"
            )
        self.inverse = tuple(sorted(range(len(axes)), key=lambda i: axes[i]))
        return x.transpose(axes)

    def backward(self, grad_out):
        return grad_out.transpose(self.inverse)


class BroadcastTo(Function):
    """y = x repeated along new or size-1 axes.   Backward: sum the copies."""

    name = "broadcast_to"

    def forward(self, x, shape=None):
        self.x_shape = x.shape
        return get_array_module(x).broadcast_to(x, shape)

    def backward(self, grad_out):
        return unbroadcast(grad_out, self.x_shape)


class GetItem(Function):
    """y = x[index]: slices, integers, integer arrays and boolean masks.

    Backward scatters grad_out into zeros of x's shape. With integer arrays an
    element can be picked twice (x[[0, 0]]): its two gradients must add up, so
    that case uses scatter-add (np.add.at) instead of plain assignment.
    """

    name = "getitem"

    def forward(self, x, index=None):
        xp = get_array_module(x)
        index = _checked_index(index, x.shape, xp)
        self.x_shape, self.index = x.shape, index
        parts = index if isinstance(index, tuple) else (index,)
        self.repeats_possible = any(_is_int_array(p) for p in parts)
        try:
            return x[index]
        except IndexError as exc:
            raise IndexError(
                f"getitem: {exc} (the tensor has shape {x.shape})"
            ) from None

    def backward(self, grad_out):
        xp = get_array_module(grad_out)
        grad = xp.zeros(self.x_shape, dtype=grad_out.dtype)
        if self.repeats_possible:
            scatter_add(grad, self.index, grad_out)
        else:
            grad[self.index] = grad_out
        return grad


def _is_int_array(part) -> bool:
    return hasattr(part, "dtype") and part.ndim > 0 and part.dtype.kind in "iu"


def _checked_index(index, shape: tuple, xp):
    """The index with lists made arrays, every integer checked against its axis.

    NumPy would raise for an integer out of range, but CuPy wraps it around
    silently; checking here gives the same clear IndexError on both devices.
    """
    was_tuple = isinstance(index, tuple)
    parts = index if was_tuple else (index,)
    parts = tuple(_array_of(p, xp) if _is_array_like(p) else p for p in parts)
    used = [p.ndim if _is_bool_array(p) else 1 for p in parts]
    used = [0 if p is None or p is Ellipsis else n for p, n in zip(parts, used)]
    axis = 0
    for part, n in zip(parts, used):
        if part is Ellipsis:
            axis += len(shape) - sum(used)
        elif axis < len(shape) and (_is_int_array(part) or _is_int(part)):
            _check_range(part, shape[axis], axis)
        axis += n
    return parts if was_tuple else parts[0]


def _is_array_like(part) -> bool:
    return isinstance(part, list) or (hasattr(part, "dtype") and part.ndim > 0)


def _array_of(part, xp):
    """A list or array used as an index: an integer (or boolean) array on the
    indexed array's device (a NumPy index for a CuPy array is copied over)."""
    array = xp.asarray(part)
    return array.astype(xp.int64) if array.size == 0 else array


def _is_int(part) -> bool:
    if isinstance(part, bool):
        return False
    scalar_array = hasattr(part, "dtype") and part.ndim == 0
    return isinstance(part, int) or (scalar_array and part.dtype.kind in "iu")


def _is_bool_array(part) -> bool:
    return hasattr(part, "dtype") and part.dtype.kind == "b"


def _check_range(part, size: int, axis: int) -> None:
    of = f"axis {axis} of size {size}"
    check_in_range("getitem", part, -size, size - 1, "index", of)


class Cat(Function):
    """y = [x₁, x₂, ...] joined along `axis`.   Backward: split grad_out at the seams."""

    def forward(self, *xs, axis=0):
        xp = get_array_module(xs[0])
        self.axis = axis
        self.seams = [0]
        for x in xs:
            self.seams.append(self.seams[-1] + x.shape[axis])
        return xp.concatenate(xs, axis=axis)

    def backward(self, grad_out):
        grads = []
        for start, stop in zip(self.seams, self.seams[1:]):
            index = [slice(None)] * grad_out.ndim
            index[self.axis] = slice(start, stop)
            grads.append(grad_out[tuple(index)])
        return tuple(grads)


class Stack(Function):
    """y = [x₁, x₂, ...] along a new axis.   Backward: take each slice back."""

    def forward(self, *xs, axis=0):
        xp = get_array_module(xs[0])
        self.axis = axis
        return xp.stack(xs, axis=axis)

    def backward(self, grad_out):
        xp = get_array_module(grad_out)
        return tuple(xp.moveaxis(grad_out, self.axis, 0))
