"""The "strict" test device: NumPy that follows CuPy's rules about the host.

CuPy arrays live in GPU memory. Code written for NumPy that slips a device
array into a host-only place fails on a GPU and nowhere else: `np.asarray(a)`
and `np.exp(a)` refuse a CuPy array, a CuPy array refuses a NumPy operand, and
each `float(a)`, `int(a)`, `bool(a)`, `a.item()`, `a.get()` is a copy from the
device, which waits for the GPU (a few in a training step are fine, one per
parameter is not). The test suite has no GPU, so it runs the engine here:

  - `ndarray` wraps a NumPy array and offers CuPy's array API (operators,
    indexing, methods; reductions return 0-d arrays, never scalars);
  - the functions of this module mirror `cupy.*` for what the engine uses;
  - `np.asarray(a)`, NumPy functions on `a`, and a NumPy array as an operand
    raise TypeError, as with CuPy;
  - every copy to the host is counted: `with counting_transfers() as log:`
    gives `log.count` and `log.places` (file:line of each transfer).

Only the tests use it (device="strict"); `backend.py` registers it.
"""

from __future__ import annotations

import contextlib
import numbers
import operator
import traceback
from pathlib import Path
from typing import NamedTuple

import numpy as np

# ------------------------------------------------------------------ transfers


class TransferLog:
    """Device-to-host copies seen while counting: how many, and from where."""

    def __init__(self):
        self.count = 0
        self.places: list[str] = []

    def record(self) -> None:
        self.count += 1
        caller = _outside_caller()
        self.places.append(caller)

    def summary(self) -> str:
        counts: dict[str, int] = {}
        for place in self.places:
            counts[place] = counts.get(place, 0) + 1
        return ", ".join(f"{place} x{n}" for place, n in counts.items())


_logs: list[TransferLog] = []


@contextlib.contextmanager
def counting_transfers():
    """Count the device-to-host copies made inside the block."""
    log = TransferLog()
    _logs.append(log)
    try:
        yield log
    finally:
        _logs.remove(log)


def _transfer() -> None:
    for log in _logs:
        log.record()


def _outside_caller() -> str:
    """folder/file:line of the code that asked for the copy (the first frame
    outside this module and backend.py's transfer functions)."""
    for frame in reversed(traceback.extract_stack()[:-1]):
        path = Path(frame.filename)
        if path.name not in ("strict.py", "backend.py"):
            return f"{'/'.join(path.parts[-2:])}:{frame.lineno}"
    return "?"


# ------------------------------------------------------------------ the array


def _refuse(what: str):
    raise TypeError(
        f"strict device: {what}; a device array (CuPy's, or this test device's) "
        "cannot become a NumPy array implicitly: use the array module of the input "
        "(backend.get_array_module) for math, and backend.to_numpy for a host copy"
    )


def _unwrap(value):
    """The NumPy array inside, for a strict array; scalars and None as they are.
    A NumPy array here is a host array met on the device: refused, as CuPy does."""
    if isinstance(value, ndarray):
        return value._a
    if isinstance(value, np.ndarray):
        _refuse(f"a NumPy array of shape {value.shape} was mixed with device arrays")
    if isinstance(value, tuple):
        return tuple(_unwrap(v) for v in value)
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    return value


def _wrap(value):
    """A strict array around a NumPy result (0-d for a scalar, as CuPy returns)."""
    if isinstance(value, np.ndarray):
        return ndarray(value)
    if isinstance(value, np.generic):
        return ndarray(np.asarray(value))
    if isinstance(value, tuple):
        return tuple(_wrap(v) for v in value)
    return value


class _Flags(NamedTuple):
    c_contiguous: bool
    f_contiguous: bool
    owndata: bool


def _operand(other):
    """The NumPy value for an operand, or None when the operator does not apply."""
    if isinstance(other, ndarray | numbers.Number | np.generic | np.ndarray):
        return _unwrap(other)  # refuses a NumPy array, as CuPy does
    return None


def _binary(op):
    def method(self, other):
        value = _operand(other)
        return NotImplemented if value is None else _wrap(op(self._a, value))

    return method


