"""Pictures of training: loss curves and attention heatmaps (matplotlib).

Figures are drawn with `matplotlib.figure.Figure` and its Agg canvas, never
pyplot, so nothing opens a window or changes matplotlib's global backend, and
each PNG is written atomically (readers see the old picture or the new one).
"""

from __future__ import annotations

import io
import os
import textwrap

import numpy as np

from tinygrad_tx.io import atomic_write_bytes
from tinygrad_tx.viz.html_page import check_lang

# The words of the attention heatmaps, in the course's two languages (the
# Portuguese terms are those of lessons/glossary.tsv).
ATTENTION_LABELS = {
    "en": {"title": "Cross-attention", "mean": "mean of all heads", "head": "head {n}",
           "source": "source word (key)", "output": "output word (query)",
           "weight": "attention weight"},
    "pt": {"title": "Atenção cruzada", "mean": "média de todas as cabeças",
           "head": "cabeça {n}", "source": "palavra de origem (key)",
           "output": "palavra escrita (query)", "weight": "peso de atenção"},
}  # fmt: skip


def plot_loss_curves(
    history: dict, path: str | os.PathLike, title: str = "", floor: float | None = None
):
    """Two panels from a training history:

    left, the loss against the step: training (each logged step, faint, and its
    moving average) and validation; right, the validation exact match and BLEU.
    `history` holds "train": [{"step", "loss"}, ...] and "validation":
    [{"step", "loss", "exact_match", "bleu"}, ...] (exact match in [0, 1]).
    `floor`, if given, is drawn as a dashed line: the lowest loss possible
    (with label smoothing it is above 0, see `label_smoothing_floor`).
    Returns the matplotlib Figure (already saved to `path` as a PNG).
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 4.2), layout="constrained")
    ax_loss, ax_score = fig.subplots(1, 2)
    _draw_losses(ax_loss, history.get("train", []), history.get("validation", []))
    if floor is not None:
        ax_loss.axhline(
            floor,
            color="gray",
            ls="--",
            lw=1,
            label="lowest possible (label smoothing)",
        )
    _draw_scores(ax_score, history.get("validation", []))
    for ax in (ax_loss, ax_score):
        ax.grid(alpha=0.3)
        if ax.has_data():
            ax.legend()
    if title:
        fig.suptitle(title)
    _save(fig, path)
    return fig


def label_smoothing_floor(epsilon: float, vocab_size: int) -> float:
    """The smallest label-smoothed cross-entropy, reached when the model predicts
    the smoothed target q itself: the entropy of q,

        H(q) = -(1 - ε + ε/V) log(1 - ε + ε/V) - (V - 1) (ε/V) log(ε/V).
    """
    if epsilon == 0:
        return 0.0
    right, other = 1 - epsilon + epsilon / vocab_size, epsilon / vocab_size
    return float(-right * np.log(right) - (vocab_size - 1) * other * np.log(other))


def _draw_losses(ax, train: list[dict], val: list[dict]) -> None:
    if train:
        steps = [r["step"] for r in train]
        losses = np.array([r["loss"] for r in train])
        ax.plot(steps, losses, color="tab:blue", alpha=0.25, lw=1)
        ax.plot(steps, _moving_average(losses), color="tab:blue", label="training")
    if val:
        val_steps, val_losses = [r["step"] for r in val], [r["loss"] for r in val]
        ax.plot(val_steps, val_losses, "o-", color="tab:orange", label="validation")
    ax.set(xlabel="training step", ylabel="cross-entropy (label-smoothed)")
    ax.set(title="Loss (log scale)", yscale="log")
    from matplotlib.ticker import FuncFormatter

    plain = FuncFormatter(lambda y, _: f"{y:g}")  # 2, not 2 × 10⁰
    ax.yaxis.set_major_formatter(plain)
    ax.yaxis.set_minor_formatter(plain)


def _draw_scores(ax, val: list[dict]) -> None:
    if val:
        steps = [r["step"] for r in val]
        exact = [100 * r["exact_match"] for r in val]
        ax.plot(steps, exact, "o-", color="tab:green", label="exact match (%)")
        bleus = [r["bleu"] for r in val]
        ax.plot(steps, bleus, "s--", color="tab:purple", label="BLEU")
    ax.set(xlabel="training step", ylabel="score (0 to 100)", ylim=(0, 102))
    ax.set(title="Validation translations")


def plot_attention(
    weights,
    src_words: list[str],
    tgt_words: list[str],
    path: str | os.PathLike,
    title: str | None = None,
    lang: str = "en",
):
    """Heatmaps of attention weights, one word per row and per column.

    weights: (Lq, Lk) for one map, or (H, Lq, Lk) for H heads, drawn as one
    panel per head after a first panel with their mean. Row i is the i-th
    output word (the query that produced it), column j the j-th source word (a
    key); each row sums to 1: where the model looked while writing that word.
    `lang` ("en" or "pt") is the language of the labels, and of the default
    title. Returns the matplotlib Figure (already saved to `path` as a PNG).
    """
    words = ATTENTION_LABELS[check_lang(lang, "plot_attention")]
    weights = np.asarray(weights, dtype=np.float64)
    given = weights.shape
    if weights.ndim == 2:
        weights = weights[None]
    if weights.ndim != 3 or weights.shape[1:] != (len(tgt_words), len(src_words)):
        raise ValueError(
            f"plot_attention: weights of shape {given} do not match "
            f"{len(tgt_words)} output words x {len(src_words)} source words "
            "(expected (Lq, Lk) or (H, Lq, Lk))"
        )
    panels = [(words["mean"], weights.mean(axis=0))] if len(weights) > 1 else []
    panels += [
        (words["head"].format(n=h + 1) if len(weights) > 1 else "", w)
        for h, w in enumerate(weights)
    ]
    title = words["title"] if title is None else title
    return _draw_heatmaps(panels, src_words, tgt_words, path, title, words)


def _draw_heatmaps(panels, src_words, tgt_words, path, title, words):
    from matplotlib.figure import Figure

    cell = 0.45  # inches per word
    cols = min(3, len(panels))
    rows = -(-len(panels) // cols)  # ceiling division
    width = max(3.0, cell * len(src_words) + 1.4)
    height = max(2.5, cell * len(tgt_words) + 1.4)
    fig = Figure(
        figsize=(width * cols + 1.2, height * rows + 0.4), layout="constrained"
    )
    grid = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax in grid[len(panels) :]:
        ax.set_visible(False)
    axes = grid[: len(panels)]
    for ax, (name, w) in zip(axes, panels):
        image = ax.imshow(w, cmap="viridis", vmin=0.0, vmax=1.0, aspect="equal")
        ax.set_xticks(range(len(src_words)), src_words, rotation=60, ha="right")
        ax.set_yticks(range(len(tgt_words)), tgt_words)
        ax.set_xlabel(words["source"])
        ax.set_ylabel(words["output"])
        ax.set_title(name)
    fig.colorbar(image, ax=list(axes), shrink=0.8, label=words["weight"])
    fig.suptitle(_wrap(title, fig.get_figwidth()))
    _save(fig, path)
    return fig


def _wrap(title: str, inches: float, points: float = 12.0) -> str:
    """The title in lines that fit a figure `inches` wide (a character of a
    `points`-point font is about 0.55 of its size wide): never cut off."""
    chars = max(20, int(inches * 72 / (0.55 * points)))
    return "\n".join(textwrap.wrap(title, chars)) or title


def _moving_average(values: np.ndarray, window: int = 20) -> np.ndarray:
    """The mean of the last `window` values at each point (fewer at the start)."""
    sums = np.cumsum(np.insert(values, 0, 0.0))
    counts = np.minimum(np.arange(1, len(values) + 1), window)
    ends = np.arange(1, len(values) + 1)
    return (sums[ends] - sums[ends - counts]) / counts


def _save(fig, path) -> None:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    atomic_write_bytes(path, buffer.getvalue())
