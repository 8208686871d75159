"""Command-line options declared once (click): `device_option` (every command
that computes), `checkpoint_option` (translate, evaluate), `threads_option`
(training and `bench train`), `lang_option` (the HTML pages), and
`train_options`, the training and model options of train-toy-translation, each
with the library's default (transformer/run_config.py).
"""

from __future__ import annotations

import os

import click

from .run_config import defaults

RUN_DIR = "runs/toy-translation"  # where train-toy-translation writes by default

device_option = click.option(
    "--device", default="cpu", show_default=True, help="cpu, cuda or auto."
)

checkpoint_option = click.option(
    "--checkpoint",
    default=RUN_DIR,
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder of a trained model (a train-toy-translation --out).",
)


def threads_option(default: int | None, help: str):
    """--threads N, from 1 to this machine's CPU count (more only slows down)."""
    cpus = os.cpu_count() or 1
    return click.option(
        "--threads",
        type=click.IntRange(1, cpus),
        default=default or cpus,
        show_default=True,
        help=f"{help} This machine has {cpus} CPUs.",
    )


lang_option = click.option(
    "--lang",
    type=click.Choice(["en", "pt"]),
    default="en",
    show_default=True,
    help="Language of an HTML page's labels (pt: Brazilian Portuguese).",
)


# The training and model options; each default is the library's (run_config.py).
TRAIN_OPTIONS = [
    ("--steps", click.IntRange(min=1), "Optimizer steps (one batch each)."),
    ("--d-model", click.IntRange(min=1), "Width of every token vector."),
    ("--layers", click.IntRange(min=1), "Encoder layers (and as many decoder layers)."),
    ("--heads", click.IntRange(min=1), "Attention heads (must divide --d-model)."),
    ("--d-ff", click.IntRange(min=1), "Hidden width of the feed-forward networks."),
    ("--dropout", click.FloatRange(0.0, 1.0, max_open=True), "Dropout probability."),
    ("--max-len", click.IntRange(min=2), "Longest sentence, in tokens (the size of "
     "the position table); longer pairs of a --data file are skipped."),
    ("--batch-size", click.IntRange(min=1), "Sentence pairs per step."),
    ("--lr", click.FloatRange(min=0.0, min_open=True),
     "Peak learning rate, reached after the warm-up (Noam schedule)."),
    ("--warmup", click.IntRange(min=1), "Warm-up steps of the Noam schedule."),
    ("--eval-every", click.IntRange(min=1), "Steps between validations (and checkpoints)."),
    ("--seed", click.IntRange(0, 2**32 - 1), "Corpus, initial weights, dropout and batch order."),
    ("--data", click.Path(dir_okay=False),
     "A TSV of sentence pairs (source TAB target) instead of the toy corpus."),
]  # fmt: skip


def train_options(command):
    """Attach the TRAIN_OPTIONS to `command`, with the library's defaults."""
    for flag, kind, text in reversed(TRAIN_OPTIONS):
        default = defaults()[flag[2:].replace("-", "_")]
        option = click.option(flag, type=kind, default=default, show_default=True,
                              help=text)  # fmt: skip
        command = option(command)
    return command
