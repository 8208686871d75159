"""`python cli.py bench ...`: the benchmarks' command group, beside the code it
drives (attached to the main command in cli.py with `main.add_command(bench)`).

Each command parses its options into the benchmark's config dataclass, runs it
(progress on stderr) and prints its report; every number is measured in the run.
"""

from __future__ import annotations

import click

from tinygrad_tx.cli_errors import clear_errors

from ..cli_options import device_option, threads_option


def _progress(line: str) -> None:
    click.echo(line, err=True)


@click.group()
def bench():
    """Benchmarks that print ratios measured in one run (see each subcommand)."""


@bench.command("engine")
@device_option
@click.option(
    "--steps", default=100, show_default=True, type=click.IntRange(min=5),
    help="Timed training steps per implementation (interleaved).",
)  # fmt: skip
@click.option(
    "--memory-steps", default=200, show_default=True, type=click.IntRange(min=11),
    help="Training steps watched for memory growth.",
)  # fmt: skip
@click.option(
    "--batch", default=128, show_default=True, type=click.IntRange(min=1),
    help="Examples per training step.",
)  # fmt: skip
@click.option(
    "--seed", default=0, show_default=True, type=click.IntRange(0, 2**32 - 1),
    help="Seed for data and weights.",
)  # fmt: skip
def bench_engine(device, steps, memory_steps, batch, seed):
    """Engine overhead over hand-written NumPy: a 784-256-256-10 MLP training
    step (target ratio <= 1.2), per-op dispatch cost, memory over many steps,
    and reference cycles (gc on vs off)."""
    from tinygrad_tx.bench.engine import (
        EngineBenchConfig,
        report_lines,
        run_engine_bench,
    )

    config = EngineBenchConfig(batch=batch, timed_steps=steps,
                               memory_steps=memory_steps, device=device, seed=seed)  # fmt: skip
    with clear_errors():
        result = run_engine_bench(config)
    click.echo("\n".join(report_lines(result)))


def _repeats_help() -> str:
    from .model import ModelBenchConfig

    usual, quick = ModelBenchConfig().repeats, ModelBenchConfig.quick().repeats
    return f"Timed runs per measurement [default: {usual}, or {quick} with --quick]."


@bench.command("model")
@device_option
@click.option(
    "--quick", is_flag=True,
    help="A few seconds: 1 timed run, L up to 128 in (a) and 512 in (b).",
)  # fmt: skip
@click.option("--repeats", type=click.IntRange(min=1), help=_repeats_help())
def bench_model(device, quick, repeats):
    """Attention forward + backward: (a) the fused op against the composed ops
    at B=32, H=8, D=64, L = 32, 128, 512 (time, peak memory, ratios); (b) the
    fused op at L = 64 ... 1024, showing the quadratic growth of the L x L
    attention matrix."""
    from .model import ModelBenchConfig, report_lines, run_model_bench

    options = {"device": device}
    if repeats is not None:
        options["repeats"] = repeats
    config = ModelBenchConfig.quick(**options) if quick else ModelBenchConfig(**options)
    with clear_errors():
        result = run_model_bench(config, echo=_progress)
    click.echo("\n".join(report_lines(result)))


@bench.command("train")
@click.option(
    "--config", "size", type=click.Choice(["toy", "small", "base", "tiny"]),
    default="toy", show_default=True,
    help="Model and batch size; tiny is a seconds-long smoke run.",
)  # fmt: skip
@device_option
@threads_option(None, "CPU threads for NumPy's BLAS and PyTorch alike.")
@click.option(
    "--dropout", type=click.FloatRange(0.0, 1.0, max_open=True), default=0.1,
    show_default=True, help="Dropout probability (compare PyTorch at the same setting).",
)  # fmt: skip
@click.option(
    "--steps", type=click.IntRange(min=3), default=20, show_default=True,
    help="Timed steps per side, in blocks taking turns with PyTorch's.",
)  # fmt: skip
@click.option("--no-torch", is_flag=True, help="Skip the PyTorch comparison.")
@click.option(
    "--return-freed-memory", is_flag=True,
    help="Leave malloc returning freed memory to the system (more page faults; by "
    "default it is kept for reuse: tinygrad_tx.bench.memory).",
)  # fmt: skip
def bench_train(size, device, threads, dropout, steps, no_torch, return_freed_memory):
    """Training steps (forward, backward, Adam) of the encoder-decoder
    Transformer: median ms/step, tokens/s, peak memory; beside PyTorch running
    the same model, weights and batches when it is installed (ratios, and the
    first batch's loss difference), and the step's matmul-only floor."""
    from .train import TrainBenchConfig, run_train_bench
    from .train_report import report_lines

    config = TrainBenchConfig(
        size=size, device=device, threads=threads, dropout=dropout, steps=steps,
        compare_torch=not no_torch, keep_freed_memory=not return_freed_memory,
    )  # fmt: skip
    with clear_errors():
        result = run_train_bench(config, echo=_progress)
    click.echo("\n".join(report_lines(result)))


@bench.command("viz")
@click.option(
    "--repeats", type=click.IntRange(min=1), default=3, show_default=True,
    help="Timed runs per measurement (the best is shown).",
)  # fmt: skip
@device_option
def bench_viz(repeats, device):
    """Drawing a Transformer training step's graph: seconds to DOT source for
    the toy preset and larger stacks (target: the toy step in under 2 s)."""
    from .viz import report_lines, run_viz_bench

    with clear_errors():
        rows = run_viz_bench(repeats, device, echo=_progress)
    click.echo("\n".join(report_lines(rows, repeats)))
