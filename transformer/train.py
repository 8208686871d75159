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
weights so far are kept in model.safetensors. Ctrl-C (or SIGTERM, as sent by
`kill` or a job scheduler) stops at the end of the current step and saves
everything `--resume` needs to continue exactly as if the run had never
stopped (see checkpoint.py for the files). A loss or gradient that is not a
finite number stops the run at once, before the step that would spoil the
weights: the last checkpoint stays as it was.

Setting a run up (options, data, model, its folder) is in run_setup.py; the
report at the end in report.py.
"""

from __future__ import annotations

import dataclasses
import math
import signal
import sys
import threading
import time

import tinygrad_tx
from tinygrad_tx.nn import clip_grad_norm_

from . import checkpoint as ckpt
from .commands import command
from .evaluation import evaluate, teacher_forced_loss
from .progress import ProgressBar
from .report import finish_run
from .run_config import DEFAULT_MODEL, TrainConfig
from .run_setup import Run, start_run

__all__ = ["DEFAULT_MODEL", "Run", "TrainConfig", "train", "train_from_options",
           "train_step"]  # fmt: skip


class Diverged(ArithmeticError):
    """The loss or the gradient of a step is not a finite number."""


def train(
    config: TrainConfig | None = None,
    model_options: dict | None = None,
    out: str = "runs/toy-translation",
    resume: bool = False,
    echo=print,
    on_step=None,
) -> dict:
    """Train, validate, keep the best weights, test them; returns the summary
    (also written to metrics.json). `model_options` overrides DEFAULT_MODEL
    fields; `on_step(step)` is called after each step (tests use it).

    With `resume`, the run in `out` continues with its saved settings; `config`
    and `model_options` may only change its steps and device (run_config.py).
    The summary says {"finished": True} when it had nothing left to do,
    {"interrupted": True, ...} after Ctrl-C or SIGTERM, and {"diverged": True,
    ...} when the loss stopped being a number."""
    options = {
        **(dataclasses.asdict(config) if config else {}),
        **(model_options or {}),
    }
    return train_from_options(options, out, resume, echo, on_step)


def train_from_options(
    options: dict,
    out: str = "runs/toy-translation",
    resume=False,
    echo=print,
    on_step=None,
) -> dict:
    """`train` from a dict of settings by CLI or field name ({"steps": 300,
    "heads": 8}): the command line passes the options the user gave."""
    started = time.perf_counter()
    run = start_run(options, out, resume, echo)
    if run is None:
        return {"finished": True, "out": str(out)}
    with run.folder, _StopOnSignal() as stop:
        try:
            _loop(run, stop, echo, on_step)
        except Diverged as exc:
            return _stop_diverged(run, exc, echo)
        if stop.requested and run.step < run.config.steps:
            return _save_interrupted(run, stop.requested, echo)
        return finish_run(run, echo, started)


# ------------------------------------------------------------------ the loop


def train_step(run: Run, batch) -> float:
    """One optimizer step on one batch; returns the batch's loss. A loss or
    gradient norm that is not finite raises Diverged before the weights change."""
    loss, _ = teacher_forced_loss(run.model, batch, run.config.label_smoothing)
    run.optimizer.zero_grad()
    loss.backward()
    norm = clip_grad_norm_(run.model.parameters(), run.config.clip_norm)
    value = loss.item()
    if not (math.isfinite(value) and math.isfinite(norm)):
        raise Diverged(f"loss {value}, gradient norm {norm}")
    run.schedule.step()  # sets optimizer.lr for this step
    run.optimizer.step()
    return value


def _loop(run: Run, stop: _StopOnSignal, echo, on_step) -> None:
    """Steps until config.steps, or until a stop is requested."""
    bar = ProgressBar(run.config.steps, start=run.step)
    run.model.train()
    try:
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
    finally:
        bar.close()


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


def _save_interrupted(run: Run, signal_name: str, echo) -> dict:
    """Ctrl-C or SIGTERM: save the state at the end of the last step, and say
    how to go on."""
    _save_state(run)
    if not (run.out / ckpt.MODEL_FILE).exists():  # no validation yet: keep these
        ckpt.save_weights(run.out / ckpt.MODEL_FILE, run.model, {"step": run.step})
    ckpt.write_json(run.out / ckpt.METRICS_FILE, {**run.history, "interrupted": True})
    echo(
        f"\n{signal_name}: stopped at step {run.step} of {run.config.steps} and saved "
        f"the training state to {run.out / ckpt.STATE_FILE}.\ncontinue with: "
        f"{command('train-toy-translation')} --out {run.out} --resume"
    )
    return {"interrupted": True, "signal": signal_name, "step": run.step,
            "out": str(run.out)}  # fmt: skip


def _stop_diverged(run: Run, exc: Diverged, echo) -> dict:
    """A loss that is not a number: stop before it spoils anything, and say so."""
    step = run.step + 1
    kept = (
        f"the last checkpoint (step {run.best['step']}, the best so far) is kept in "
        f"{run.out}" if run.best else f"no checkpoint was saved before it in {run.out}"
    )  # fmt: skip
    ckpt.write_json(
        run.out / ckpt.METRICS_FILE,
        {**run.history, "diverged": {"step": step, "what": str(exc)}},
    )
    echo(
        f"\nstep {step}: training diverged ({exc}): stopped before this step changed "
        f"the weights; {kept}. The learning rate is probably too high: train again "
        f"with a smaller --lr (this run had {run.config.lr:g})"
    )
    return {"diverged": True, "step": step, "out": str(run.out)}


_STOP_SIGNALS = {signal.SIGINT: "Ctrl-C", signal.SIGTERM: "SIGTERM"}


class _StopOnSignal:
    """Inside this block the first Ctrl-C (SIGINT) or SIGTERM only sets
    `requested` to the signal's name, so the loop can stop between steps with a
    consistent state; a second one stops at once. Outside the main thread
    (where signals cannot be caught) it does nothing."""

    def __init__(self):
        self.requested: str | None = None
        self.previous: dict = {}

    def _handle(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = _STOP_SIGNALS[signum]
        sys.stderr.write(
            f"\n{self.requested}: stopping after this step (again to abort)\n"
        )

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for signum in _STOP_SIGNALS:
                self.previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc):
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)
        return False
