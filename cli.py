"""tinygrad_tx command line: `python cli.py --help` lists the commands.

Each command parses its options, calls the library, and prints; the work itself
lives in the packages (tinygrad_tx, transformer), not here. A library error
about the user's input becomes a one-line message (tinygrad_tx.cli_errors).
Command groups live beside the code they drive and are attached below.
"""

from __future__ import annotations

import platform
import shutil
import sys

import click
from click.core import ParameterSource

import tinygrad_tx
from lessons.cli import lesson
from tinygrad_tx.backend import cuda_status
from tinygrad_tx.cli_errors import clear_errors
from tinygrad_tx.grading.cli import exercise as exercise_group
from transformer import cli_options as opt
from transformer.bench.cli import bench
from transformer.config import PRESETS
from transformer.run_dir import check_replaceable


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(tinygrad_tx.__version__, prog_name="tinygrad_tx")
def main():
    """tinygrad_tx: an autograd engine and the Transformer of "Attention is all
    you need", from scratch, for learning."""


main.add_command(bench)


# ---------------------------------------------------------------- info


@main.command()
@click.option(
    "--model", "model_config", metavar="CONFIG",
    help=f"Print this model preset ({', '.join(PRESETS)}) and its parameter counts.",
)  # fmt: skip
def info(model_config):
    """Print versions, the devices found and whether Graphviz's `dot` is present."""
    import numpy

    if model_config is not None:
        from transformer.run_setup import describe_preset

        with clear_errors(param="--model"):
            click.echo("\n".join(describe_preset(model_config)))
        return
    cuda_ok, cuda_what = cuda_status()
    dot = shutil.which("dot")
    click.echo("\n".join([
        f"tinygrad_tx {tinygrad_tx.__version__}",
        f"python      {platform.python_version()} ({sys.executable})",
        f"numpy       {numpy.__version__}",
        "devices     cpu" + (f", cuda ({cuda_what})" if cuda_ok else ""),
        *([] if cuda_ok else [f"cuda        not available: {cuda_what}"]),
        "graphviz    " + (f"dot found at {dot}" if dot
                          else "dot not found (graphs are saved as .dot source)"),
    ]))  # fmt: skip


# ---------------------------------------------------------------- render-graph


@main.command("render-graph")
@click.argument("example", required=False)
@click.option(
    "--list", "list_examples", is_flag=True, help="Name each example and exit."
)  # fmt: skip
@click.option(
    "--docs-images", is_flag=True,
    help="Write the README's small PNGs (neuron, attention, encoder-layer) into "
    "docs/images and exit.",
)  # fmt: skip
@click.option(
    "--depth", type=click.IntRange(min=0), metavar="K",
    help="Fold module calls deeper than K into one box each (0: the whole model is "
    "one box). Default: everything, or the deepest depth that fits --max-nodes; "
    "2 for the transformer.",
)  # fmt: skip
@click.option(
    "--format", "fmt", type=click.Choice(["svg", "png", "pdf", "dot"]), default="svg",
    show_default=True, help="Image format (svg, png, pdf need Graphviz; dot is the source).",
)  # fmt: skip
@click.option(
    "--out", "out_dir", default="out/graphs", show_default=True,
    type=click.Path(file_okay=False), help="Folder to write the drawings into.",
)  # fmt: skip
@click.option(
    "--show-data/--no-show-data", default=None,
    help="Print the values of small tensors (on by default for neuron and softmax).",
)  # fmt: skip
@click.option(
    "--show-grad/--no-show-grad", default=None,
    help="Print the gradients of small tensors (on by default for neuron and softmax).",
)  # fmt: skip
@click.option(
    "--color-grad", is_flag=True, help="Colour tensors by gradient size (log scale)."
)  # fmt: skip
@click.option(
    "--compact/--no-compact", default=None,
    help="Draw each op and its unnamed output as one node (on by default for the "
    "layers and the transformer).",
)  # fmt: skip
@click.option(
    "--max-nodes", type=click.IntRange(min=1), default=300, show_default=True,
    help="Without --depth, fold a larger graph to the deepest depth that fits.",
)  # fmt: skip
@click.option(
    "--text", is_flag=True, help="Print the graph as a text tree instead of a file."
)  # fmt: skip
@click.option(
    "--html", type=click.Path(dir_okay=False),
    help="Write the interactive page (fold, click, step through forward and backward) "
    "to this HTML file instead; --depth sets where it starts folded.",
)  # fmt: skip
@opt.lang_option
@opt.device_option
def render_graph_command(example, list_examples, docs_images, fmt, out_dir, text, html,
                         lang, device, **drawing):  # fmt: skip
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
        _require_dot("--docs-images")
        with clear_errors():
            written = gx.write_docs_images()
        click.echo("\n".join(f"wrote {path}" for path in written))
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
        _html_page(example, html, lang, device, drawing["depth"])
        return
    names = list(gx.EXAMPLES) if example == "all" else [example]
    _draw(gx, names, fmt, out_dir, text, device, drawing)


