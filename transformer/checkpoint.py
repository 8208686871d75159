"""What a training run writes to its output directory, and reading it back.

    runs/toy-translation/
      model.safetensors        the best weights so far (highest validation score)
      config.json              the model and training configuration
      vocab.json               the source and target vocabularies
      metrics.json             the history: training loss, validation and test metrics
      loss.png, attention.png  pictures of the run (transformer.plots)
      train_state.safetensors  the latest weights, Adam's moments, the step, the
                               random generators and the position in the data:
                               everything `--resume` needs to continue exactly

Every file is written atomically (to a temporary name, then renamed), so a run
that crashes or is interrupted leaves the previous version of each file whole.
Weights are safetensors, never pickle: loading a checkpoint cannot run code.
"""

from __future__ import annotations

import json
import math
import os
import struct
from pathlib import Path

from tinygrad_tx import io
from tinygrad_tx.backend import to_device

from .commands import command

MODEL_FILE = "model.safetensors"
CONFIG_FILE = "config.json"
VOCAB_FILE = "vocab.json"
METRICS_FILE = "metrics.json"
STATE_FILE = "train_state.safetensors"


class CheckpointError(ValueError):
    """A checkpoint that is missing, unreadable or does not fit its model."""


# ------------------------------------------------------------------ JSON files


def write_json(path: str | os.PathLike, obj) -> None:
    """Write `obj` as indented JSON, atomically."""
    io.atomic_write_bytes(path, json_bytes(obj, indent=2))


def json_bytes(obj, indent: int | None = None) -> bytes:
    """`obj` as UTF-8 JSON and a final newline, accents as written ("olá").

    A file name that is not UTF-8 reaches Python as a string with lone
    surrogates ("caf\\udce9.tsv"), which UTF-8 cannot encode; such a string is
    written as the escape \\udce9, which json.loads turns back into the same
    name, so the file is found again."""
    try:
        return (json.dumps(obj, indent=indent, ensure_ascii=False) + "\n").encode()
    except UnicodeEncodeError:
        return (json.dumps(obj, indent=indent) + "\n").encode()


def read_json(path: str | os.PathLike) -> dict:
    """Read a JSON object, or raise CheckpointError naming the file."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path} is missing")
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CheckpointError(f"{path} is not valid JSON (truncated?): {exc}") from None
    if not isinstance(obj, dict):
        raise CheckpointError(
            f"{path} should hold a JSON object, not {type(obj).__name__}"
        )
    return obj


# ------------------------------------------------------------------ weights


def save_weights(path: str | os.PathLike, model, metadata: dict) -> None:
    """The model's parameters as safetensors; `metadata` (step, scores) as JSON."""
    io.save(model.state_dict(), path, metadata={"info": json.dumps(metadata)})


def load_weights(path: str | os.PathLike, model) -> dict:
    """Copy the weights in `path` into `model`; returns the saved metadata.

    A truncated file, missing or extra names, or a shape that differs from the
    model's (a config.json that does not match the weights) are CheckpointErrors.
    """
    shapes = _shapes(model)
    try:
        check_tensor_sizes(path, shapes.get)
        arrays, metadata = io.load_with_metadata(path)
    except (FileNotFoundError, ValueError) as exc:
        raise CheckpointError(str(exc)) from None
    try:
        model.load_state_dict(arrays)
    except (KeyError, ValueError) as exc:
        message = exc.args[0] if exc.args else str(exc)
        raise CheckpointError(
            f"{path} does not fit the model described by its config.json "
            f"({message}); the files come from different runs"
        ) from None
    return json.loads(metadata.get("info", "{}"))


def _shapes(model) -> dict[str, tuple]:
    return {name: tuple(value.shape) for name, value in model.state_dict().items()}


# A safetensors file: 8 bytes (little-endian u64) giving the header's length, the
# header (JSON: name -> dtype, shape, data_offsets), then the tensors' bytes.
_ITEM_BYTES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4,
               "I16": 2, "I8": 1, "U64": 8, "U32": 4, "U16": 2, "U8": 1, "BOOL": 1}  # fmt: skip
_LARGEST_HEADER = 100 * 2**20  # safetensors' own limit


def check_tensor_sizes(path: str | os.PathLike, expected_shape) -> None:
    """Read only the header of a safetensors file and check, before any data is
    read, that every tensor's declared bytes lie inside the file and that its
    shape is `expected_shape(name)` (None: a name the model does not have).
    A crafted header claiming gigabytes is refused here, not after allocating."""
    path, header, data_bytes = _read_header(path)
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        try:
            shape, (begin, end) = tuple(entry["shape"]), entry["data_offsets"]
            nbytes = math.prod(shape) * _ITEM_BYTES[entry["dtype"]]
        except (KeyError, TypeError, ValueError):
            raise _unreadable(path, f"the entry of {name!r} is malformed") from None
        if not 0 <= begin <= end <= data_bytes or end - begin != nbytes:
            raise _unreadable(
                path, f"{name!r} claims {nbytes:,} bytes but the file holds "
                f"{data_bytes:,} bytes of data"
            )  # fmt: skip
        want = expected_shape(name)
        if want is None or shape != tuple(want):
            found = "is not in the model" if want is None else f"is {want} in the model"
            raise CheckpointError(
                f"{path} does not fit the model described by its config.json: "
                f"{name} has shape {shape} in the file but {found}; the files come "
                "from different runs"
            )


