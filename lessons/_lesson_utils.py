"""Helpers shared by the lesson scripts: where outputs go, the fast setting,
results.json, and matplotlib figures drawn without pyplot.

Not a lesson and not part of the library. A lesson imports it as
`from _lesson_utils import ...`: Python puts a script's own folder (lessons/)
first on sys.path, and Jupyter runs a notebook from its folder.

Two environment variables, both optional:

    TINYGRAD_TX_FAST=1          smaller workloads (CI): the same claims, checked
                                on fewer steps and shorter sequences
    TINYGRAD_TX_LESSON_OUT=DIR  write outputs under DIR/NN instead of out/lessons/NN
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
LESSONS = REPO / "lessons"
FAST = os.environ.get("TINYGRAD_TX_FAST", "0") not in ("", "0")


def output_dir(number: int) -> Path:
    """The folder lesson `number` writes into (created): out/lessons/NN."""
    root = os.environ.get("TINYGRAD_TX_LESSON_OUT") or REPO / "out" / "lessons"
    folder = Path(root) / f"{number:02d}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save_results(folder: Path, results: dict) -> Path:
    """Write the lesson's key numbers to folder/results.json (the tests read it)."""
    path = Path(folder) / "results.json"
    path.write_text(json.dumps(_plain(results), indent=2, sort_keys=True) + "\n")
    return path


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


def save_figure(fig, path: Path, dpi: int = 110) -> Path:
    """Save `fig` as a PNG and say where it went."""
    fig.savefig(path, dpi=dpi)
    print(f"figure: {path}")
    return Path(path)


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


# ---------------------------------------------------------------- the catalogue


@dataclass(frozen=True)
class LessonInfo:
    number: int
    title: str
    summary: str
    path: Path


_TITLE = re.compile(r"^# # Lesson (\d+): (.+)$")


def lesson_info(path: Path) -> LessonInfo:
    """Number, title and one-line summary from a lesson's first markdown cell:

    # # Lesson 7: Scaled dot-product attention
    #
    # _The one-line summary._
    """
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        match = _TITLE.match(line)
        if match:
            summary = _first_sentence(_paragraph_after(lines, i + 1))
            return LessonInfo(int(match[1]), match[2].strip(), summary, Path(path))
    raise ValueError(
        f"{path}: no title line of the form '# # Lesson N: Title' in the first cell"
    )


def _paragraph_after(lines: list[str], start: int) -> str:
    """The first paragraph of comment text from line `start` on, as one line."""
    words: list[str] = []
    for line in lines[start:]:
        text = line.removeprefix("#").strip()
        if not text and words:
            break
        words += text.split()
    return " ".join(words).strip("_* ")


def _first_sentence(text: str) -> str:
    end = text.find(". ")
    return text if end < 0 else text[: end + 1]


def catalog(folder: Path = LESSONS) -> list[LessonInfo]:
    """Every lesson NN_name.py in `folder`, in order."""
    return sorted(
        (lesson_info(p) for p in Path(folder).glob("[0-9][0-9]_*.py")),
        key=lambda info: info.number,
    )
