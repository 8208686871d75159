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
from lessons.cli import lesson
from tinygrad_tx.backend import cuda_status
from tinygrad_tx.grading.cli import exercise as exercise_group


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(tinygrad_tx.__version__, prog_name="tinygrad_tx")
def main():
    """tinygrad_tx: an autograd engine and the Transformer of "Attention is all
    you need", from scratch, for learning."""


# Options that several commands take, declared once.
_device_option = click.option(
    "--device", default="cpu", show_default=True, help="cpu, cuda or auto."
)
_RUN_DIR = "runs/toy-translation"
_checkpoint_option = click.option(
    "--checkpoint",
    default=_RUN_DIR,
    show_default=True,
    type=click.Path(file_okay=False),
    help="Directory of a trained model.",
)
_lang_option = click.option(
    "--lang",
    type=click.Choice(["en", "pt"]),
    default="en",
    show_default=True,
    help="Language of an HTML page's labels (pt: Brazilian Portuguese).",
)


# ---------------------------------------------------------------- info


@main.command()
@click.option(
    "--model",
    "model_config",
    metavar="CONFIG",
    default=None,
    help="Print this model preset (tiny, toy, small, base, big) and its "
    "parameter counts instead.",
)
def info(model_config):
    """Print versions, the devices found and whether Graphviz's `dot` is present."""
    import numpy

    if model_config is not None:
        from transformer.config import PRESETS, TransformerConfig, describe

        if model_config not in PRESETS:
            raise click.BadParameter(
                f"unknown config {model_config!r}; choose one of {', '.join(PRESETS)}",
                param_hint="--model",
            )
        for line in describe(TransformerConfig.preset(model_config), model_config):
            click.echo(line)
        return

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


@bench.command("engine")
@_device_option
@click.option(
    "--steps",
    default=100,
    show_default=True,
    type=click.IntRange(min=5),
    help="Timed training steps per implementation (interleaved).",
)
@click.option(
    "--memory-steps",
    default=200,
    show_default=True,
    type=click.IntRange(min=11),
    help="Training steps watched for memory growth.",
)
@click.option("--batch", default=128, show_default=True, type=click.IntRange(min=1))
@click.option("--seed", default=0, show_default=True, help="Seed for data and weights.")
def bench_engine(device, steps, memory_steps, batch, seed):
    """Engine overhead over hand-written NumPy: a 784-256-256-10 MLP training
    step (target ratio <= 1.2), per-op dispatch cost, memory over many steps,
    and reference cycles (gc on vs off)."""
    from tinygrad_tx.bench.engine import (
        EngineBenchConfig,
        report_lines,
        run_engine_bench,
    )

    config = EngineBenchConfig(
        batch=batch,
        timed_steps=steps,
        memory_steps=memory_steps,
        device=device,
        seed=seed,
    )
    try:
        result = run_engine_bench(config)
    except (RuntimeError, ValueError) as exc:  # e.g. cuda not available
        raise click.ClickException(str(exc)) from None
    for line in report_lines(result):
        click.echo(line)


@bench.command("model")
@_device_option
@click.option(
    "--quick",
    is_flag=True,
    help="A few seconds: 1 timed run, L up to 128 in (a) and 512 in (b).",
)
@click.option(
    "--repeats",
    type=click.IntRange(min=1),
    default=None,
    help="Timed runs per measurement (default 3, or 1 with --quick).",
)
def bench_model(device, quick, repeats):
    """Attention forward + backward: (a) the fused op against the composed ops
    at B=32, H=8, D=64, L = 32, 128, 512 (time, peak memory, ratios); (b) the
    fused op at L = 64 ... 1024, showing the quadratic growth of the L x L
    attention matrix."""
    from transformer.bench.model import ModelBenchConfig, report_lines, run_model_bench

    options = {"device": device}
    if repeats is not None:
        options["repeats"] = repeats
    config = ModelBenchConfig.quick(**options) if quick else ModelBenchConfig(**options)
    try:
        result = run_model_bench(config, echo=lambda line: click.echo(line, err=True))
    except (RuntimeError, ValueError, MemoryError) as exc:  # e.g. cuda not available
        raise click.ClickException(str(exc)) from None
    for line in report_lines(result):
        click.echo(line)


