"""What crosses between the grader and a student's process: data, never code.

A message is a frame: 4 bytes of magic, a 4-byte big-endian length, then that
many bytes of UTF-8 JSON. Values inside are JSON numbers, strings, booleans,
null and lists, plus a few tagged objects:

    {"$nd": [dtype, shape, base64]}      a NumPy array (numbers and booleans only)
    {"$np": [dtype, base64]}             a NumPy scalar such as np.float64(0.5)
    {"$tensor": {"$nd": ...}, "rg": b}   a Tensor: its data and requires_grad
    {"$tuple": [...]} {"$list": [...]}   a tuple, a list
    {"$type": "dict"}                    anything else: only its type's name

`decode` is what the grader runs on a student's answer: it rebuilds only these
kinds, checks every dtype, shape and byte count, and refuses anything larger
than the caps with `WireError`. Nothing is unpickled, imported or evaluated.
"""

from __future__ import annotations

import base64
import json
import math
import os
import select
import struct
import time
from dataclasses import dataclass

import numpy as np

MAGIC = b"TXG1"
MAX_FRAME = 32 * 2**20  # bytes of JSON in one message
MAX_ELEMENTS = 4 * 2**20  # numbers in one answer, all arrays together
MAX_DEPTH = 12
MAX_STRING = 20_000
DTYPES = {
    name: np.dtype(name).newbyteorder("<")
    for name in (
        "bool",
        "int8",
        "int16",
        "int32",
        "int64",
        "uint8",
        "uint16",
        "uint32",
        "uint64",
        "float16",
        "float32",
        "float64",
    )
}


class WireError(ValueError):
    """A message that is not a well-formed answer (too large, wrong kinds)."""


@dataclass(frozen=True)
class TensorValue:
    """A Tensor as it came back: its data (a NumPy array) and requires_grad."""

    array: np.ndarray
    requires_grad: bool

    @property
    def shape(self):
        return self.array.shape

    @property
    def dtype(self):
        return self.array.dtype


@dataclass(frozen=True)
class Foreign:
    """A value of a kind that does not travel: only its type's name came back."""

    type_name: str


# ------------------------------------------------------------------ encoding


def encode(value, depth: int = 0):
    """A JSON-able form of `value` (the student's side calls this on results)."""
    if depth > MAX_DEPTH:
        return {"$type": "too deeply nested"}
    if isinstance(value, np.generic):  # before float: np.float64 is a float
        if value.dtype.name in DTYPES:
            return {"$np": [value.dtype.name, _b64(np.asarray(value))]}
        return {"$type": f"numpy.{type(value).__name__}"[:100]}
    if value is None or isinstance(value, bool | str):
        return value if not isinstance(value, str) else value[:MAX_STRING]
    if isinstance(value, int):
        return value if abs(value) < 2**63 else float(value)
    if isinstance(value, float):
        return value
    if isinstance(value, np.ndarray):
        return _encode_array(value)
    if _is_tensor(value):
        return {"$tensor": _encode_array(value.numpy()), "rg": value.requires_grad}
    if isinstance(value, tuple | list):
        tag = "$tuple" if isinstance(value, tuple) else "$list"
        return {tag: [encode(v, depth + 1) for v in value]}
    return {"$type": type(value).__name__[:100]}


def _encode_array(a: np.ndarray):
    if a.dtype.name not in DTYPES:
        return {"$type": f"ndarray of dtype {a.dtype}"[:100]}
    return {"$nd": [a.dtype.name, list(a.shape), _b64(a)]}


def _b64(a: np.ndarray) -> str:
    data = np.ascontiguousarray(a, dtype=DTYPES[a.dtype.name]).tobytes()
    return base64.b64encode(data).decode("ascii")


def _is_tensor(value) -> bool:
    kind = type(value)
    return kind.__name__ == "Tensor" and kind.__module__ == "tinygrad_tx.tensor"


# ------------------------------------------------------------------ decoding


def decode(data, budget: list[int] | None = None, depth: int = 0):
    """The value `encode` produced, checked kind by kind (the grader's side)."""
    budget = [MAX_ELEMENTS] if budget is None else budget
    if depth > MAX_DEPTH:
        raise WireError("nested too deeply")
    if data is None or isinstance(data, bool | int | float):
        if isinstance(data, int) and not isinstance(data, bool) and abs(data) >= 2**63:
            raise WireError("integer out of range")
        return data
    if isinstance(data, str):
        if len(data) > MAX_STRING:
            raise WireError("string too long")
        return data
    if isinstance(data, list):
        return [decode(v, budget, depth + 1) for v in _counted(data, budget)]
    if not isinstance(data, dict) or len(data) not in (1, 2):
        raise WireError("unexpected object")
    return _decode_tagged(data, budget, depth)


