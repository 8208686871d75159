"""Setting up a training run: settings, data, vocabularies, model, optimizer,
fresh or from a checkpoint.

Everything that can be checked is checked before anything is written: the
options, the device, the data file, the model's shape and whether it fits in
memory. Only then does the run take its folder (run_dir.py), so a mistake
never moves or changes a previous run.
"""

from __future__ import annotations

import dataclasses
import math
import os
from dataclasses import dataclass
from pathlib import Path

import tinygrad_tx
from tinygrad_tx import optim
from tinygrad_tx.backend import check_device

from . import checkpoint as ckpt
from . import run_dir
from .config import TransformerConfig
from .data import Batcher, build_vocabs, encode_pairs, load_vocabs, save_vocabs
from .model import Transformer
from .report import check_data_unchanged, data_fingerprint, load_splits
from .run_config import DEFAULT_MODEL, TrainConfig, option_name, settings

# Training holds each parameter four times (weights, gradients, Adam's m and v).
_BYTES_PER_PARAMETER = 4 * 4


@dataclass
class Run:
    """Everything a training run works with (built by `start_run`)."""

    config: TrainConfig
    model: Transformer
    optimizer: optim.Adam
    schedule: optim.NoamSchedule
    batches: Batcher
    splits: object  # transformer.data.Splits
    src_vocab: object
    tgt_vocab: object
    out: Path
    folder: run_dir.RunFolder | None = None  # the lock on `out`
    step: int = 0
    history: dict = dataclasses.field(
        default_factory=lambda: {"train": [], "validation": []}
    )
    best: dict | None = None  # the validation record of the best weights so far


def start_run(options: dict, out, resume: bool, echo) -> Run | None:
    """A new run, or the run in `out` resumed; None when that run has already
    reached its last step (said through `echo`; nothing is touched)."""
    if resume:
        out = run_dir.require_state(out)
        config, model_options, saved = _resumed_settings(out, options)
        if _finished(out, config, echo):
            return None
    else:
        out = run_dir.check_out(out)
        config, model_options = settings(options)
    device = check_device(config.device)
    make_config(model_options, 4, 4)  # the model's options, before reading data
    tinygrad_tx.manual_seed(config.seed)
    splits = load_splits(config, echo, max_len=model_options["max_len"])
    check_lengths(splits, model_options["max_len"])
    if resume:
        check_data_unchanged(saved, config.data)
        src_vocab, tgt_vocab = _saved_vocabs(out, splits)
    else:
        src_vocab, tgt_vocab = build_vocabs(splits.train)
    model_config = make_config(model_options, len(src_vocab), len(tgt_vocab))
    check_fits_in_memory(model_config)
    check_batch_fits_in_memory(model_config, config.batch_size, splits.train)
    claim = run_dir.claim_existing if resume else run_dir.claim_new
    folder = claim(out, echo)
    echo(splits.describe())
    return _build(config, model_config, device, splits, (src_vocab, tgt_vocab),
                  out, folder, resume, echo)  # fmt: skip


def _build(config, model_config, device, splits, vocabs, out, folder, resume, echo):
    """The model, optimizer and batches, fresh or restored from the checkpoint."""
    try:
        model = Transformer.from_config(model_config).to(device)
        optimizer, schedule = make_optimizer(model, config)
        examples = encode_pairs(splits.train, *vocabs)
        batches = Batcher(examples, config.batch_size, seed=config.seed)
        run = Run(config, model, optimizer, schedule, batches, splits, *vocabs, out,
                  folder)  # fmt: skip
        if resume:
            _restore(run, echo)
        else:
            _write_run_files(run)
    except BaseException:
        folder.release()
        raise
    echo(describe_model(model))
    return run


