"""The operators and math methods of Tensor, each a thin `def` over one op.

`Tensor` (tensor.py) holds the state (data, grad, graph links) and backward();
it inherits these methods: `x + y` is `Add.apply(x, y)`, `x.sum(axis)` is
`Sum.apply(x, axis=axis)`, and so on. The math of each op, forward and
derivative, is documented in its class in `tinygrad_tx.ops`.
"""

from __future__ import annotations

import operator
from typing import TYPE_CHECKING

from . import autograd
from .arguments import bool_array, check_axis, operand_array, shape_args
from .ops import elementwise as E
from .ops import linalg, movement, reduce, softmax

if TYPE_CHECKING:  # for the annotations only: tensor.py imports this module
    from .tensor import Tensor


class TensorMath:
    """Operators and methods; a Tensor is made by `_from_op` (see tensor.py)."""

    __slots__ = ()
    __array_ufunc__ = None  # numpy_scalar * tensor calls Tensor.__rmul__ (a Tensor)

    def _wrap(self, other) -> Tensor:
        """A constant tensor for a number, list or array operand, on our device
        (numbers take this tensor's float dtype: see `arguments.operand_array`)."""
        if isinstance(other, TensorMath):
            return other
        array = operand_array(other, self.dtype, self.device)
        return self._from_op(array, self.device, False)

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
        return self._from_op(op(self._data, other), self.device, False)

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
        if not isinstance(x, TensorMath) and not isinstance(y, TensorMath):
            raise TypeError(
                "where: x or y must be a Tensor (for two plain numbers or arrays, "
                "use numpy.where)"
            )
        x = x if isinstance(x, TensorMath) else y._wrap(x)
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
        return self._from_op(self._data.argmax(axis=axis), self.device, False)

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
    if not tensors or not all(isinstance(t, TensorMath) for t in tensors):
        raise TypeError(
            f"{op}: expected a non-empty list of Tensors, got {tensors!r:.80}"
        )
    return tensors


def _raw(value):
    """The array inside a Tensor; anything else as it is."""
    return value._data if isinstance(value, TensorMath) else value


def _raw_index(index):
    """An index with every Tensor replaced by its array."""
    return tuple(map(_raw, index)) if isinstance(index, tuple) else _raw(index)
