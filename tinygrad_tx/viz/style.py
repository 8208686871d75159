"""How nodes look: labels (name, shape, values) and colours, as Graphviz HTML labels.

Kept apart from the graph walk so the look can change without touching the logic.
Every piece of text goes through `html.escape`: names like "x1*w1 + b" or "a<b"
must not break the label.
"""

from __future__ import annotations

import math
import zlib
from html import escape

import numpy as np

from ..backend import to_numpy

SMALL = 16  # tensors with at most this many elements can show their values

FONT = "Helvetica"
GRAY = "#555555"
MASK_RED = "#d62728"

FILL = {
    "param": "#fff3c4",  # learned: parameters
    "input": "#dcefdc",  # given: inputs, constants
    "tensor": "#ffffff",  # computed by an op
    "op": "#ececec",
    "mask": "#ffd6d6",
}

# Pastel fills for module clusters and their borders: colour index k is the pair
# (CLUSTER_FILLS[k], CLUSTER_BORDERS[k]).
CLUSTER_FILLS = [
    "#eaf2fb",
    "#fdf1e4",
    "#eaf6ea",
    "#f4ecf9",
    "#fdfbe3",
    "#e6f6f6",
    "#fbeced",
    "#f1f1f1",
]
CLUSTER_BORDERS = [
    "#6b97c7",
    "#d9954a",
    "#69a869",
    "#9b76b8",
    "#b9aa3b",
    "#4fa3a3",
    "#c7707a",
    "#8c8c8c",
]


def module_color(
    module_type: str, avoid: int | None = None, palette: dict | None = None
) -> int:
    """Index into CLUSTER_FILLS for a module class, never `avoid` (the colour of
    the cluster around it, so nested clusters stay distinct).

    `palette` maps class names to indices, chosen by the caller (a model's own
    drawings give its modules fixed colours); any other class gets a hash of its
    name, so the same class has the same colour in every drawing.
    """
    k = (palette or {}).get(module_type)
    if k is None:
        k = zlib.crc32(module_type.encode()) % len(CLUSTER_FILLS)
    return (k + 1) % len(CLUSTER_FILLS) if k == avoid else k


def check_palette(palette: dict | None) -> dict:
    """The palette itself ({} for None), or a ValueError naming a bad entry."""
    if palette is None:
        return {}
    if not isinstance(palette, dict):
        raise TypeError(
            f"module_colors must be a dict {{module class name: colour index}}, "
            f"got {type(palette).__name__}"
        )
    n = len(CLUSTER_FILLS)
    for name, k in palette.items():
        if isinstance(k, bool) or not isinstance(k, int) or not 0 <= k < n:
            raise ValueError(
                f"module_colors: {name!r} -> {k!r} is not a colour index; use an "
                f"integer from 0 to {n - 1} (a pair in style.CLUSTER_FILLS/BORDERS)"
            )
    return palette


# Pale yellow for tiny gradients to warm red for large ones, all light enough
# for black text.
GRAD_COLORS = [
    "#ffffe0",
    "#fff3b0",
    "#ffe08a",
    "#ffc773",
    "#ffab66",
    "#ff8c61",
    "#f76d5e",
    "#e8505b",
]
ZERO_GRAD = "#d9d9d9"

SHAPE_OPS = {"matmul", "linear", "reshape", "transpose", "broadcast_to"}

# The words a drawing shows, in the course's two languages (draw_graph's `lang`;
# the Portuguese terms are those of lessons/glossary.tsv).
WORDS = {
    "en": {
        "legend": "legend", "op": "op", "mask_legend": "applies an attention mask",
        "grad_size": "gradient size √mean(g²), log scale",
        "no_grads": "no gradients: call backward() first",
        "decade": "1e{lo} to 1e{hi}", "below": "below 1e{hi}", "zero": "exactly 0",
        "no_grad_kept": "no .grad kept (see backward(retain_grads=True))",
        "applies_mask": "applies mask", "ops_1": "op", "ops_n": "ops",
        "params": "params", "nothing": "nothing", "parameter": "parameter",
        "input": "input", "constant": "constant", "call": "call {n}",
    },
    "pt": {
        "legend": "legenda", "op": "operação",
        "mask_legend": "aplica uma máscara de atenção",
        "grad_size": "tamanho do gradiente √mean(g²), escala logarítmica",
        "no_grads": "sem gradientes: chame backward() antes",
        "decade": "de 1e{lo} a 1e{hi}", "below": "abaixo de 1e{hi}",
        "zero": "exatamente 0",
        "no_grad_kept": "sem .grad guardado (veja backward(retain_grads=True))",
        "applies_mask": "aplica máscara", "ops_1": "operação",
        "ops_n": "operações",
        "params": "parâmetros", "nothing": "nada", "parameter": "parâmetro",
        "input": "entrada", "constant": "constante", "call": "chamada {n}",
    },
}  # fmt: skip