def describe_preset(name: str) -> list[str]:
    """`python cli.py info --model NAME`: the preset's fields and parameter
    counts. "toy" is the model a default train-toy-translation trains, with
    the vocabulary sizes of its corpus, so the count is the trained model's."""
    from .config import PRESETS, describe

    if name not in PRESETS:
        raise KeyError(f"unknown config {name!r}; choose one of {', '.join(PRESETS)}")
    if name != "toy":
        return describe(TransformerConfig.preset(name), name)
    note = ("(the model train-toy-translation trains by default: the vocabulary "
            "sizes are those of its toy corpus)")  # fmt: skip
    return [*describe(toy_model_config(), name), note]


def toy_model_config() -> TransformerConfig:
    """The model a default `train-toy-translation` trains, vocabulary sizes
    included (built from the toy corpus of the default seed, as training does)."""
    from .data import make_toy_splits

    c = TrainConfig()
    splits = make_toy_splits(c.seed, c.train_pairs, c.valid_pairs, c.test_pairs)
    src_vocab, tgt_vocab = build_vocabs(splits.train)
    return make_config(DEFAULT_MODEL, len(src_vocab), len(tgt_vocab))


def make_config(model_options: dict, src_vocab: int, tgt_vocab: int):
    """The TransformerConfig of the options, sized to the vocabularies; its
    errors name the command-line options (--d-model, --heads, ...)."""
    sizes = {"src_vocab": src_vocab, "tgt_vocab": tgt_vocab}
    try:
        return TransformerConfig.from_dict({**model_options, **sizes})
    except ValueError as exc:
        message = str(exc).replace("TransformerConfig: ", "")
        for field in ("d_model", "n_heads", "n_layers", "d_ff", "max_len"):
            message = message.replace(f"{field} =", f"{option_name(field)} =")
        raise ValueError(f"model options: {message}") from None


def check_lengths(splits, max_len: int) -> None:
    """Every sentence must fit the position table: a source of at most max_len
    tokens, a target of at most max_len - 1 (the decoder reads <s> first)."""
    pairs = [*splits.train, *splits.valid, *splits.test]
    longest_src = max(len(source.split()) for source, _ in pairs)
    longest_tgt = max(len(target.split()) for _, target in pairs)
    if longest_src > max_len or longest_tgt + 1 > max_len:
        raise ValueError(
            f"--max-len {max_len} is too short for this data: its longest source "
            f"has {longest_src} tokens and its longest target {longest_tgt} (+1 for "
            f"<s>); use --max-len {max(longest_src, longest_tgt + 1)} or more"
        )


def check_fits_in_memory(config: TransformerConfig) -> None:
    """Refuse a model whose training alone (weights, gradients, Adam's two
    moments: 16 bytes a parameter) would not fit in this machine's memory."""
    needed = config.num_parameters() * _BYTES_PER_PARAMETER
    available = _physical_memory()
    if available is not None and needed > available:
        raise ValueError(
            f"the model is too large for this machine: {config.num_parameters():,} "
            f"parameters need {needed / 2**30:,.1f} GiB to train (weights, gradients "
            f"and Adam's moments) and this machine has {available / 2**30:,.1f} GiB; "
            "choose a smaller --d-model, --d-ff or --layers"
        )


def check_batch_fits_in_memory(config: TransformerConfig, batch_size: int,
                               pairs: list[tuple[str, str]]) -> None:  # fmt: skip
    """Refuse a batch whose activations alone would not fit in memory. What
    forward keeps for backward, in float32, per token of a batch padded to the
    longest training sentence L: per encoder layer about 10 d_model-wide vectors,
    2 of d_ff and the attention weights 2 · heads · L; per decoder layer 16, 2 and
    4 · heads · L (two attentions); the output layer 3 · vocab. An underestimate
    (`bench train` measures 65.6 MiB at the toy's 64 x 16 where this says 48.5),
    so only a batch that cannot fit is refused."""
    c, rows = config, min(batch_size, len(pairs))
    length = max(max(len(s.split()), len(t.split()) + 1) for s, t in pairs)
    encoder = 10 * c.d_model + 2 * c.d_ff + 2 * c.n_heads * length
    decoder = 16 * c.d_model + 2 * c.d_ff + 4 * c.n_heads * length
    per_token = c.n_layers * (encoder + decoder) + 3 * c.tgt_vocab
    needed = 4 * per_token * rows * length
    available = _physical_memory()
    if available is not None and needed > available:
        raise ValueError(
            f"--batch-size {batch_size:,} is too large for this machine: a batch of "
            f"{rows:,} sentence pairs of up to {length} tokens needs at least "
            f"{needed / 2**30:,.1f} GiB for its activations and this machine has "
            f"{available / 2**30:,.1f} GiB; use a smaller --batch-size (the default "
            "is 64)"
        )


