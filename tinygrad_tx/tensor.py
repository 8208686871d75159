"""Tensor: an array (NumPy or CuPy) that remembers how it was computed.

Public state, as in micrograd: `data` (the array) and `grad` (dL/d(this), an
array of the same shape, or None). Private graph state: `_ctx`, the Function that
produced this tensor (None for a leaf such as a parameter or an input); that
Function holds the input tensors, and backward() walks those links in reverse.

Every method below is a thin `def` over one op in `tinygrad_tx.ops`: the math,
and the derivative, are documented there.
"""

from __future__ import annotations

import numpy as np

from . import autograd
from .backend import check_device, device_of, to_device, to_numpy, xp_for
from .ops import elementwise as E
from .ops import linalg, movement, reduce, softmax


def _default_dtype(array):
    """float32 for Python floats; keep NumPy dtypes, floats included, as given."""
    return np.float32 if array.dtype == np.float64 else array.dtype


class Tensor:
    __slots__ = (
        "__weakref__",
        "_ctx",
        "_retains_grad",
        "data",
        "device",
        "grad",
        "name",
        "requires_grad",
    )

    def __init__(self, data, requires_grad=False, device="cpu", dtype=None, name=None):
        device = check_device(device)
        if isinstance(data, Tensor):
            data = data.data
        if hasattr(data, "dtype") and hasattr(data, "shape"):  # a NumPy or CuPy array
            array = to_device(data, device)
            if dtype is not None:
                array = array.astype(dtype, copy=False)
        else:  # Python numbers and (nested) lists
            host = np.asarray(data)
            array = xp_for(device).asarray(host, dtype=dtype or _default_dtype(host))
        self.data = array
        self.device = device
        self.grad = None
        self.name = name
        self._ctx = None
        self._retains_grad = False
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _from_op(cls, data, device, requires_grad):
        """A tensor made by an op: no conversion, no checks (hot path)."""
        t = cls.__new__(cls)
        if device == "cpu" and type(data) is not np.ndarray:
            data = np.asarray(data)  # NumPy reductions return scalars, not arrays
        t.data, t.device, t.requires_grad = data, device, requires_grad
        t.grad = t._ctx = t.name = None
        t._retains_grad = False
        return t

    # ------------------------------------------------------------ basics

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def T(self) -> Tensor:
        return self.transpose()

    def numel(self) -> int:
        return int(self.data.size)

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __repr__(self) -> str:
        grad = ", requires_grad=True" if self.requires_grad else ""
        dev = f", device='{self.device}'" if self.device != "cpu" else ""
        body = np.array2string(self.numpy(), precision=4, separator=", ", threshold=50)
        return f"Tensor({body}, dtype={self.dtype}{dev}{grad})"

    def __array__(self, dtype=None, copy=None):
        array = self.numpy()
        return array.astype(dtype) if dtype is not None else array

    def __bool__(self) -> bool:
        return bool(self.data)

    def numpy(self) -> np.ndarray:
        """A host NumPy array (a copy from the GPU; the array itself on the CPU)."""
        return to_numpy(self.data)

    def item(self):
        if self.data.size != 1:
            raise ValueError(
                f"item: only a one-element tensor has an item; shape is {self.shape}"
            )
        return self.data.item()

    def tolist(self):
        return self.numpy().tolist()

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if requires_grad and self.dtype.kind != "f":
            raise TypeError(
                f"requires_grad=True needs a floating-point tensor, but this one is "
                f"{self.dtype}: integer tensors (token ids, class labels) cannot "
                "carry gradients; convert with .float() if you meant numbers"
            )
        self.requires_grad = requires_grad
        return self

    def retain_grad(self) -> Tensor:
        """Keep this intermediate tensor's .grad after backward (PyTorch's name)."""
        self._retains_grad = True
        return self

    def detach(self) -> Tensor:
        """The same data, cut from the graph (no gradient flows through it)."""
        return Tensor._from_op(self.data, self.device, False)

    def to(self, device: str) -> Tensor:
        """This tensor on another device (itself when it is already there)."""
        device = check_device(device)
        if device == self.device:
            return self
        t = Tensor(to_device(self.data, device), device=device, name=self.name)
        t.requires_grad = self.requires_grad
        return t

    def astype(self, dtype) -> Tensor:
        dtype = np.dtype(dtype)
        if dtype == self.dtype:
            return self
        if self.dtype.kind == "f" and dtype.kind == "f":
            return E.Cast.apply(self, dtype=dtype)
        return Tensor._from_op(self.data.astype(dtype), self.device, False)

    def float(self) -> Tensor:
        return self.astype(np.float32)

    def double(self) -> Tensor:
        return self.astype(np.float64)

    def long(self) -> Tensor:
        return self.astype(np.int64)

    def backward(self, grad=None, retain_graph=False, retain_grads=False) -> None:
        """Compute d(self)/d(leaf) for every leaf and add it to leaf.grad.

        See `tinygrad_tx.autograd.backward` for the options.
        """
        autograd.backward(
            self, grad, retain_graph=retain_graph, retain_grads=retain_grads
        )

    def _wrap(self, other) -> Tensor:
        """A constant tensor for a Python number or array operand, on our device.

        A Python number takes this tensor's dtype (float32 stays float32)."""
        if isinstance(other, Tensor):
            return other
        if isinstance(other, int | float | bool) and self.dtype.kind in "fc":
            array = xp_for(self.device).asarray(other, dtype=self.dtype)
        elif isinstance(other, int | float):
            array = xp_for(self.device).asarray(other)
        else:
            if device_of(other) != self.device:
                other = to_device(other, self.device)
            array = xp_for(self.device).asarray(other)
        return Tensor._from_op(array, self.device, False)

    # ------------------------------------------------------------ arithmetic

    def __add__(self, other):
        return E.Add.apply(self, self._wrap(other))

    def __radd__(self, other):
        return E.Add.apply(self._wrap(other), self)

    def __sub__(self, other):
        return E.Sub.apply(self, self._wrap(other))

    def __rsub__(self, other):
        return E.Sub.apply(self._wrap(other), self)

    def __mul__(self, other):
        return E.Mul.apply(self, self._wrap(other))

    def __rmul__(self, other):
        return E.Mul.apply(self._wrap(other), self)

    def __truediv__(self, other):
        return E.Div.apply(self, self._wrap(other))

    def __rtruediv__(self, other):
        return E.Div.apply(self._wrap(other), self)

    def __pow__(self, other):
        return E.Pow.apply(self, self._wrap(other))

    def __rpow__(self, other):
        return E.Pow.apply(self._wrap(other), self)

    def __neg__(self):
        return E.Neg.apply(self)

    def __matmul__(self, other):
        return linalg.MatMul.apply(self, self._wrap(other))

    def __rmatmul__(self, other):
        return linalg.MatMul.apply(self._wrap(other), self)

    def matmul(self, other) -> Tensor:
        return self @ other

    def maximum(self, other) -> Tensor:
        return E.Maximum.apply(self, self._wrap(other))

    def minimum(self, other) -> Tensor:
        return -E.Maximum.apply(-self, -self._wrap(other))

    # ------------------------------------------------------------ comparisons (no gradient)

    def _compare(self, other, op) -> Tensor:
        other = other.data if isinstance(other, Tensor) else other
        return Tensor._from_op(op(self.data, other), self.device, False)

    def __lt__(self, other):
        return self._compare(other, np.less)

    def __le__(self, other):
        return self._compare(other, np.less_equal)

    def __gt__(self, other):
        return self._compare(other, np.greater)

    def __ge__(self, other):
        return self._compare(other, np.greater_equal)

    def __eq__(self, other):  # elementwise, as in NumPy and PyTorch
        return self._compare(other, np.equal)

    def __ne__(self, other):
        return self._compare(other, np.not_equal)

    __hash__ = object.__hash__  # tensors stay usable as dict keys, by identity

    # ------------------------------------------------------------ unary

    def exp(self) -> Tensor:
        return E.Exp.apply(self)

    def log(self) -> Tensor:
        return E.Log.apply(self)

    def sqrt(self) -> Tensor:
        return E.Sqrt.apply(self)

    def abs(self) -> Tensor:
        return E.Abs.apply(self)

    def relu(self) -> Tensor:
        return E.ReLU.apply(self)

    def tanh(self) -> Tensor:
        return E.Tanh.apply(self)

    def sigmoid(self) -> Tensor:
        return E.Sigmoid.apply(self)

    def masked_fill(self, mask, value: float) -> Tensor:
        """`value` where mask is True, this tensor elsewhere (mask broadcasts)."""
        mask = mask.data if isinstance(mask, Tensor) else mask
        if mask.dtype != bool:
            raise TypeError(f"masked_fill: the mask must be boolean, got {mask.dtype}")
        return E.MaskedFill.apply(self, mask=mask, value=value)

    @staticmethod
    def where(condition, x, y) -> Tensor:
        """x where condition is True, else y (elementwise, broadcasting)."""
        x = x if isinstance(x, Tensor) else y._wrap(x)
        y = x._wrap(y)
        condition = condition.data if isinstance(condition, Tensor) else condition
        return E.Where.apply(x, y, condition=condition)

    # ------------------------------------------------------------ reductions

    def sum(self, axis=None, keepdims=False) -> Tensor:
        return reduce.Sum.apply(self, axis=axis, keepdims=keepdims)

    def mean(self, axis=None, keepdims=False) -> Tensor:
        return reduce.Mean.apply(self, axis=axis, keepdims=keepdims)

    def max(self, axis=None, keepdims=False) -> Tensor:
        return reduce.Max.apply(self, axis=axis, keepdims=keepdims)

    def min(self, axis=None, keepdims=False) -> Tensor:
        return -reduce.Max.apply(-self, axis=axis, keepdims=keepdims)

    def var(self, axis=None, keepdims=False, ddof=0) -> Tensor:
        return reduce.Var.apply(self, axis=axis, keepdims=keepdims, ddof=ddof)

    def argmax(self, axis=None) -> Tensor:
        return Tensor._from_op(self.data.argmax(axis=axis), self.device, False)

    def softmax(self, axis=-1) -> Tensor:
        return softmax.Softmax.apply(self, axis=axis)

    def log_softmax(self, axis=-1) -> Tensor:
        return softmax.LogSoftmax.apply(self, axis=axis)

    # ------------------------------------------------------------ movement

    def reshape(self, *shape) -> Tensor:
        shape = (
            tuple(shape[0])
            if len(shape) == 1 and not isinstance(shape[0], int)
            else shape
        )
        return movement.Reshape.apply(self, shape=shape)

    def flatten(self) -> Tensor:
        return self.reshape(-1)

    def unsqueeze(self, axis: int) -> Tensor:
        axis = axis % (self.ndim + 1)
        return self.reshape(*self.shape[:axis], 1, *self.shape[axis:])

    def squeeze(self, axis=None) -> Tensor:
        axes = reduce.normalize_axis(axis, self.ndim)
        return self.reshape(
            *[n for i, n in enumerate(self.shape) if not (i in axes and n == 1)]
        )

    def transpose(self, *axes) -> Tensor:
        """Permute the axes, as NumPy: no arguments reverses them."""
        axes = (
            tuple(axes[0]) if len(axes) == 1 and not isinstance(axes[0], int) else axes
        )
        axes = axes or tuple(reversed(range(self.ndim)))
        return movement.Transpose.apply(
            self, axes=tuple(a % max(self.ndim, 1) for a in axes)
        )

    def permute(self, *axes) -> Tensor:
        return self.transpose(*axes)

    def swapaxes(self, axis1: int, axis2: int) -> Tensor:
        axes = list(range(self.ndim))
        axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
        return self.transpose(*axes)

    def broadcast_to(self, *shape) -> Tensor:
        shape = (
            tuple(shape[0])
            if len(shape) == 1 and not isinstance(shape[0], int)
            else shape
        )
        return movement.BroadcastTo.apply(self, shape=shape)

    def __getitem__(self, index) -> Tensor:
        return movement.GetItem.apply(self, index=_raw_index(index))

    def __setitem__(self, index, value) -> None:
        if self.requires_grad or self._ctx is not None:
            raise RuntimeError(
                "setitem: cannot assign into a tensor that is part of a graph (it would "
                "change values backward needs); build a new tensor with where() or "
                "masked_fill(), or assign inside no_grad() on a detached copy"
            )
        self.data[_raw_index(index)] = (
            value.data if isinstance(value, Tensor) else value
        )

    @staticmethod
    def cat(tensors, axis: int = 0) -> Tensor:
        return movement.Cat.apply(*tensors, axis=axis)

    @staticmethod
    def stack(tensors, axis: int = 0) -> Tensor:
        return movement.Stack.apply(*tensors, axis=axis)


def _raw_index(index):
    """An index with every Tensor replaced by its array."""
    if isinstance(index, tuple):
        return tuple(i.data if isinstance(i, Tensor) else i for i in index)
    return index.data if isinstance(index, Tensor) else index
