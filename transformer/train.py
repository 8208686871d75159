"""The training loop of the toy English -> Portuguese translator.

One step, as in section 5 of "Attention is all you need":

  1) a batch of padded sentence pairs: src, tgt_in = <s> + target,
     tgt_out = target + </s> (teacher forcing: the decoder reads the correct
     previous words and is scored on the next one);
  2) logits = model(src, tgt_in, src_mask, tgt_mask), with the padding mask on
     the source and the causal-and-padding mask on the target;
  3) label-smoothed cross-entropy against tgt_out, padding ignored;
  4) backward, clip the gradient's global norm, and one Adam step
     (β = 0.9, 0.98, eps 1e-9) at the learning rate of the Noam schedule.

Every `eval_every` steps the model translates the validation split; the best
weights so far are kept in model.safetensors. Ctrl-C stops at the end of the
current step and saves everything `--resume` needs to continue exactly as if
the run had never stopped (see checkpoint.py for the files).
"""

from __future__ import annotations

import dataclasses
import math
import signal
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import tinygrad_tx
from tinygrad_tx import optim
from tinygrad_tx.backend import check_device
from tinygrad_tx.nn import clip_grad_norm_

from . import checkpoint as ckpt
from .config import TransformerConfig
from .data import Batcher, build_vocabs, encode_pairs, load_vocabs, save_vocabs
from .evaluation import evaluate, teacher_forced_loss
from .model import Transformer
from .progress import ProgressBar
from .report import finish_run, load_splits


@dataclass
class TrainConfig:
    """How to train; the CLI's options map onto these fields."""

    steps: int = 1500  # optimizer steps (one batch each)
    batch_size: int = 64  # sentence pairs per batch
    lr: float = 1e-3  # peak learning rate, reached at the end of the warm-up
    warmup: int = 200  # Noam warm-up steps: the rate rises linearly, then ~ 1/√step
    label_smoothing: float = 0.1  # ε: the target puts 1 - ε on the right word
    clip_norm: float = 1.0  # largest global gradient norm
    eval_every: int = 250  # steps between validations (and resume checkpoints)
    seed: int = 0  # corpus, initial weights, dropout, batch order
    device: str = "cpu"  # "cpu", "cuda" or "auto"
    data: str | None = None  # a TSV of sentence pairs; None: the toy corpus
    train_pairs: int = 20_000  # toy corpus sizes (ignored with `data`)
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


def model_and_train_options(options: dict) -> tuple[TrainConfig, dict]:
    """Split the CLI's options into a TrainConfig and the model's overrides."""
    renamed = {"layers": "n_layers", "heads": "n_heads"}
    model_fields = {"d_model", "n_layers", "n_heads", "d_ff", "dropout"}
    model_options, train_options = {}, {}
    for key, value in options.items():
        key = renamed.get(key, key)
        (model_options if key in model_fields else train_options)[key] = value
    return TrainConfig(**train_options), model_options


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
    step: int = 0
    history: dict = dataclasses.field(
        default_factory=lambda: {"train": [], "validation": []}
    )
    best: dict | None = None  # the validation record of the best weights so far


def train(
    config: TrainConfig,
    model_options: dict | None = None,
    out: str = "runs/toy-translation",
    resume: bool = False,
    echo=print,
    on_step=None,
) -> dict:
    """Train, validate, keep the best weights, test them; returns the summary
    (also written to metrics.json). `model_options` overrides DEFAULT_MODEL
    fields; `on_step(step)` is called after each step (tests use it)."""
    started = time.perf_counter()
    run = start_run(config, model_options or {}, Path(out), resume, echo)
    with _StopOnCtrlC() as stop:
        interrupted = _loop(run, stop, echo, on_step)
    if interrupted:
        return _save_interrupted(run, echo)
    return finish_run(run, echo, started)


# ------------------------------------------------------------------ setting up


