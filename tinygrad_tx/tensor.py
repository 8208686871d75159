"""Tensor: an array (NumPy or CuPy) that remembers how it was computed.

Public state, as in micrograd: `data` (the array) and `grad` (dL/d(this), an
array of the same shape, or None). Private graph state: `_ctx`, the Function that
produced this tensor (None for a leaf such as a parameter or an input); that
Function holds the input tensors, and backward() walks those links in reverse.
`_version` notes its latest in-place change (see `Tensor.data`).

The operators and math methods (`+`, `@`, `exp`, `sum`, `reshape`, ...) are in
`TensorMath` (tensor_math.py): each a thin `def` over one op in
`tinygrad_tx.ops`, where the math and the derivative are documented.
"""

from __future__ import annotations

import numpy as np

from . import autograd
from .arguments import array_on, assigned_array, leaf_array
from .backend import as_array, check_device, same_values, to_device, to_numpy, xp_for
from .ops import elementwise as E
from .tensor_math import TensorMath, _raw


class Tensor(TensorMath):
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
        if isinstance(data, np.generic):  # NumPy's reductions return scalars
            data = as_array(data)
        t._data, t.device, t.requires_grad = data, device, requires_grad
        t.grad = t._ctx = t.name = t._lent = None
        t._retains_grad, t._version = False, 0
        return t

    # ------------------------------------------------------------ data and versions

    @property
    def data(self):
        """The array itself (NumPy on "cpu", CuPy on "cuda"), not a copy.

        Writing into it in place (`x.data[0] = 5`, `x.data += 1`) changes values
        that backward may still need: an op that saved x would compute its
        gradient from the new values. So the engine counts in-place changes
        (`autograd.switches.changes`, a clock), a tensor notes the count at its
        latest one in `_version` (PyTorch's version counter, engine-wide), each
        op notes the count when it runs, and backward refuses an input changed
        after its op ran. The engine's own writes (`x[i] = v`, optimizer steps)
        count directly; a write into the array handed out here the engine
        cannot see, so a leaf that requires a gradient (a parameter, an input:
        what users write into) keeps a copy of the values it hands out and
        counts a change when they differ, the next time a graph uses it. (An
        array taken before a forward pass and written after it, or a write into
        an intermediate result, goes unseen.)
        """
        if self._lent is None and self.requires_grad and self._ctx is None:
            self._lent = self._data.copy()
        return self._data

    @data.setter
    def data(self, value) -> None:
        """Replace the array (same device; any shape, as in PyTorch). Graphs
        built before keep the old array: their gradients stay right."""
        value = assigned_array(value, self.device, self.requires_grad)
        if self._lent is not None:  # a write into the old array still counts
            self._count_lent_write()
        self._data = value

    def _changed(self) -> None:
        """Count an in-place change of the data (one that the engine made)."""
        autograd.switches.changes += 1
        self._version = autograd.switches.changes
        self._lent = None

    def _count_lent_write(self) -> None:
        """Count a write into the array that `.data` handed out, if any."""
        if not same_values(self._lent, self._data):
            self._changed()
        self._lent = None

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
