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
import os
import tempfile
from pathlib import Path

from tinygrad_tx import io
from tinygrad_tx.backend import to_device

MODEL_FILE = "model.safetensors"
CONFIG_FILE = "config.json"
VOCAB_FILE = "vocab.json"
METRICS_FILE = "metrics.json"
STATE_FILE = "train_state.safetensors"
TRAIN_COMMAND = "python cli.py train-toy-translation"


class CheckpointError(ValueError):
    """A checkpoint that is missing, unreadable or does not fit its model."""


# ------------------------------------------------------------------ JSON files


def write_json(path: str | os.PathLike, obj) -> None:
    """Write `obj` as indented JSON, atomically."""
    text = json.dumps(obj, indent=2, ensure_ascii=False) + "\n"
    io.atomic_write_bytes(path, text.encode("utf-8"))


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
    try:
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


def load_train_state(path: str | os.PathLike, model, optimizer) -> dict:
    """Restore what `save_train_state` wrote; returns its `state` dict."""
    try:
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
    saved = info.pop("optimizer")
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
    return info


# ------------------------------------------------------------------ output directory


def prepare_output_dir(out: str | os.PathLike) -> Path:
    """Create `out` if needed and check that files can be written in it."""
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise CheckpointError(
            f"cannot write to the output directory {out}: {reason}; "
            "choose another one with --out DIR"
        ) from None
    return out


def holds_a_run(out: str | os.PathLike) -> bool:
    """True when `out` already holds a checkpoint of a previous run."""
    out = Path(out)
    return any((out / name).exists() for name in (MODEL_FILE, STATE_FILE, CONFIG_FILE))


def back_up_previous_run(out: str | os.PathLike) -> Path:
    """Move a previous run aside (out -> out.previous-N, the first free N) so a
    new run never overwrites it. Returns where it went."""
    out = Path(out)
    n = 1
    while (backup := out.with_name(f"{out.name}.previous-{n}")).exists():
        n += 1
    try:
        out.rename(backup)
    except OSError as exc:
        raise CheckpointError(
            f"{out} holds a previous run and it cannot be moved to {backup} "
            f"({exc.strerror or exc}); choose another directory with --out DIR"
        ) from None
    return backup


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
            f"`{TRAIN_COMMAND} --out {directory}`, or give the output directory "
            "of a finished run (runs/toy-translation by default)"
        )
    return directory