def start_run(
    config: TrainConfig, model_options: dict, out: Path, resume: bool, echo
) -> Run:
    """Data, vocabularies, model and optimizer, fresh or from a checkpoint."""
    device = check_device(config.device)
    if resume:
        config, model_options = _saved_configs(out, config)
    else:
        _claim_output_dir(out, echo)
    tinygrad_tx.manual_seed(config.seed)
    splits = load_splits(config, echo)
    echo(splits.describe())
    if resume:
        src_vocab, tgt_vocab = _saved_vocabs(out, splits)
    else:
        src_vocab, tgt_vocab = build_vocabs(splits.train)
    model = _make_model(model_options, len(src_vocab), len(tgt_vocab), device)
    optimizer, schedule = _make_optimizer(model, config)
    examples = encode_pairs(splits.train, src_vocab, tgt_vocab)
    batches = Batcher(examples, config.batch_size, seed=config.seed)
    run = Run(config, model, optimizer, schedule, batches, splits, src_vocab,
              tgt_vocab, out)  # fmt: skip
    if resume:
        _restore(run, echo)
    else:
        _write_run_files(run)
    echo(_describe_model(model))
    return run


def _make_model(model_options: dict, src_vocab: int, tgt_vocab: int, device):
    """DEFAULT_MODEL with `model_options` over it, sized to the vocabularies."""
    sizes = {"src_vocab": src_vocab, "tgt_vocab": tgt_vocab}
    config = TransformerConfig.from_dict({**DEFAULT_MODEL, **model_options, **sizes})
    return Transformer.from_config(config).to(device)


def _make_optimizer(model: Transformer, config: TrainConfig):
    """Adam with the paper's β = (0.9, 0.98), eps = 1e-9, driven by the Noam
    schedule lr(step) = factor · d_model^-½ · min(step^-½, step · warmup^-1.5).
    The rate peaks at step = warmup with factor · (d_model · warmup)^-½, so
    factor = lr · √(d_model · warmup) makes that peak the configured lr."""
    d_model = model.config.d_model
    optimizer = optim.Adam(model.parameters(), lr=0.0, betas=(0.9, 0.98), eps=1e-9)
    factor = config.lr * math.sqrt(d_model * config.warmup)
    schedule = optim.NoamSchedule(optimizer, d_model, config.warmup, factor)
    return optimizer, schedule


def _claim_output_dir(out: Path, echo) -> None:
    """Move a previous run aside (never overwrite it), then check `out` is writable."""
    if out.exists() and ckpt.holds_a_run(out):
        backup = ckpt.back_up_previous_run(out)
        echo(f"{out} held a previous run: moved it to {backup}")
    ckpt.prepare_output_dir(out)


def _write_run_files(run: Run) -> None:
    ckpt.write_json(
        run.out / ckpt.CONFIG_FILE,
        {"model": run.model.config.to_dict(), "train": dataclasses.asdict(run.config)},
    )
    save_vocabs(run.out / ckpt.VOCAB_FILE, run.src_vocab, run.tgt_vocab)