def grouped(count: int) -> str:
    """A whole number with its digits in groups of three, split by spaces
    (1088 -> '1 088'), as the lessons write them: a comma or a point between
    the groups would read as a decimal mark to English or Portuguese readers."""
    return f"{count:,}".replace(",", " ")


def shape_text(shape: tuple) -> str:
    return "scalar" if shape == () else str(tuple(shape))


def values_text(array) -> str:
    """A small array's values, 4 decimals, one line per row (HTML-escaped)."""
    a = to_numpy(array)
    if a.ndim == 0:
        return f"{a.item():.4f}"
    text = np.array2string(
        a, precision=4, suppress_small=True, separator=" ", max_line_width=60
    )
    return "<BR/>".join(escape(line) for line in text.splitlines())


def _block(word: str, array) -> str:
    """'data [[1 2]' with the following rows indented to line up under it."""
    lines = values_text(array).split("<BR/>")
    pad = "&#160;" * (len(word) + 1)
    return "<BR/>".join([f"{word} {lines[0]}"] + [pad + line for line in lines[1:]])


def html(lines: list[str]) -> str:
    """A Graphviz HTML label from lines that are already escaped."""
    return "<" + "<BR/>".join(lines) + ">"


def small(text: str) -> str:
    return f'<FONT POINT-SIZE="9" COLOR="{GRAY}">{text}</FONT>'


def tensor_label(title: str, t, *, bold: bool, show_data: bool, show_grad: bool) -> str:
    """Title, shape and dtype; then, for a small tensor, its values and gradient
    in a left-aligned monospace block (one row per line, as NumPy prints)."""
    head = [f"<B>{escape(title)}</B>" if bold else escape(title)]
    head.append(small(f"{shape_text(t.shape)} {t.dtype}"))
    rows = [f"<TR><TD>{'<BR/>'.join(head)}</TD></TR>"]
    for word, array, shown in (
        ("data", t.data, show_data),
        ("grad", t.grad, show_grad),
    ):
        if shown and array is not None and array.size <= SMALL:
            rows.append(
                f'<TR><TD BALIGN="LEFT" ALIGN="LEFT"><FONT FACE="monospace" '
                f'POINT-SIZE="9">{_block(word, array)}</FONT></TD></TR>'
            )
    if len(rows) == 1:
        return html(head)
    return (
        '<<TABLE BORDER="0" CELLPADDING="1" CELLSPACING="0">'
        + "".join(rows)
        + "</TABLE>>"
    )


def constant_label(t) -> str:
    """A one-element constant is drawn as its value ("0.125")."""
    value = to_numpy(t.data).reshape(-1)[0]
    return html([f"{value:.4g}", small(f"const {t.dtype}")])


def op_label(
    name: str,
    in_shapes: list[tuple],
    out_shape: tuple,
    *,
    masked=False,
    merged=False,
    words: dict = WORDS["en"],
) -> str:
    """The op's name; the shapes for matmul, linear and movement ops; "applies
    mask" in red for a masking op; the output's shape when the op stands for
    its output too (compact drawings)."""
    lines = [f"<B>{escape(name)}</B>"]
    shows_out = False
    if name in ("matmul", "linear") and len(in_shapes) >= 2:
        right = shape_text(in_shapes[1]) + ("ᵀ" if name == "linear" else "")
        lines.append(small(escape(f"{shape_text(in_shapes[0])} @ {right}")))
    elif name in SHAPE_OPS and in_shapes:
        lines.append(small(escape(f"{shape_text(in_shapes[0])} → {out_shape}")))
        shows_out = True
    if merged and not shows_out:
        lines.append(small(escape(f"→ {shape_text(out_shape)}")))
    if masked:
        lines.append(f'<FONT COLOR="{MASK_RED}">{escape(words["applies_mask"])}</FONT>')
    return html(lines)


