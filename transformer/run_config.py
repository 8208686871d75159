"""The settings of a training run: their defaults, and the one rule for a
resumed run.

A new run takes the defaults below, overridden by the options given. A resumed
run keeps every setting saved in its config.json: it may only train longer
(`steps`) or move to another device (`device`). Any other option given again
must have its saved value (so the command that started a run, with `--resume`
added, resumes it); a different value is refused with a message naming the
option. The command line and `train.train` both go through `settings`.

This module imports nothing heavy, so `python cli.py --help` can show these
defaults.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from pathlib import Path


@dataclass
class TrainConfig:
    """How to train; the CLI's options map onto these fields."""

    steps: int = 5000  # optimizer steps (one batch each)
    batch_size: int = 64  # sentence pairs per batch
    lr: float = 2e-3  # peak learning rate, reached at the end of the warm-up
    warmup: int = 200  # Noam warm-up steps: the rate rises linearly, then ~ 1/√step
    label_smoothing: float = 0.1  # ε: the target puts 1 - ε on the right word
    clip_norm: float = 1.0  # largest global gradient norm
    eval_every: int = 500  # steps between validations (and resume checkpoints)
    seed: int = 0  # corpus, initial weights, dropout, batch order
    device: str = "cpu"  # "cpu", "cuda" or "auto"
    data: str | None = None  # a TSV of sentence pairs (resolved path); None: toy corpus
    train_pairs: int = 40_000  # toy corpus sizes (ignored with `data`)
    valid_pairs: int = 500
    test_pairs: int = 1_000

    def __post_init__(self):
        for name in ("steps", "batch_size", "warmup", "eval_every"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if not (self.lr > 0 and math.isfinite(self.lr)):
            raise ValueError(f"lr must be a positive number, got {self.lr!r}")
        if not 0.0 <= self.label_smoothing < 1.0:
            raise ValueError(
                f"label_smoothing must be in [0, 1), got {self.label_smoothing}"
            )


# The model of the default run: small enough to train in minutes on a laptop CPU.
DEFAULT_MODEL = dict(
    d_model=128, n_heads=4, n_layers=2, d_ff=512, dropout=0.1, max_len=64
)

# The command line's names for the model's fields (the others are TrainConfig's).
MODEL_OPTIONS = {"d_model": "d_model", "layers": "n_layers", "heads": "n_heads",
                 "d_ff": "d_ff", "dropout": "dropout", "max_len": "max_len"}  # fmt: skip

# What a resumed run may change: train longer, or on another device.
RESUMABLE = ("steps", "device")


def defaults() -> dict:
    """{option: default} for every training and model option of the CLI."""
    train = {f.name: f.default for f in dataclasses.fields(TrainConfig)}
    return {**train, **{o: DEFAULT_MODEL[f] for o, f in MODEL_OPTIONS.items()}}


def option_name(field: str) -> str:
    """The command-line spelling of a setting: n_heads -> --heads."""
    cli = {f: o for o, f in MODEL_OPTIONS.items()}.get(field, field)
    return "--" + cli.replace("_", "-")


def split_options(options: dict) -> tuple[dict, dict]:
    """Options -> (TrainConfig fields, model fields): a name that is not a
    TrainConfig field is the model's (CLI names such as `heads` renamed)."""
    train_fields = {f.name for f in dataclasses.fields(TrainConfig)}
    train, model = {}, {}
    for key, value in options.items():
        if key in train_fields:
            train[key] = value
        else:
            model[MODEL_OPTIONS.get(key, key)] = value
    return train, model


def settings(options: dict, saved: dict | None = None) -> tuple[TrainConfig, dict]:
    """(TrainConfig, model fields) of a run. `options` are the settings asked
    for (CLI names or field names); `saved` is the config.json of the run being
    resumed, or None for a new run. A TSV path is stored resolved, so the run
    can be evaluated from any folder."""
    train, model = split_options(options)
    if train.get("data") is not None:
        train["data"] = str(Path(train["data"]).expanduser().resolve())
    if saved is None:
        return TrainConfig(**train), {**DEFAULT_MODEL, **model}
    saved_train, saved_model = _saved_settings(saved)
    _refuse_changes(train, saved_train, model, saved_model)
    resumed = {**saved_train, **{k: train[k] for k in RESUMABLE if k in train}}
    return TrainConfig(**resumed), saved_model


def _saved_settings(saved: dict) -> tuple[dict, dict]:
    """(train fields, model fields) of a run's config.json."""
    try:
        train = dict(saved["train"])
        TrainConfig(**train)  # checks the fields
        model = {k: v for k, v in saved["model"].items()
                 if k not in ("src_vocab", "tgt_vocab")}  # fmt: skip
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValueError(
            f"its config.json is not the configuration of a training run ({exc})"
        ) from None
    return train, model


def _refuse_changes(train, saved_train, model, saved_model) -> None:
    """A resumed run keeps its settings: name each option given a new value."""
    changed = [(k, v, saved_train.get(k)) for k, v in train.items()
               if k not in RESUMABLE and v != saved_train.get(k)]  # fmt: skip
    changed += [(k, v, saved_model.get(k)) for k, v in model.items()
                if v != saved_model.get(k)]  # fmt: skip
    if changed:
        names = ", ".join(
            f"{option_name(k)} {new} (the run has {old})" for k, new, old in changed
        )
        allowed = " and ".join(option_name(k) for k in RESUMABLE)
        raise ValueError(
            f"a resumed run keeps its saved settings: {names}; only {allowed} may "
            "change (start a new run with another --out to change the others)"
        )