def _html_page(example, html, lang, device, depth) -> None:
    from transformer.pages import write_example_page

    if example == "all":
        raise click.BadParameter("writes one page: name one EXAMPLE, not all",
                                 param_hint="--html")  # fmt: skip
    with clear_errors():
        check_replaceable(html, "an HTML page")
        path = write_example_page(example, html, lang=lang, device=device, depth=depth)
    click.echo(f"wrote {path}")


def _draw(gx, names, fmt, out_dir, text, device, drawing) -> None:
    """Print each example as a text tree, or write its drawing; without
    Graphviz, write the DOT source and say once how to make the images."""
    written = fmt if text or fmt == "dot" or shutil.which("dot") else "dot"
    with clear_errors():
        for name in names:
            if text:
                click.echo(gx.example_text(name, device=device, **drawing))
                continue
            path = gx.render_example(
                name, out_dir, format=written, device=device, **drawing
            )
            click.echo(f"wrote {path}")
    if written != fmt:
        click.echo(_no_dot_hint(fmt, path if len(names) == 1 else None), err=True)


def _no_dot_hint(fmt: str, source) -> str:
    """How to install Graphviz, and the command that makes the image later."""
    from tinygrad_tx.viz.render import install_hint

    file = source or "FILE.dot"
    image = f"{str(file)[: -len('.dot')]}.{fmt}"
    return f"{install_hint()}\nthen: dot -T{fmt} {file} -o {image}"


def _require_dot(option: str) -> None:
    if shutil.which("dot") is None:
        raise click.UsageError(
            f"{option} writes PNGs and needs Graphviz's `dot` program, which is not on "
            "PATH; nothing was written. Install Graphviz (sudo apt install graphviz, "
            "brew install graphviz or conda install -c conda-forge graphviz)"
        )


# ---------------------------------------------------------------- train / translate / evaluate


@main.command("train-toy-translation")
@opt.train_options
@opt.device_option
@opt.threads_option(
    1, "Threads for NumPy's matrix products (1 is fastest for this model)."
)
@click.option(
    "--out", default=opt.RUN_DIR, show_default=True, type=click.Path(file_okay=False),
    help="Output folder. A previous run there is moved aside, never overwritten; "
    "a folder holding anything else is refused.",
)  # fmt: skip
@click.option(
    "--resume", is_flag=True,
    help="Continue the run in --out where it stopped, with its saved settings "
    "(only --steps and --device may change).",
)  # fmt: skip
@click.pass_context
def train_toy_translation(ctx, out, resume, threads, **options):
    """Train the toy English -> Portuguese Transformer, test it on held-out
    sentences, and save the model, vocabularies, metrics and plots in --out.
    Ctrl-C (or SIGTERM) stops cleanly and saves a checkpoint to --resume from."""
    from tinygrad_tx.bench.memory import keep_freed_memory
    from transformer.cpu import set_blas_threads
    from transformer.train import train_from_options

    defaulted = (ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP)
    given = {k: v for k, v in options.items()
             if ctx.get_parameter_source(k) not in defaulted}  # fmt: skip
    set_blas_threads(threads)
    keep_freed_memory()  # fewer page faults per step; changes no result
    with clear_errors():
        summary = train_from_options(given, out, resume, echo=click.echo)
    if summary.get("interrupted"):  # the shell's codes for SIGINT and SIGTERM
        ctx.exit(143 if summary["signal"] == "SIGTERM" else 130)
    if summary.get("diverged"):
        ctx.exit(1)


def _sentences(sentences: tuple[str, ...]) -> list[str]:
    """The sentences given as arguments, or else the lines of stdin, blank
    lines kept (each input line gets one output line)."""
    if sentences:
        return list(sentences)
    if sys.stdin.isatty():
        raise click.UsageError(
            'give sentences to translate, e.g. translate "i love books", or pipe them one a line'
        )
    lines = _stdin_text().splitlines()
    if not any(line.strip() for line in lines):
        raise click.UsageError("no sentences on standard input (one a line expected)")
    return lines