def _reflected(op):
    def method(self, other):
        value = _operand(other)
        return NotImplemented if value is None else _wrap(op(value, self._a))

    return method


def _in_place(op):
    def method(self, other):
        op(self._a, _unwrap(other))
        return self

    return method


class ndarray:  # named as cupy.ndarray
    """A device array of the strict test device (a NumPy array inside)."""

    __slots__ = ("_a",)
    __array_ufunc__ = None  # NumPy ufuncs refuse it; numpy scalar * a defers to us
    __hash__ = None

    def __init__(self, array: np.ndarray):
        self._a = array

    # -------------------------------------------------- refused: implicit host use

    def __array__(self, dtype=None, copy=None):
        _refuse("numpy.asarray() (or another NumPy conversion) was called on it")

    def __array_function__(self, func, types, args, kwargs):
        _refuse(f"numpy.{func.__name__}() was called on it")

    # -------------------------------------------------- counted: explicit transfers

    def get(self) -> np.ndarray:
        """A host copy (CuPy's name)."""
        _transfer()
        return self._a.copy()

    def item(self):
        _transfer()
        return self._a.item()

    def tolist(self):
        _transfer()
        return self._a.tolist()

    def __bool__(self) -> bool:
        _transfer()
        return bool(self._a)

    def __float__(self) -> float:
        _transfer()
        return float(self._a)

    def __int__(self) -> int:
        _transfer()
        return int(self._a)

    # -------------------------------------------------- attributes

    shape = property(lambda self: self._a.shape)
    dtype = property(lambda self: self._a.dtype)
    ndim = property(lambda self: self._a.ndim)
    size = property(lambda self: self._a.size)
    strides = property(lambda self: self._a.strides)
    itemsize = property(lambda self: self._a.itemsize)
    nbytes = property(lambda self: self._a.nbytes)
    T = property(lambda self: ndarray(self._a.T))

    @property
    def flags(self):
        """CuPy's flags: c_contiguous, f_contiguous, owndata (read-only)."""
        flags = self._a.flags
        return _Flags(flags.c_contiguous, flags.f_contiguous, flags.owndata)

    @property
    def base(self):
        return None if self._a.base is None else _wrap(self._a.base)

    def __len__(self) -> int:
        return len(self._a)

    def __iter__(self):
        return (ndarray(row) for row in self._a)

    def __repr__(self) -> str:
        return f"strict.ndarray({self._a!r})"

    # -------------------------------------------------- indexing

    def __getitem__(self, index):
        return _wrap(self._a[_unwrap(index)])

    def __setitem__(self, index, value) -> None:
        self._a[_unwrap(index)] = _unwrap(value)

    # -------------------------------------------------- operators

    __add__, __radd__, __iadd__ = (
        _binary(operator.add),
        _reflected(operator.add),
        _in_place(operator.iadd),
    )
    __sub__, __rsub__, __isub__ = (
        _binary(operator.sub),
        _reflected(operator.sub),
        _in_place(operator.isub),
    )
    __mul__, __rmul__, __imul__ = (
        _binary(operator.mul),
        _reflected(operator.mul),
        _in_place(operator.imul),
    )
    __truediv__, __rtruediv__, __itruediv__ = (
        _binary(operator.truediv),
        _reflected(operator.truediv),
        _in_place(operator.itruediv),
    )
    __floordiv__, __rfloordiv__ = (
        _binary(operator.floordiv),
        _reflected(operator.floordiv),
    )
    __mod__, __rmod__ = _binary(operator.mod), _reflected(operator.mod)
    __pow__, __rpow__, __ipow__ = (
        _binary(operator.pow),
        _reflected(operator.pow),
        _in_place(operator.ipow),
    )
    __matmul__, __rmatmul__ = _binary(operator.matmul), _reflected(operator.matmul)
    __and__, __rand__, __iand__ = (
        _binary(operator.and_),
        _reflected(operator.and_),
        _in_place(operator.iand),
    )
    __or__, __ror__, __ior__ = (
        _binary(operator.or_),
        _reflected(operator.or_),
        _in_place(operator.ior),
    )
    __xor__, __rxor__ = _binary(operator.xor), _reflected(operator.xor)
    __lt__, __le__ = _binary(operator.lt), _binary(operator.le)
    __gt__, __ge__ = _binary(operator.gt), _binary(operator.ge)
    __eq__, __ne__ = _binary(operator.eq), _binary(operator.ne)

    def __neg__(self):
        return ndarray(-self._a)

    def __pos__(self):
        return ndarray(+self._a)

    def __abs__(self):
        return ndarray(abs(self._a))

    def __invert__(self):
        return ndarray(~self._a)