def box_label(
    box, in_shapes: list[tuple], out_shapes: list[tuple], words: dict = WORDS["en"]
) -> str:
    scope = box.scope
    lines = [f"<B>{escape(scope.module_type)}</B>"]
    if scope.path != scope.module_type:
        lines.append(escape(scope.path))
    ins = ", ".join(shape_text(s) for s in in_shapes) or words["nothing"]
    outs = ", ".join(shape_text(s) for s in out_shapes)
    lines.append(small(escape(f"{ins} → {outs}")))
    detail = f"{box.n_ops} {words['ops_1' if box.n_ops == 1 else 'ops_n']}"
    if box.n_params:
        detail += f" · {grouped(box.n_params)} {words['params']}"
    lines.append(small(escape(detail)))
    if box.masked:
        lines.append(f'<FONT COLOR="{MASK_RED}">{escape(words["applies_mask"])}</FONT>')
    return html(lines)


# ---------------------------------------------------------------- gradient colours


def grad_rms(grad) -> float:
    """√(mean g²): the gradient's typical size, independent of the tensor's size."""
    g = to_numpy(grad).astype(np.float64, copy=False)
    return float(np.sqrt(np.mean(g * g))) if g.size else 0.0


class GradScale:
    """Log-scale colours, one per power of ten: the decade of the largest
    gradient is the darkest, each smaller decade paler; at most
    len(GRAD_COLORS) decades, smaller gradients share the palest colour."""

    def __init__(self, magnitudes: list[float]):
        decades = [math.floor(math.log10(m)) for m in magnitudes if m > 0]
        self.top = max(decades, default=0)
        self.n_bins = min(len(GRAD_COLORS), self.top - min(decades, default=0) + 1)
        self.empty = not magnitudes  # no tensor has a gradient

    def _index(self, j: int) -> int:
        """Palette index of the j-th decade below the top (spread over the palette)."""
        if self.n_bins == 1:
            return len(GRAD_COLORS) // 2
        j = min(j, self.n_bins - 1)
        return round((self.n_bins - 1 - j) * (len(GRAD_COLORS) - 1) / (self.n_bins - 1))

    def color(self, magnitude: float) -> str:
        """The fill colour for a gradient of this size."""
        if magnitude == 0:
            return ZERO_GRAD
        index = self._index(self.top - math.floor(math.log10(magnitude)))
        return GRAD_COLORS[index]

    def bins(self, words: dict = WORDS["en"]) -> list[tuple[str, str]]:
        """(label, fill colour) from large to small, for the legend."""
        rows = []
        for j in range(self.n_bins):
            d = self.top - j
            label = words["decade"].format(lo=d, hi=d + 1)
            if j == self.n_bins - 1 and j > 0:
                label = words["below"].format(hi=d + 1)
            index = self._index(j)
            rows.append((label, GRAD_COLORS[index]))
        return rows


def legend_label(
    scale: GradScale | None, has_mask: bool, words: dict = WORDS["en"]
) -> str:
    """The legend's HTML table: the mask's octagon, the gradient colours."""
    w = {k: escape(v) for k, v in words.items()}
    rows = [f'<TR><TD COLSPAN="2"><B>{w["legend"]}</B></TD></TR>']
    if has_mask:
        rows.append(
            f'<TR><TD BGCOLOR="{FILL["mask"]}" COLOR="{MASK_RED}">{w["op"]}</TD>'
            f"<TD ALIGN='LEFT'>{w['mask_legend']}</TD></TR>"
        )
    if scale is not None:
        rows.append(f'<TR><TD COLSPAN="2">{w["grad_size"]}</TD></TR>')
        if scale.empty:
            rows.append(f'<TR><TD COLSPAN="2">{w["no_grads"]}</TD></TR>')
        else:
            rows += [_swatch(fill, label) for label, fill in scale.bins(words)]
            rows.append(_swatch(ZERO_GRAD, words["zero"]))
        rows.append(_swatch("#ffffff", words["no_grad_kept"]))
    return (
        '<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3">'
        + "".join(rows)
        + "</TABLE>>"
    )


def _swatch(fill: str, label: str) -> str:
    return (
        f'<TR><TD BGCOLOR="{fill}" WIDTH="20"></TD>'
        f"<TD ALIGN='LEFT'>{escape(label)}</TD></TR>"
    )
