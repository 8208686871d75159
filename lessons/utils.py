"""Helpers the lessons share: where outputs go, the fast setting, results.json,
figures and graphs (saved to files, and shown inline in a notebook), timings,
and the lessons' toy translator.

Not part of the library: a lesson imports it as `from lessons.utils import ...`
(the project installed, as `uv sync` does, makes that work from any folder).

Two environment variables, both optional:

    TINYGRAD_TX_FAST=1          smaller workloads (CI): the same claims, checked
                                on fewer steps and shorter sequences
    TINYGRAD_TX_LESSON_OUT=DIR  write outputs under DIR/NN instead of out/lessons/NN
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

import numpy as np

from tinygrad_tx.files import atomic_write_text, writable_folder

from .i18n import course_text, resolve_language

REPO = Path(__file__).resolve().parent.parent
# out/ and runs/ go in the checkout; from an installed wheel, in the current folder
# (nothing is written into the installed package).
WORK = REPO if (REPO / "pyproject.toml").is_file() else Path.cwd()
FAST = os.environ.get("TINYGRAD_TX_FAST", "0") not in ("", "0")


def output_dir(number: int) -> Path:
    """The folder lesson `number` writes into (created): out/lessons/NN, or
    $TINYGRAD_TX_LESSON_OUT/NN. A folder that cannot be written is a clear error."""
    root = os.environ.get("TINYGRAD_TX_LESSON_OUT") or WORK / "out" / "lessons"
    folder = Path(root) / f"{number:02d}"
    try:
        writable_folder(folder)
    except OSError as exc:
        raise OSError(
            f"cannot write lesson {number}'s outputs in {folder}: "
            f"{exc.strerror or exc}; set TINYGRAD_TX_LESSON_OUT to a folder you "
            "can write"
        ) from None
    return folder


def save_results(folder: Path, results: dict) -> None:
    """Write the lesson's key numbers to folder/results.json (the tests read it)."""
    path = Path(folder) / "results.json"
    text = json.dumps(_plain(results), indent=2, sort_keys=True) + "\n"
    atomic_write_text(path, text)


def _plain(value):
    """NumPy scalars and arrays as Python numbers and lists, for JSON."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    return value


# ---------------------------------------------------------------- figures


def figure(width: float = 6.4, height: float = 4.4, **options):
    """A matplotlib Figure with constrained layout (no pyplot, no window)."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained", **options)


def in_notebook() -> bool:
    """Is this code running in a Jupyter kernel (rather than as a script)?"""
    ipython = sys.modules.get("IPython")  # imported by the kernel, never by a script
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and getattr(shell, "kernel", None) is not None


def save_figure(fig, path: Path, dpi: int = 110) -> None:
    """Save `fig` as a PNG, say where it went, and show it inline in a notebook
    (returning nothing, so that a cell ending with it shows only the figure)."""
    fig.savefig(path, dpi=dpi)
    show_image(path)


def show_image(path: Path) -> None:
    """Say where a saved PNG is and, in a notebook, show it inline."""
    print(course_text()("figure_saved", path=path))
    if in_notebook():
        from IPython.display import Image, display

        display(Image(filename=str(path)))


_HINT_SHOWN = False  # the install hint for Graphviz is printed once per run


def viz_language() -> str:
    """The course's language if the drawings and pages of tinygrad_tx.viz speak
    it ("en" or "pt"), else English."""
    from tinygrad_tx.viz.html_page import LANGS

    language = resolve_language()
    return language if language in LANGS else "en"


def show_graph(root, path: Path, **draw_options) -> Path:
    """Draw the computation graph of `root` (options of tinygrad_tx.viz.draw_graph):
    write it as a PNG and, in a notebook, show it inline as SVG. Without
    Graphviz's `dot`, write the DOT source, say once how to install Graphviz, and
    print the graph as a text tree instead. Returns the file written. The
    legend and the words the drawing adds are in the course's language
    (viz_language) unless `lang` is given."""
    from tinygrad_tx.viz import draw_graph, install_hint, print_graph, render_graph

    draw_options.setdefault("lang", viz_language())
    global _HINT_SHOWN
    if shutil.which("dot") is None:
        written = render_graph(root, Path(path).with_suffix(".dot"), format="dot",
                               **draw_options)  # fmt: skip
        if not _HINT_SHOWN:
            print(install_hint(source=written))
            _HINT_SHOWN = True
        print(course_text()("graph_as_text"))
        print_graph(root, **_text_options(draw_options))
        return written
    written = render_graph(root, path, format="png", **draw_options)
    print(course_text()("graph_saved", path=written))
    if in_notebook():
        from IPython.display import display

        display(draw_graph(root, **draw_options))  # graphviz's own SVG display
    return written