def _method(name: str):
    """ndarray.<name>, run by the NumPy array inside, its result wrapped."""

    def method(self, *args, **kwargs):
        return _wrap(getattr(self._a, name)(*_unwrap(args), **_unwrap_kwargs(kwargs)))

    method.__name__ = name
    return method


_METHODS = (
    "all", "any", "argmax", "argmin", "astype", "clip", "copy", "cumsum", "fill", "max",
    "mean", "min", "nonzero", "prod", "ravel", "repeat", "reshape", "squeeze", "std",
    "sum", "swapaxes", "take", "transpose", "var"
)  # fmt: skip

for _name in _METHODS:
    setattr(ndarray, _name, _method(_name))


# ------------------------------------------------------------------ the module


def _function(name: str):
    """numpy.<name> on unwrapped arguments; `out=` is written in place and
    returned as the strict array that was passed."""
    numpy_function = getattr(np, name)

    def function(*args, **kwargs):
        out = kwargs.get("out")
        result = numpy_function(*_unwrap(args), **_unwrap_kwargs(kwargs))
        return out if isinstance(out, ndarray) else _wrap(result)

    function.__name__ = name
    return function


def _unwrap_kwargs(kwargs: dict) -> dict:
    return {key: _unwrap(value) for key, value in kwargs.items()}


_FUNCTIONS = (
    "abs", "add", "all", "any", "arange", "argmax", "argsort", "array_equal",
    "broadcast_to", "clip", "concatenate", "copyto", "cos", "cumsum", "divide", "dot",
    "einsum", "empty", "empty_like", "equal", "exp", "expm1", "eye", "full",
    "full_like", "greater", "isfinite", "isinf", "isnan", "isneginf", "log", "log1p",
    "logical_and", "logical_not", "logical_or", "matmul", "maximum", "mean", "minimum",
    "moveaxis", "multiply", "negative", "ones", "ones_like", "power", "reciprocal",
    "sign", "sin", "sort", "sqrt", "square", "stack", "subtract", "sum", "tanh", "tril",
    "triu", "vdot", "where", "zeros", "zeros_like"
)  # fmt: skip

for _name in _FUNCTIONS:
    globals()[_name] = _function(_name)
del _name  # (the loop's variable, not a function of the module)

# the dtypes and constants of NumPy, as CuPy re-exports them
inf, nan, pi, newaxis = np.inf, np.nan, np.pi, np.newaxis
bool_, float16, float32, float64 = np.bool_, np.float16, np.float32, np.float64
int8, int16, int32, int64, uint8, uint16 = (
    np.int8,
    np.int16,
    np.int32,
    np.int64,
    np.uint8,
    np.uint16,
)
dtype = np.dtype


def asarray(value, dtype=None):
    """An array of this device: host data is copied over (host -> device)."""
    if isinstance(value, ndarray):
        return value if dtype is None else value.astype(dtype, copy=False)
    return ndarray(np.array(value, dtype=dtype))


def add_at(target: ndarray, index, values) -> None:
    """target[index] += values with repeated indices adding up (cupyx.scatter_add)."""
    np.add.at(target._a, _unwrap(index), _unwrap(values))


class _Generator:
    """cupy.random.Generator: random arrays made on the device."""

    def __init__(self, seed):
        self._rng = np.random.default_rng(seed)

    def random(self, size=None, dtype=np.float64):
        return ndarray(np.asarray(self._rng.random(size, dtype=dtype)))

    def standard_normal(self, size=None, dtype=np.float64):
        return ndarray(np.asarray(self._rng.standard_normal(size, dtype=dtype)))


class random:  # named as the cupy.random module
    default_rng = _Generator