@bench.command("train")
@click.option(
    "--config",
    "size",
    type=click.Choice(["toy", "small", "base", "tiny"]),
    default="toy",
    show_default=True,
    help="Model and batch size (issue 8); tiny is a seconds-long smoke run.",
)
@_device_option
@click.option(
    "--threads",
    type=click.IntRange(min=1),
    default=None,
    help="CPU threads for NumPy's BLAS and PyTorch alike [default: CPU count].",
)
@click.option(
    "--dropout",
    type=click.FloatRange(0.0, 1.0, max_open=True),
    default=0.1,
    show_default=True,
    help="Dropout probability (compare PyTorch at the same setting).",
)
@click.option(
    "--steps",
    type=click.IntRange(min=3),
    default=20,
    show_default=True,
    help="Timed steps per side, in blocks taking turns with PyTorch's.",
)
@click.option("--no-torch", is_flag=True, help="Skip the PyTorch comparison.")
@click.option(
    "--return-freed-memory",
    is_flag=True,
    help="Leave malloc returning freed memory to the system (more page faults; "
    "by default it is kept for reuse: tinygrad_tx.memory).",
)
def bench_train(size, device, threads, dropout, steps, no_torch, return_freed_memory):
    """Training steps (forward, backward, Adam) of the encoder-decoder
    Transformer: median ms/step, tokens/s, peak memory; beside PyTorch running
    the same model, weights and batches when it is installed (ratios, and the
    first batch's loss difference), and the step's matmul-only floor."""
    import os

    from transformer.bench.threads import rerun_with_threads, threads_note, threads_set
    from transformer.bench.train import TrainBenchConfig, report_lines, run_train_bench

    threads = threads or os.cpu_count() or 1
    if not threads_set(threads):  # BLAS reads its thread count at start-up
        args = ["--config", size, "--device", device, "--threads", str(threads)]
        args += ["--dropout", str(dropout), "--steps", str(steps)]
        args += ["--no-torch"] if no_torch else []
        args += ["--return-freed-memory"] if return_freed_memory else []
        sys.exit(rerun_with_threads(args, threads, click.echo))
    config = TrainBenchConfig(
        size=size, device=device, threads=threads, dropout=dropout, steps=steps,
        compare_torch=not no_torch, keep_freed_memory=not return_freed_memory,
    )  # fmt: skip
    try:
        result = run_train_bench(config, echo=lambda line: click.echo(line, err=True))
    except (RuntimeError, ValueError, MemoryError) as exc:  # e.g. cuda not available
        raise click.ClickException(str(exc)) from None
    result.threads_note = threads_note(threads)
    for line in report_lines(result):
        click.echo(line)