def _stdin_text() -> str:
    """Standard input decoded as UTF-8 (a BOM is dropped), or a one-line error
    naming the first line that is not UTF-8."""
    data = sys.stdin.buffer.read()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise click.UsageError(
            f"standard input is not UTF-8 text (line {line} has the byte "
            f"0x{data[exc.start]:02x}); save the sentences as UTF-8"
        ) from None


@main.command()
@click.argument("sentences", nargs=-1)
@opt.checkpoint_option
@click.option(
    "--beam", type=click.IntRange(min=1), default=1, show_default=True,
    help="Beam width; 1 is greedy decoding.",
)  # fmt: skip
@click.option(
    "--show-attention", type=click.Path(dir_okay=False),
    help="Save the cross-attention heatmap of the first sentence to this PNG.",
)  # fmt: skip
@click.option(
    "--html", type=click.Path(dir_okay=False),
    help="Write the interactive attention page of the first sentence to this HTML "
    "file: every layer and head of the three kinds of attention.",
)  # fmt: skip
@opt.lang_option
@opt.device_option
def translate(sentences, checkpoint, beam, show_attention, html, lang, device):
    """Translate English SENTENCES into Portuguese, or the lines of stdin (one
    output line per input line; a blank line stays blank)."""
    from transformer.translator import Translator

    from_stdin = not sentences
    sentences = _sentences(sentences)
    if not any(s.strip() for s in sentences):
        raise click.BadParameter("every sentence is empty: nothing to translate",
                                 param_hint="SENTENCES")  # fmt: skip
    with clear_errors():
        translator = Translator.load(checkpoint, device)
        results = translator.translate(sentences, beam)
        first = next((r.source for r in results if not r.problem), None)
        if first and (show_attention or html):
            _pictures(translator, first, show_attention, html, beam, lang)
    for number, result in enumerate(results, start=1):
        if result.problem and not (result.empty and from_stdin):
            click.echo(f"warning: sentence {number} {result.problem}", err=True)
        if result.unknown:
            click.echo(translator.unknown_warning(result), err=True)
        click.echo(result.text)
    if any(r.problem and not r.empty for r in results):
        raise click.ClickException("some sentences were not translated (see above)")


def _pictures(translator, sentence, png, html, beam, lang) -> None:
    """The heatmap (PNG) and the interactive page (HTML) of one sentence."""
    if png:
        translator.draw_attention(sentence, png, beam)
        click.echo(f"attention heatmap written to {png}", err=True)
    if html:
        from transformer.attention_page import write_attention_page

        check_replaceable(html, "an HTML page")
        html = write_attention_page(translator, sentence, html, beam=beam, lang=lang)
        click.echo(f"attention page written to {html}", err=True)


@main.command()
@opt.checkpoint_option
@click.option(
    "--split", type=click.Choice(["train", "valid", "test", "length", "typed"]),
    default="test", show_default=True,
    help="Which split of the run's data to score: test holds out word combinations, "
    "length has longer sentences than training, typed the slides' sentences and "
    "sentences typed as a person would (length and typed: toy corpus only).",
)  # fmt: skip
@opt.device_option
def evaluate(checkpoint, split, device):
    """Score a trained model on a split of its data: BLEU, exact match, token
    accuracy and loss."""
    from transformer.report import plural
    from transformer.translator import Translator, run_splits

    with clear_errors():
        translator = Translator.load(checkpoint, device)
        splits = run_splits(translator.saved)
        pairs = splits.part(split)
        scores = translator.evaluate(pairs)
    click.echo(f"{split} split: {plural(len(pairs), 'sentence pair')}")
    if split in splits.details:
        click.echo(f"  {splits.details[split]}")
    click.echo(f"BLEU            {scores['bleu']:.1f}")
    click.echo(f"exact match     {scores['exact_match']:.1%}")
    click.echo(f"token accuracy  {scores['token_accuracy']:.1%}")
    click.echo(f"loss            {scores['loss']:.3f}")


# ---------------------------------------------------------------- lessons, exercises

main.add_command(lesson)  # the group lives beside the lessons: lessons/cli.py
main.add_command(exercise_group)  # beside the grader: tinygrad_tx/grading/cli.py


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
    with clear_errors():
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
