"""tinygrad_tx command line: `python cli.py --help` lists the commands.

Each command parses its options, calls the library, and prints; the work itself
lives in the packages (tinygrad_tx, transformer), not here.
"""

from __future__ import annotations

import platform
import shutil
import sys

import click

import tinygrad_tx
from tinygrad_tx.backend import cuda_status


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(tinygrad_tx.__version__, prog_name="tinygrad_tx")
def main():
    """tinygrad_tx: an autograd engine and the Transformer of "Attention is all
    you need", from scratch, for learning."""


# ---------------------------------------------------------------- info


@main.command()
def info():
    """Print versions, the devices found and whether Graphviz's `dot` is present."""
    import numpy

    click.echo(f"tinygrad_tx {tinygrad_tx.__version__}")
    click.echo(f"python      {platform.python_version()} ({sys.executable})")
    click.echo(f"numpy       {numpy.__version__}")
    cuda_ok, cuda_what = cuda_status()
    click.echo("devices     cpu" + (f", cuda ({cuda_what})" if cuda_ok else ""))
    if not cuda_ok:
        click.echo(f"cuda        not available: {cuda_what}")
    dot = shutil.which("dot")
    found = (
        f"dot found at {dot}"
        if dot
        else "dot not found (graphs are saved as .dot source)"
    )
    click.echo(f"graphviz    {found}")


# ---------------------------------------------------------------- bench (engine, model, train, viz)


@main.group()
def bench():
    """Benchmarks that print ratios measured in one run (see each subcommand)."""


# ---------------------------------------------------------------- model info


# ---------------------------------------------------------------- render-graph


# ---------------------------------------------------------------- train / translate / evaluate


# ---------------------------------------------------------------- lessons


# ---------------------------------------------------------------- exercises


# ---------------------------------------------------------------- export-torch


if __name__ == "__main__":
    main()