@bench.command("viz")
@click.option(
    "--repeats", type=click.IntRange(min=1), default=3, show_default=True,
    help="Timed runs per measurement (the best is shown).",
)  # fmt: skip
@_device_option
def bench_viz(repeats, device):
    """Drawing a Transformer training step's graph: seconds to DOT source for
    the toy preset and larger stacks (target: the toy step in under 2 s)."""
    from transformer.bench.viz import report_lines, run_viz_bench

    try:
        rows = run_viz_bench(repeats, device, echo=lambda s: click.echo(s, err=True))
    except (RuntimeError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    for line in report_lines(rows, repeats):
        click.echo(line)


# ---------------------------------------------------------------- model info


# ---------------------------------------------------------------- render-graph


@main.command("render-graph")
@click.argument("example", required=False)
@click.option(
    "--list", "list_examples", is_flag=True, help="Name each example and exit."
)
@click.option(
    "--docs-images",
    is_flag=True,
    help="Write the README's small PNGs (neuron, attention, encoder-layer) into "
    "docs/images and exit.",
)
@click.option(
    "--depth",
    type=click.IntRange(min=0),
    default=None,
    metavar="K",
    help="Fold module calls deeper than K into one box each (0: the whole model is "
    "one box). Default: everything, or the deepest depth that fits --max-nodes; "
    "2 for the transformer.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["svg", "png", "pdf", "dot"]),
    default="svg",
    show_default=True,
    help="Image format (svg, png, pdf need Graphviz; dot is the source).",
)
@click.option(
    "--out",
    "out_dir",
    default="out/graphs",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder to write the drawings into.",
)
@click.option(
    "--show-data/--no-show-data",
    default=None,
    help="Print the values of small tensors (on by default for neuron and softmax).",
)
@click.option(
    "--show-grad/--no-show-grad",
    default=None,
    help="Print the gradients of small tensors (on by default for neuron and softmax).",
)
@click.option(
    "--color-grad", is_flag=True, help="Colour tensors by gradient size (log scale)."
)
@click.option(
    "--compact/--no-compact",
    default=None,
    help="Draw each op and its unnamed output as one node (on by default for the "
    "layers and the transformer).",
)
@click.option(
    "--max-nodes",
    type=click.IntRange(min=1),
    default=300,
    show_default=True,
    help="Without --depth, fold a larger graph to the deepest depth that fits.",
)
@click.option(
    "--text", is_flag=True, help="Print the graph as a text tree instead of a file."
)
@click.option(
    "--html",
    type=click.Path(dir_okay=False),
    help="Write the interactive page (fold, click, step through forward and backward) "
    "to this HTML file instead; --depth sets where it starts folded.",
)
@_lang_option
@_device_option
def render_graph_command(
    example,
    list_examples,
    docs_images,
    fmt,
    out_dir,
    text,
    html,
    lang,
    device,
    **drawing,
):
    """Draw the computation graph of EXAMPLE (see --list), or of every example
    with EXAMPLE = all, clustered by module, into out/graphs/.

    \b
    python cli.py render-graph neuron
    python cli.py render-graph transformer --depth 2 --format png
    python cli.py render-graph encoder-layer --text
    """
    from transformer import graph_examples as gx

    if list_examples:
        click.echo(gx.describe())
        return
    if docs_images:
        click.echo("\n".join(f"wrote {path}" for path in gx.write_docs_images()))
        return
    if example is None or (example != "all" and example not in gx.EXAMPLES):
        choices = f"{', '.join(gx.EXAMPLES)}, or all (see --list)"
        if example is None:
            raise click.UsageError(f"name an EXAMPLE: {choices}")
        raise click.BadParameter(
            f"unknown example {example!r}; choose one of {choices}",
            param_hint="EXAMPLE",
        )
    drawing["color_by_grad"] = drawing.pop("color_grad") or None
    if html:
        from transformer.pages import write_example_page

        if example == "all":
            raise click.BadParameter(
                "writes one page: name one EXAMPLE, not all", param_hint="--html"
            )
        with _clear_errors():
            path = write_example_page(
                example, html, lang=lang, device=device, depth=drawing["depth"]
            )
        click.echo(f"wrote {path}")
        return
    try:
        for name in list(gx.EXAMPLES) if example == "all" else [example]:
            if text:
                click.echo(gx.example_text(name, device=device, **drawing))
                continue
            path = gx.render_example(
                name, out_dir, format=fmt, device=device, **drawing
            )
            click.echo(f"wrote {path}")
    except (ValueError, RuntimeError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc


# ---------------------------------------------------------------- train / translate / evaluate


class _clear_errors:
    """Turn the library's errors about the user's input (a checkpoint, a file,
    a device) into a one-line message and exit status 1, never a traceback."""

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, traceback):
        if isinstance(exc, (ValueError, TypeError, OSError, RuntimeError, KeyError)):
            message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
            raise click.ClickException(str(message)) from None
        return False


@main.command("train-toy-translation")
@click.option(
    "--steps", type=click.IntRange(min=1), help="Optimizer steps.  [default: 1500]"
)
@click.option(
    "--d-model",
    type=click.IntRange(min=1),
    help="Width of every token vector.  [default: 128]",
)
@click.option(
    "--layers",
    type=click.IntRange(min=1),
    help="Encoder layers (and as many decoder layers).  [default: 2]",
)
@click.option(
    "--heads",
    type=click.IntRange(min=1),
    help="Attention heads (must divide --d-model).  [default: 4]",
)
@click.option(
    "--d-ff",
    type=click.IntRange(min=1),
    help="Hidden width of the feed-forward networks.  [default: 512]",
)
@click.option(
    "--dropout",
    type=click.FloatRange(0.0, 1.0, max_open=True),
    help="Dropout probability.  [default: 0.1]",
)
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    help="Sentence pairs per step.  [default: 64]",
)
@click.option(
    "--lr",
    type=click.FloatRange(min=0.0, min_open=True),
    help="Peak learning rate, reached after the warm-up (Noam schedule).  [default: 0.001]",
)
@click.option(
    "--warmup",
    type=click.IntRange(min=1),
    help="Warm-up steps of the Noam schedule.  [default: 200]",
)
@click.option(
    "--eval-every",
    type=click.IntRange(min=1),
    help="Steps between validations.  [default: 250]",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    help="Corpus, initial weights, dropout and batch order.  [default: 0]",
)
@click.option(
    "--data",
    type=click.Path(dir_okay=False),
    help="A TSV of sentence pairs (source TAB target) instead of the toy corpus.",
)
@_device_option
@click.option(
    "--threads",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Threads for NumPy's matrix products (1 is fastest for this small model).",
)
@click.option(
    "--out",
    default=_RUN_DIR,
    show_default=True,
    type=click.Path(file_okay=False),
    help="Output directory (a previous run there is moved aside, not overwritten).",
)
@click.option(
    "--resume",
    is_flag=True,
    help="Continue the interrupted run in --out, exactly where it stopped.",
)
@click.pass_context
def train_toy_translation(ctx, out, resume, threads, **options):
    """Train the toy English -> Portuguese Transformer, test it on held-out
    sentences, and save the model, vocabularies, metrics and plots in --out.
    Ctrl-C stops cleanly and saves a checkpoint to --resume from."""
    from tinygrad_tx.memory import keep_freed_memory
    from transformer.cpu import set_blas_threads
    from transformer.train import model_and_train_options, train

    given = {k: v for k, v in options.items() if v is not None}
    if resume:
        fixed = sorted(k for k in given if k not in ("steps", "device"))
        if fixed:
            names = ", ".join("--" + k.replace("_", "-") for k in fixed)
            raise click.UsageError(
                f"{names}: a resumed run keeps its saved settings "
                "(only --steps and --device may change)"
            )
    set_blas_threads(threads)
    keep_freed_memory()  # fewer page faults per step; changes no result
    with _clear_errors():
        config, model_options = model_and_train_options(given)
        summary = train(config, model_options, out=out, resume=resume, echo=click.echo)
    if summary.get("interrupted"):
        ctx.exit(130)  # the shell's code for "stopped by Ctrl-C"