def _physical_memory() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # not a POSIX system
        return None


def make_optimizer(model: Transformer, config: TrainConfig):
    """Adam with the paper's β = (0.9, 0.98), eps = 1e-9, driven by the Noam
    schedule lr(step) = factor · d_model^-½ · min(step^-½, step · warmup^-1.5).
    The rate peaks at step = warmup with factor · (d_model · warmup)^-½, so
    factor = lr · √(d_model · warmup) makes that peak the configured lr."""
    d_model = model.config.d_model
    optimizer = optim.Adam(model.parameters(), lr=0.0, betas=(0.9, 0.98), eps=1e-9)
    factor = config.lr * math.sqrt(d_model * config.warmup)
    schedule = optim.NoamSchedule(optimizer, d_model, config.warmup, factor)
    return optimizer, schedule


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def describe_model(model: Transformer) -> str:
    c = model.config
    return (
        f"model: d_model {c.d_model}, {_count(c.n_heads, 'head')}, "
        f"{_count(c.n_layers, 'layer')}, d_ff "
        f"{c.d_ff}, dropout {c.dropout}, vocab {c.src_vocab} -> {c.tgt_vocab}: "
        f"{model.num_parameters():,} parameters on {model.device}"
    )


# ------------------------------------------------------------------ new or resumed


def _write_run_files(run: Run) -> None:
    ckpt.write_json(
        run.out / ckpt.CONFIG_FILE,
        {
            "model": run.model.config.to_dict(),
            "train": dataclasses.asdict(run.config),
            "data": data_fingerprint(run.config.data),
        },
    )
    save_vocabs(run.out / ckpt.VOCAB_FILE, run.src_vocab, run.tgt_vocab)


def _resumed_settings(out: Path, options: dict):
    """(TrainConfig, model options, config.json) of the run to resume."""
    saved = ckpt.read_json(out / ckpt.CONFIG_FILE)
    try:
        return (*settings(options, saved), saved)
    except ValueError as exc:
        raise ckpt.CheckpointError(f"cannot resume the run in {out}: {exc}") from None


def _finished(out: Path, config: TrainConfig, echo) -> bool:
    """Has the run in `out` already reached config.steps? Then say so."""
    step = ckpt.saved_step(out / ckpt.STATE_FILE)
    if step < config.steps:
        return False
    echo(
        f"the run in {out} has already trained {step} steps (it was asked for "
        f"{config.steps}): nothing to do. To train it further, resume it with "
        f"--steps larger than {step}"
    )
    return True


def _saved_vocabs(out: Path, splits):
    """The saved vocabularies, checked against the ones the data gives now."""
    src_vocab, tgt_vocab = load_vocabs(out / ckpt.VOCAB_FILE)
    if (src_vocab, tgt_vocab) != build_vocabs(splits.train):
        raise ckpt.CheckpointError(
            f"{out / ckpt.VOCAB_FILE} does not match the vocabulary of the training "
            "data: the data changed since this run started, so it cannot be resumed"
        )
    return src_vocab, tgt_vocab


def _restore(run: Run, echo) -> None:
    """Weights, optimizer, schedule, random generators and history as saved."""
    state = ckpt.load_train_state(run.out / ckpt.STATE_FILE, run.model, run.optimizer)
    run.step, run.history, run.best = state["step"], state["history"], state["best"]
    run.schedule.load_state_dict(state["schedule"])
    tinygrad_tx.set_rng_state(state["random"])
    echo(f"resuming from step {run.step} of {run.config.steps}")