def _text_options(draw_options: dict) -> dict:
    """The drawing options that the text tree understands too."""
    keep = ("show_data", "show_grad", "depth", "max_nodes", "title")
    return {k: v for k, v in draw_options.items() if k in keep}


def heatmap(
    ax,
    matrix,
    xlabels,
    ylabels,
    *,
    title: str,
    xlabel: str,
    ylabel: str,
    vmin=None,
    vmax=None,
    cmap: str = "viridis",
    annotate: bool = True,
    fmt: str = "{:.2f}",
    colorbar_label: str | None = None,
):
    """A labelled heatmap: one word per row and per column, values written in
    the cells when there are few of them."""
    matrix = np.asarray(matrix, dtype=np.float64)
    image = ax.imshow(matrix, cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto")
    ax.set_xticks(range(len(xlabels)), xlabels, rotation=45, ha="right")
    ax.set_yticks(range(len(ylabels)), ylabels)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    if annotate and matrix.size <= 150:
        for (i, j), value in np.ndenumerate(matrix):
            red, green, blue, _ = image.cmap(image.norm(value))
            light = 0.299 * red + 0.587 * green + 0.114 * blue > 0.5  # luminance
            ax.text(j, i, fmt.format(value), ha="center", va="center",
                    color="black" if light else "white", fontsize=8)  # fmt: skip
    if colorbar_label is not None:
        ax.figure.colorbar(image, ax=ax, label=colorbar_label, shrink=0.85)
    return image


DRAW_HEADS_LABELS = ("mean_of_heads", "head", "colorbar", "axis_source", "axis_output")


def draw_heads(weights, src_words, out_words, path, title, text, panel):
    """Cross-attention weights (H, rows, columns): the mean of the heads, then
    each head, one row per output word (query), one column per source word
    (key). The titles and axes are the lesson's labels (`text`: the keys in
    DRAW_HEADS_LABELS); `panel` is one heatmap's
    (width, height) in inches."""
    panels = [(text("mean_of_heads"), weights.mean(axis=0))]
    panels += [(text("head", n=h + 1), w) for h, w in enumerate(weights)]
    fig = figure(panel[0] * len(panels), panel[1])
    axes = fig.subplots(1, len(panels))
    for ax, (name, w) in zip(axes, panels):
        scale = text("colorbar") if ax is axes[-1] else None  # one colour bar, last
        heatmap(ax, w, src_words, out_words, title=name, xlabel=text("axis_source"),
                ylabel=text("axis_output"), vmin=0.0, vmax=1.0, annotate=False,
                colorbar_label=scale)  # fmt: skip
    fig.suptitle(title)
    save_figure(fig, path)


# ---------------------------------------------------------------- tables


def table(header: list[str], rows: list[list]) -> str:
    """Rows of cells (strings, or numbers already formatted) under a header,
    each column right-aligned to its widest cell, so that a translated header
    keeps the table straight."""
    cells = [[str(c) for c in header]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(row, widths)) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def grouped(count: int) -> str:
    """A whole number with its digits in groups of three, split by spaces:
    4194304 -> '4 194 304'. Read the same way in English and in Portuguese
    (a comma or a point between the groups would mean a decimal to one of them)."""
    return f"{count:,}".replace(",", " ")


# ---------------------------------------------------------------- timing


def best_time(fn, repeat: int = 5) -> float:
    """The fastest of `repeat` runs of fn(), in seconds (the least disturbed)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def machine_note() -> str:
    """The load and the BLAS thread setting, to print beside timings."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    return (
        f"load average {load:.1f} on {os.cpu_count()} CPUs, "
        f"OPENBLAS_NUM_THREADS={threads}"
    )


# ---------------------------------------------------------------- the toy translator

TOY_RUN = WORK / "runs" / "toy-translation"  # where `train-toy-translation` writes
LESSON_SENTENCES = ("i love books", "the cat sleeps on the mat")