def _sentences(sentences: tuple[str, ...]) -> list[str]:
    """The sentences given as arguments, or else read from stdin, one a line."""
    if sentences:
        return list(sentences)
    stream = sys.stdin
    if stream.isatty():
        raise click.UsageError(
            'give sentences to translate, e.g. translate "i love books", or pipe them one a line'
        )
    lines = [line.strip() for line in stream]
    if not any(lines):
        raise click.UsageError("no sentences on standard input (one a line expected)")
    return [line for line in lines if line]


@main.command()
@click.argument("sentences", nargs=-1)
@_checkpoint_option
@click.option(
    "--beam",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Beam width; 1 is greedy decoding.",
)
@click.option(
    "--show-attention",
    type=click.Path(dir_okay=False),
    help="Save the cross-attention heatmap of the (first) sentence to this PNG.",
)
@click.option(
    "--html",
    type=click.Path(dir_okay=False),
    help="Write the interactive attention page of the (first) sentence to this HTML "
    "file: every layer and head of the three kinds of attention.",
)
@_lang_option
@_device_option
def translate(sentences, checkpoint, beam, show_attention, html, lang, device):
    """Translate English SENTENCES into Portuguese (or lines of stdin)."""
    from transformer.translator import Translator

    sentences = _sentences(sentences)
    with _clear_errors():
        translator = Translator.load(checkpoint, device)
        results = translator.translate(sentences, beam)
        if show_attention:
            translator.draw_attention(sentences[0], show_attention, beam)
        if html:
            from transformer.attention_page import write_attention_page

            html = write_attention_page(
                translator, sentences[0], html, beam=beam, lang=lang
            )
    for result in results:
        if result.unknown:
            click.echo(translator.unknown_warning(result), err=True)
        click.echo(result.output)
    if show_attention:
        click.echo(f"attention heatmap written to {show_attention}", err=True)
    if html:
        click.echo(f"attention page written to {html}", err=True)