def read_header(path: str | os.PathLike) -> dict:
    """The JSON header of a safetensors file (names, shapes, "__metadata__"),
    without reading any tensor."""
    return _read_header(path)[1]


def _read_header(path) -> tuple[Path, dict, int]:
    """(path, header, bytes after the header) of a safetensors file."""
    path = Path(path)
    if not path.is_file():
        what = "is a directory, not a file" if path.is_dir() else "does not exist"
        raise FileNotFoundError(f"checkpoint file {path} {what}")
    size = path.stat().st_size
    with open(path, "rb") as f:
        start = f.read(8)
        length = struct.unpack("<Q", start)[0] if len(start) == 8 else None
        if length is None or length > min(size - 8, _LARGEST_HEADER):
            raise _unreadable(path, f"its header does not fit in its {size:,} bytes")
        try:
            header = json.loads(f.read(length))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise _unreadable(path, "its header is not JSON") from None
    if not isinstance(header, dict):
        raise _unreadable(path, "its header is not a JSON object")
    return path, header, size - 8 - length


def _unreadable(path, detail: str) -> CheckpointError:
    return CheckpointError(
        f"{path} is not a readable safetensors file (truncated, or another format "
        f"such as a pickle): {detail}"
    )


# ------------------------------------------------------------------ training state


def save_train_state(path: str | os.PathLike, model, optimizer, state: dict) -> None:
    """Weights, optimizer buffers and `state` (JSON-able: step, schedule, random
    generators, data position, history) in one file, so they always agree."""
    names = [name for name, _ in model.named_parameters()]
    arrays = {f"model.{name}": value for name, value in model.state_dict().items()}
    saved = optimizer.state_dict()
    counters: dict[str, dict] = {}  # per-parameter numbers, such as Adam's step
    for i, buffers in saved["state"].items():
        for buffer, value in buffers.items():
            if hasattr(value, "shape"):
                arrays[f"optimizer.{names[i]}.{buffer}"] = value
            else:
                counters.setdefault(names[i], {})[buffer] = value
    optimizer_info = {"steps": saved["steps"], "lr": saved["lr"], "counters": counters}
    info = {**state, "optimizer": optimizer_info}
    io.save(arrays, path, metadata={"state": json.dumps(info)})


def saved_step(path: str | os.PathLike) -> int:
    """The step a training state was saved at, read from the file's header only."""
    path, header, _ = _read_header(path)
    try:
        return int(json.loads(header["__metadata__"]["state"])["step"])
    except (KeyError, TypeError, ValueError):
        raise CheckpointError(
            f"cannot resume from {path}: its header does not record a step (it is "
            "not a training state written by this program)"
        ) from None


def load_train_state(path: str | os.PathLike, model, optimizer) -> dict:
    """Restore what `save_train_state` wrote; returns its `state` dict."""
    shapes = _shapes(model)

    def expected(name: str):  # model.NAME, or optimizer.NAME.BUFFER (m, v, ...)
        kind, _, rest = name.partition(".")
        if kind == "optimizer":
            rest = rest.rpartition(".")[0]
        return shapes.get(rest) if kind in ("model", "optimizer") else None

    try:
        check_tensor_sizes(path, expected)
        arrays, metadata = io.load_with_metadata(path)
        info = json.loads(metadata["state"])
    except (FileNotFoundError, ValueError, KeyError) as exc:
        raise CheckpointError(f"cannot resume from {path}: {exc}") from None
    weights = {
        k[len("model.") :]: v for k, v in arrays.items() if k.startswith("model.")
    }
    try:
        model.load_state_dict(weights)
    except (KeyError, ValueError) as exc:
        raise CheckpointError(f"{path} does not fit the model: {exc}") from None
    _restore_optimizer(model, optimizer, arrays, info.pop("optimizer"))
    return info


def _restore_optimizer(model, optimizer, arrays: dict, saved: dict) -> None:
    """The optimizer's buffers (optimizer.NAME.m, ...) and counters, per parameter."""
    buffers: dict[int, dict] = {}
    for i, (name, param) in enumerate(model.named_parameters()):
        prefix = f"optimizer.{name}."
        for key, value in arrays.items():
            if key.startswith(prefix) and "." not in key[len(prefix) :]:
                buffer = key[len(prefix) :]  # "m", "v" (Adam) or "momentum" (SGD)
                buffers.setdefault(i, {})[buffer] = to_device(value, param.device)
        if name in saved["counters"]:
            buffers.setdefault(i, {}).update(saved["counters"][name])
    optimizer.load_state_dict(
        {"steps": saved["steps"], "lr": saved["lr"], "state": buffers}
    )


# ------------------------------------------------------------------ reading a run


def require_checkpoint(directory: str | os.PathLike) -> Path:
    """The checkpoint directory, or a CheckpointError that says how to make one."""
    directory = Path(directory)
    missing = [
        f
        for f in (MODEL_FILE, CONFIG_FILE, VOCAB_FILE)
        if not (directory / f).is_file()
    ]
    if missing:
        where = (
            "does not exist"
            if not directory.exists()
            else f"has no {', '.join(missing)}"
        )
        raise CheckpointError(
            f"no trained model in {directory}: the directory {where}. Train one with "
            f"`{command('train-toy-translation')} --out {directory}`, or give the folder "
            "of a finished run (runs/toy-translation by default)"
        )
    return directory