def translator_settings(fast: bool) -> tuple[dict, dict]:
    """(TrainConfig fields, model options) of the lessons' own training run,
    in CPU seconds of one core, training and testing: about 35 (exact match
    ~93% on the combinations split); about 22 in the fast setting (~83%:
    fewer steps, a higher peak rate)."""
    model = dict(d_model=64, n_heads=4, n_layers=2, d_ff=256, dropout=0.1, max_len=64)
    if fast:
        train = dict(steps=1000, batch_size=64, lr=4e-3, warmup=100, eval_every=500,
                     train_pairs=10_000, valid_pairs=100, test_pairs=200)  # fmt: skip
    else:
        train = dict(steps=1500, batch_size=64, lr=2e-3, warmup=250, eval_every=250,
                     train_pairs=20_000, valid_pairs=200, test_pairs=500)  # fmt: skip
    return train, model


def finished_run(folder: Path) -> bool:
    """Does `folder` hold a finished toy-translation run that knows the words
    of the lessons' sentences (not interrupted, not trained on other data)?"""
    folder = Path(folder)
    needed = ("model.safetensors", "config.json", "vocab.json", "metrics.json")
    if not all((folder / name).is_file() for name in needed):
        return False
    try:
        metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if metrics.get("interrupted") or "test" not in metrics:
        return False
    if config.get("train", {}).get("data") is not None:  # trained on a TSV file
        return False
    from transformer.data import load_vocabs

    src_vocab, _ = load_vocabs(folder / "vocab.json")
    return not any(src_vocab.unknown_words(s) for s in LESSON_SENTENCES)


def load_translator(folder: Path):
    """(model in eval mode, source vocab, target vocab, metrics) of a finished run."""
    from transformer import Transformer, TransformerConfig
    from transformer.checkpoint import load_weights
    from transformer.data import load_vocabs

    folder = Path(folder)
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    model = Transformer.from_config(TransformerConfig.from_dict(config["model"]))
    load_weights(folder / "model.safetensors", model)
    src_vocab, tgt_vocab = load_vocabs(folder / "vocab.json")
    metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    return model.eval(), src_vocab, tgt_vocab, metrics


def lesson_translator_run(fast: bool = FAST) -> Path | None:
    """The trained run to use, if there is one: the user's finished
    `runs/toy-translation` (outside the fast setting), else the run lesson 14
    trained in out/lessons/14/run, if it was trained with this setting's
    options on today's toy corpus (else None: train it again)."""
    if not fast and finished_run(TOY_RUN):
        return TOY_RUN
    folder = output_dir(14) / "run"
    return folder if finished_run(folder) and _same_settings(folder, fast) else None


def _same_settings(folder: Path, fast: bool) -> bool:
    """Was the run in `folder` trained with translator_settings(fast), and do
    its vocabularies match the toy corpus those settings give today? (The
    corpus changes when the grammar grows; a run of an older one is stale.)"""
    from transformer.data import build_vocabs, load_vocabs, make_toy_splits

    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    train_fields, model_options = translator_settings(fast)
    saved_train, saved_model = config.get("train", {}), config.get("model", {})
    if any(saved_train.get(k) != v for k, v in train_fields.items()) or any(
        saved_model.get(k) != v for k, v in model_options.items()
    ):
        return False
    sizes = [train_fields[f"{name}_pairs"] for name in ("train", "valid", "test")]
    today = build_vocabs(make_toy_splits(saved_train.get("seed", 0), *sizes).train)
    saved = load_vocabs(folder / "vocab.json")
    return all(a.itos == b.itos for a, b in zip(today, saved))


def train_lesson_translator(fast: bool = FAST, echo=print) -> Path:
    """Train the lessons' toy translator into out/lessons/14/run (replacing a
    previous one there) with `transformer.train.train`; returns the folder."""
    import shutil

    from transformer.train import TrainConfig, train

    folder = output_dir(14) / "run"
    if folder.exists():
        shutil.rmtree(folder)  # our own output: start afresh, keep no backups
    train_fields, model_options = translator_settings(fast)
    summary = train(
        TrainConfig(**train_fields), model_options, out=str(folder), echo=echo
    )
    if summary.get("interrupted"):  # Ctrl-C: training saved and said so; stop here
        raise KeyboardInterrupt(f"training stopped by {summary['signal']}")
    return folder