@main.command()
@_checkpoint_option
@click.option(
    "--split",
    type=click.Choice(["train", "valid", "test"]),
    default="test",
    show_default=True,
    help="Which split of the run's data to score.",
)
@_device_option
def evaluate(checkpoint, split, device):
    """Score a trained model on a split of its data: BLEU, exact match, token
    accuracy and loss."""
    from transformer.translator import Translator, run_splits

    with _clear_errors():
        translator = Translator.load(checkpoint, device)
        pairs = getattr(run_splits(translator.saved), split)
        scores = translator.evaluate(pairs)
    click.echo(f"{split} split: {len(pairs)} sentence pairs")
    click.echo(f"BLEU            {scores['bleu']:.1f}")
    click.echo(f"exact match     {scores['exact_match']:.1%}")
    click.echo(f"token accuracy  {scores['token_accuracy']:.1%}")
    click.echo(f"loss            {scores['loss']:.3f}")


# ---------------------------------------------------------------- lessons

main.add_command(lesson)  # the group lives beside the lessons: lessons/cli.py


# ---------------------------------------------------------------- exercises

main.add_command(exercise_group)


# ---------------------------------------------------------------- export-torch


@main.command("export-torch")
@click.argument("checkpoint", type=click.Path(path_type=str))
@click.argument("out", type=click.Path(dir_okay=False, path_type=str))
def export_torch_command(checkpoint, out):
    """Write a trained model's weights for PyTorch: CHECKPOINT is a training
    run's directory (model.safetensors, config.json, vocab.json), OUT a
    .safetensors file named as in transformer/torch_loader.py (copy that file:
    model = load(OUT) gives a torch.nn.Module with the same logits)."""
    from transformer.torch_export import export_torch

    if not out.endswith(".safetensors"):
        raise click.BadParameter(
            f"{out!r}: the output is a safetensors file; name it *.safetensors",
            param_hint="OUT",
        )
    with _clear_errors():
        info = export_torch(checkpoint, out)
    click.echo(
        f"wrote {info['path']}: {info['parameters']:,} parameters in "
        f"{info['tensors']} tensors, with the model config and vocabularies as "
        "metadata"
    )
    click.echo(
        "load it in PyTorch with transformer/torch_loader.py (needs only torch and "
        f'safetensors): model = load("{info["path"]}")'
    )


if __name__ == "__main__":
    main()
