"""Tensor: an array (NumPy or CuPy) that remembers how it was computed.

Public state, as in micrograd: `data` (the array) and `grad` (dL/d(this), an
array of the same shape, or None). Private graph state: `_ctx`, the Function that
produced this tensor (None for a leaf such as a parameter or an input); that
Function holds the input tensors, and backward() walks those links in reverse.
`_version` counts the in-place changes of `data` (see `Tensor.data`).

Every method below is a thin `def` over one op in `tinygrad_tx.ops`: the math,
and the derivative, are documented there.
"""

from __future__ import annotations

import operator

import numpy as np

from . import autograd
from .arguments import (
    array_on,
    assigned_array,
    bool_array,
    check_axis,
    leaf_array,
    operand_array,
    shape_args,
)
from .backend import as_array, check_device, same_values, to_device, to_numpy, xp_for
from .ops import elementwise as E
from .ops import linalg, movement, reduce, softmax


class Tensor:
    __array_ufunc__ = None  # numpy_scalar * tensor calls Tensor.__rmul__ (a Tensor)
    __slots__ = (
        "__weakref__",
        "_ctx",
        "_data",
        "_lent",
        "_retains_grad",
        "_version",
        "device",
        "grad",
        "name",
        "requires_grad",
    )

    def __init__(self, data, requires_grad=False, device="cpu", dtype=None, name=None):
        """A new leaf tensor holding a copy of `data` (like torch.tensor).

        data: a Python number or (nested) list, a NumPy or CuPy array, or a Tensor.
        dtype: Python floats become float32; arrays keep their dtype (float64
        stays float64, which gradcheck needs) unless `dtype` is given.
        """
        device = check_device(device)
        self._data = leaf_array(_raw(data), dtype, device)
        self._version, self._lent = 0, None
        self.device = device
        self.grad = None
        self.name = name
        self._ctx = None
        self._retains_grad = False
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @staticmethod
    def _from_op(data, device, requires_grad):
        """A tensor made by an op: no copy, no checks (hot path)."""
        t = object.__new__(Tensor)
        t._data, t.device, t.requires_grad = as_array(data), device, requires_grad
        t.grad = t._ctx = t.name = t._lent = None
        t._retains_grad, t._version = False, 0
        return t

    # ------------------------------------------------------------ data and versions

    @property
    def data(self):
        """The array itself (NumPy on "cpu", CuPy on "cuda"), not a copy.

        Writing into it in place (`x.data[0] = 5`, `x.data += 1`) changes values
        that backward may still need: an op that saved x would compute its
        gradient from the new values. So a tensor counts its in-place changes
        in `_version` (as PyTorch does), each op notes its inputs' versions,
        and backward refuses an input whose version moved. The engine's own
        writes (`x[i] = v`, optimizer steps) count directly; a write into the
        array handed out here the engine cannot see, so a tensor that requires
        a gradient keeps a copy of the values it hands out and counts a change
        when they differ, the next time a graph uses the tensor. (An array
        taken before a forward pass and written after it goes unseen.)
        """
        if self.requires_grad and self._lent is None:
            self._lent = self._data.copy()
        return self._data

    @data.setter
    def data(self, value) -> None:
        """Replace the array (same device; any shape, as in PyTorch). Graphs
        built before keep the old array: their gradients stay right."""
        value = assigned_array(value, self.device, self.requires_grad)
        self._saved_version()  # a write into the old array still counts
        self._data = value

    def _changed(self) -> None:
        """Count an in-place change of the data (one that the engine made)."""
        self._version += 1
        self._lent = None

    def _saved_version(self) -> int:
        """The version, after counting a write into an array lent by `.data`."""
        if self._lent is not None:
            if not same_values(self._lent, self._data):
                self._version += 1
            self._lent = None
        return self._version

    # ------------------------------------------------------------ basics

    @property
    def shape(self) -> tuple[int, ...]:
        return self._data.shape

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def dtype(self):
        return self._data.dtype

    @property
    def T(self) -> Tensor:
        return self.transpose()

    def numel(self) -> int:
        return int(self._data.size)

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
        return bool(self._data)

    def numpy(self) -> np.ndarray:
        """A host NumPy array (a copy from the GPU; the array itself on the CPU)."""
        return to_numpy(self._data)

    def item(self):
        if self._data.size != 1:
            raise ValueError(
                f"item: only a one-element tensor has an item; shape is {self.shape}"
            )
        return self._data.item()

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
        return Tensor._from_op(self._data, self.device, False)

    def to(self, device: str) -> Tensor:
        """This tensor on another device (itself when it is already there).

        The copy is a new leaf: no gradient flows back across devices, so move
        the model (Module.to) and the inputs before the forward pass.
        """
        device = check_device(device)
        if device == self.device:
            return self
        t = Tensor._from_op(to_device(self._data, device), device, self.requires_grad)
        t.name = self.name
        return t

    def astype(self, dtype) -> Tensor:
        dtype = np.dtype(dtype)
        if dtype == self.dtype:
            return self
        if self.dtype.kind == "f" and dtype.kind == "f":
            return E.Cast.apply(self, dtype=dtype)
        return Tensor._from_op(self._data.astype(dtype), self.device, False)

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
        seed = self._seed_grad(grad)
        autograd.backward(
            self, seed, retain_graph=retain_graph, retain_grads=retain_grads
        )

    def _seed_grad(self, grad):
        """dL/d(self) as an array of our shape: 1 for a scalar, else `grad`."""
        if not self.requires_grad:
            raise RuntimeError(
                "backward: this tensor does not require a gradient: none of the "
                "tensors it was computed from has requires_grad=True, or it was "
                "computed inside no_grad()"
            )
        if grad is None:
            if self._data.size != 1:
                raise RuntimeError(
                    f"backward: a gradient can be implied only for a scalar, but this "
                    f"tensor has shape {self.shape}; reduce it first (.sum() or "
                    f".mean()) or pass grad= with shape {self.shape}"
                )
            return xp_for(self.device).ones_like(self._data)
        grad = array_on(self.device, _raw(grad), self.dtype)
        if grad.shape != self.shape:
            raise ValueError(
                f"backward: grad has shape {grad.shape} but the tensor has shape "
                f"{self.shape}; they must be equal"
            )
        return grad

    def _wrap(self, other) -> Tensor:
        """A constant tensor for a number, list or array operand, on our device
        (numbers take this tensor's float dtype: see `arguments.operand_array`)."""
        if isinstance(other, Tensor):
            return other
        array = operand_array(other, self.dtype, self.device)
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
        other = self._wrap(other)._data
        return Tensor._from_op(op(self._data, other), self.device, False)

    def __lt__(self, other):
        return self._compare(other, operator.lt)

    def __le__(self, other):
        return self._compare(other, operator.le)

    def __gt__(self, other):
        return self._compare(other, operator.gt)

    def __ge__(self, other):
        return self._compare(other, operator.ge)

    def __eq__(self, other):  # elementwise, as in NumPy and PyTorch
        return self._compare(other, operator.eq)

    def __ne__(self, other):
        return self._compare(other, operator.ne)

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
        mask = bool_array("masked_fill", _raw(mask), self.device)
        return E.MaskedFill.apply(self, mask=mask, value=value)

    @staticmethod
    def where(condition, x, y) -> Tensor:
        """x where condition is True, else y (elementwise, broadcasting)."""
        if not isinstance(x, Tensor) and not isinstance(y, Tensor):
            raise TypeError(
                "where: x or y must be a Tensor (for two plain numbers or arrays, "
                "use numpy.where)"
            )
        x = x if isinstance(x, Tensor) else y._wrap(x)
        y = x._wrap(y)
        condition = bool_array("where", _raw(condition), x.device)
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
        return Tensor._from_op(self._data.argmax(axis=axis), self.device, False)

    def softmax(self, axis=-1) -> Tensor:
        return softmax.Softmax.apply(self, axis=axis)

    def log_softmax(self, axis=-1) -> Tensor:
        return softmax.LogSoftmax.apply(self, axis=axis)

    # ------------------------------------------------------------ movement

    def reshape(self, *shape) -> Tensor:
        return movement.Reshape.apply(self, shape=shape_args(shape))

    def flatten(self) -> Tensor:
        return self.reshape(-1)

    def unsqueeze(self, axis: int) -> Tensor:
        """A new axis of size 1 at position `axis` (of the result's ndim + 1 axes)."""
        axis = check_axis("unsqueeze", axis, self.ndim + 1)
        return self.reshape(*self.shape[:axis], 1, *self.shape[axis:])

    def squeeze(self, axis=None) -> Tensor:
        """Drop axes of size 1 (all of them, or those in `axis` that have size 1)."""
        axes = reduce.normalize_axis(axis, self.ndim)
        return self.reshape(
            *[n for i, n in enumerate(self.shape) if not (i in axes and n == 1)]
        )

    def transpose(self, *axes) -> Tensor:
        """Permute the axes, as NumPy: no arguments reverses them."""
        axes = shape_args(axes) or tuple(reversed(range(self.ndim)))
        axes = tuple(check_axis("transpose", a, self.ndim) for a in axes)
        return movement.Transpose.apply(self, axes=axes)

    def permute(self, *axes) -> Tensor:
        return self.transpose(*axes)

    def swapaxes(self, axis1: int, axis2: int) -> Tensor:
        axes = list(range(self.ndim))
        axis1 = check_axis("swapaxes", axis1, self.ndim)
        axis2 = check_axis("swapaxes", axis2, self.ndim)
        axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
        return self.transpose(*axes)

    def broadcast_to(self, *shape) -> Tensor:
        return movement.BroadcastTo.apply(self, shape=shape_args(shape))

    def __getitem__(self, index) -> Tensor:
        return movement.GetItem.apply(self, index=_raw_index(index))

    def __setitem__(self, index, value) -> None:
        """In-place assignment, allowed outside the graph only: on a constant, or
        on a leaf (a parameter) inside no_grad()."""
        if self._ctx is not None or (self.requires_grad and autograd.is_grad_enabled()):
            raise RuntimeError(
                "setitem: cannot assign into a tensor that is part of a graph (it "
                "would change values backward needs); build a new tensor with "
                "where() or masked_fill(), or, for a parameter, assign inside no_grad()"
            )
        self._data[_raw_index(index)] = _raw(value)
        self._changed()

    @staticmethod
    def cat(tensors, axis: int = 0) -> Tensor:
        """Join tensors along an existing axis (numpy.concatenate)."""
        return movement.Cat.apply(*_tensor_list("cat", tensors), axis=axis)

    @staticmethod
    def stack(tensors, axis: int = 0) -> Tensor:
        """Join tensors of one shape along a new axis (numpy.stack)."""
        return movement.Stack.apply(*_tensor_list("stack", tensors), axis=axis)


def _tensor_list(op: str, tensors) -> list[Tensor]:
    tensors = list(tensors)
    if not tensors or not all(isinstance(t, Tensor) for t in tensors):
        raise TypeError(
            f"{op}: expected a non-empty list of Tensors, got {tensors!r:.80}"
        )
    return tensors


def _raw(value):
    """The array inside a Tensor; anything else as it is."""
    return value._data if isinstance(value, Tensor) else value


def _raw_index(index):
    """An index with every Tensor replaced by its array."""
    return tuple(map(_raw, index)) if isinstance(index, tuple) else _raw(index)