def _saved_configs(out: Path, config: TrainConfig) -> tuple[TrainConfig, dict]:
    """The configuration of the run being resumed; only `steps` (to train
    longer) and `device` may differ from it."""
    if not (out / ckpt.STATE_FILE).is_file():
        raise ckpt.CheckpointError(
            f"nothing to resume in {out}: there is no {ckpt.STATE_FILE} (it is "
            f"written at each validation and on Ctrl-C). Start a run with "
            f"`{ckpt.TRAIN_COMMAND} --out {out}`"
        )
    saved = ckpt.read_json(out / ckpt.CONFIG_FILE)
    try:
        train_config = TrainConfig(
            **{**saved["train"], "steps": config.steps, "device": config.device}
        )
        model_options = dict(saved["model"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ckpt.CheckpointError(
            f"{out / ckpt.CONFIG_FILE} is not the configuration of a training run ({exc})"
        ) from None
    for key in ("src_vocab", "tgt_vocab"):
        model_options.pop(key, None)
    return train_config, model_options


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
    if run.step >= run.config.steps:
        raise ckpt.CheckpointError(
            f"the run in {run.out} already reached step {run.step}; to train "
            f"further pass --steps larger than {run.step}"
        )
    echo(f"resuming from step {run.step} of {run.config.steps}")


def _describe_model(model: Transformer) -> str:
    c = model.config
    return (
        f"model: d_model {c.d_model}, {c.n_heads} heads, {c.n_layers} layers, d_ff "
        f"{c.d_ff}, dropout {c.dropout}, vocab {c.src_vocab} -> {c.tgt_vocab}: "
        f"{model.num_parameters():,} parameters on {model.device}"
    )


# ------------------------------------------------------------------ the loop


def train_step(run: Run, batch) -> float:
    """One optimizer step on one batch; returns the batch's loss."""
    loss, _ = teacher_forced_loss(run.model, batch, run.config.label_smoothing)
    run.optimizer.zero_grad()
    loss.backward()
    clip_grad_norm_(run.model.parameters(), run.config.clip_norm)
    run.schedule.step()  # sets optimizer.lr for this step
    run.optimizer.step()
    return loss.item()


def _loop(run: Run, stop: _StopOnCtrlC, echo, on_step) -> bool:
    """Steps until config.steps; True if Ctrl-C stopped it first."""
    bar = ProgressBar(run.config.steps, start=run.step)
    run.model.train()
    for batch in run.batches.stream(run.step):
        if run.step >= run.config.steps or stop.requested:
            break
        loss = train_step(run, batch)
        run.step += 1
        run.history["train"].append({"step": run.step, "loss": loss})
        bar.update(run.step, loss, batch.n_tgt_tokens)
        if run.step % run.config.eval_every == 0 or run.step == run.config.steps:
            bar.write(_validate(run))
        if on_step is not None:
            on_step(run.step)
    bar.close()
    return run.step < run.config.steps


def _validate(run: Run) -> str:
    """Score the validation split, keep the weights if they are the best so far,
    save the training state; returns a line for the log."""
    scores, _ = evaluate(
        run.model,
        run.splits.valid,
        run.src_vocab,
        run.tgt_vocab,
        run.config.label_smoothing,
    )
    record = {"step": run.step, **scores}
    run.history["validation"].append(record)
    better = run.best is None or _rank(record) > _rank(run.best)
    if better:
        run.best = record
        ckpt.save_weights(run.out / ckpt.MODEL_FILE, run.model, {"step": run.step})
    _save_state(run)
    mark = " (best so far: saved)" if better else ""
    return (
        f"step {run.step}: validation loss {scores['loss']:.3f}, token accuracy "
        f"{scores['token_accuracy']:.1%}, exact match {scores['exact_match']:.1%}, "
        f"BLEU {scores['bleu']:.1f}{mark}"
    )


def _rank(record: dict) -> tuple:
    """Higher is better: exact match first, then BLEU, then lower loss."""
    return (record["exact_match"], record["bleu"], -record["loss"])


def _save_state(run: Run) -> None:
    state = {
        "step": run.step,
        "schedule": run.schedule.state_dict(),
        "random": tinygrad_tx.get_rng_state(),
        "history": run.history,
        "best": run.best,
    }
    ckpt.save_train_state(run.out / ckpt.STATE_FILE, run.model, run.optimizer, state)


def _save_interrupted(run: Run, echo) -> dict:
    """Ctrl-C: save the state at the end of the last step, and say how to go on."""
    _save_state(run)
    if not (run.out / ckpt.MODEL_FILE).exists():  # no validation yet: keep these
        ckpt.save_weights(run.out / ckpt.MODEL_FILE, run.model, {"step": run.step})
    ckpt.write_json(run.out / ckpt.METRICS_FILE, {**run.history, "interrupted": True})
    echo(
        f"\ninterrupted at step {run.step} of {run.config.steps}: saved the training "
        f"state to {run.out / ckpt.STATE_FILE}.\ncontinue with: {ckpt.TRAIN_COMMAND} "
        f"--out {run.out} --resume"
    )
    return {"interrupted": True, "step": run.step, "out": str(run.out)}


class _StopOnCtrlC:
    """Inside this block the first Ctrl-C (SIGINT) only sets `requested`, so the
    loop can stop between steps with a consistent state; a second Ctrl-C stops
    at once. Outside the main thread (where signals cannot be caught) it does
    nothing."""

    def __init__(self):
        self.requested = False
        self.previous = None

    def _handle(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        sys.stderr.write("\nCtrl-C: stopping after this step (press again to abort)\n")

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc):
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)
        return False