def _decode_tagged(data: dict, budget, depth):
    keys = set(data)
    if keys == {"$nd"}:
        return _decode_array(data["$nd"], budget)
    if keys == {"$np"}:
        return _decode_scalar(data["$np"], budget)
    if keys == {"$tensor", "rg"} and isinstance(data["rg"], bool):
        inner = data["$tensor"]
        if not isinstance(inner, dict) or set(inner) != {"$nd"}:
            raise WireError("a tensor holds one array")
        return TensorValue(_decode_array(inner["$nd"], budget), data["rg"])
    if keys in ({"$tuple"}, {"$list"}):
        items = data.get("$tuple", data.get("$list"))
        if not isinstance(items, list):
            raise WireError("a tuple or list holds a list")
        values = [decode(v, budget, depth + 1) for v in _counted(items, budget)]
        return tuple(values) if "$tuple" in data else values
    if keys == {"$type"} and isinstance(data["$type"], str):
        return Foreign(data["$type"][:100])
    raise WireError(f"unexpected object with keys {sorted(keys)[:4]}")


def _counted(items: list, budget: list[int]) -> list:
    budget[0] -= len(items)
    if budget[0] < 0:
        raise WireError("too many values")
    return items


def _decode_array(spec, budget) -> np.ndarray:
    if not (isinstance(spec, list) and len(spec) == 3):
        raise WireError("an array is [dtype, shape, data]")
    name, shape, text = spec
    dtype = _dtype(name)
    if not isinstance(shape, list) or len(shape) > 16:
        raise WireError("bad shape")
    if not all(
        isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape
    ):
        raise WireError("bad shape")
    size = math.prod(shape)
    budget[0] -= size
    if budget[0] < 0:
        raise WireError("arrays too large")
    raw = _bytes(text)
    if len(raw) != size * dtype.itemsize:
        raise WireError("array data does not match its shape")
    return np.frombuffer(raw, dtype=dtype).reshape(shape).astype(dtype.name)


def _decode_scalar(spec, budget):
    if not (isinstance(spec, list) and len(spec) == 2):
        raise WireError("a scalar is [dtype, data]")
    dtype = _dtype(spec[0])
    raw = _bytes(spec[1])
    if len(raw) != dtype.itemsize:
        raise WireError("scalar data does not match its dtype")
    budget[0] -= 1
    return np.frombuffer(raw, dtype=dtype).astype(dtype.name)[0]


def _dtype(name) -> np.dtype:
    if not isinstance(name, str) or name not in DTYPES:
        raise WireError(f"dtype {str(name)[:20]!r} is not allowed")
    return DTYPES[name]


def _bytes(text) -> bytes:
    if not isinstance(text, str):
        raise WireError("array data must be base64 text")
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError) as exc:
        raise WireError("array data is not base64") from exc


# ------------------------------------------------------------------ frames


def frame(message) -> bytes:
    payload = json.dumps(message, separators=(",", ":")).encode("utf-8")
    if len(payload) > MAX_FRAME:
        raise WireError(f"message of {len(payload)} bytes is over the cap")
    return MAGIC + struct.pack(">I", len(payload)) + payload


def write_frame(fd: int, message, deadline: float | None = None) -> None:
    """Send `message` on `fd`. With a `deadline` (time.monotonic()), a reader
    that stops reading raises TimeoutError instead of blocking the writer for
    ever: the frame goes in pieces no larger than what a pipe takes at once."""
    data = memoryview(frame(message))
    while data:
        piece = len(data)
        if deadline is not None:
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([], [fd], [], wait)[1]:
                raise TimeoutError
            piece = min(piece, select.PIPE_BUF)
        data = data[os.write(fd, data[:piece]) :]


def read_frame(fd: int, deadline: float | None = None):
    """The next message from `fd` (JSON, not yet decoded). Raises TimeoutError
    after `deadline` (time.monotonic()), EOFError at end of stream and WireError
    on bytes that are not a frame."""
    header = _read_exactly(fd, 8, deadline)
    if header[:4] != MAGIC:
        raise WireError("not a frame")
    (length,) = struct.unpack(">I", header[4:])
    if length > MAX_FRAME:
        raise WireError(f"frame of {length} bytes is over the cap")
    payload = _read_exactly(fd, length, deadline)
    try:
        return json.loads(payload.decode("utf-8"))
    except (ValueError, RecursionError) as exc:
        raise WireError("frame is not JSON") from exc


def _read_exactly(fd: int, n: int, deadline: float | None) -> bytes:
    chunks, left = [], n
    while left:
        if deadline is not None:
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([fd], [], [], wait)[0]:
                raise TimeoutError
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
