"""Command-line options that several commands take, declared once (click).

`device_option` (every command that computes), `checkpoint_option` (translate,
evaluate) and `threads_option` (training and `bench train`).
"""

from __future__ import annotations

import os

import click

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
