"""The graphs that `python cli.py render-graph EXAMPLE` draws, from one neuron to a
whole Transformer training step.

Each example builds a small model, runs it forward (and backward, so the
gradients can be shown), and returns what `tinygrad_tx.viz.draw_graph` takes: a
tensor, or a dict {label: tensor} of panels side by side. Sizes are tiny on
purpose: every drawing must stay readable.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

import tinygrad_tx
from tinygrad_tx import Tensor, composed, nn
from tinygrad_tx import functional as F

# The Transformer's modules keep one colour in every drawing (an index into the
# engine's palette, tinygrad_tx.viz.style.CLUSTER_FILLS); others get a hashed one.
MODULE_COLORS = {
    **dict.fromkeys(("Transformer", "Encoder", "Decoder", "MLP"), 0),
    "MultiHeadAttention": 1,
    "Linear": 2,
    **dict.fromkeys(("PositionwiseFeedForward", "Sequential"), 3),
    "LayerNorm": 4,
    **dict.fromkeys(("EncoderLayer", "DecoderLayer"), 5),
    **dict.fromkeys(("Embedding", "PositionalEncoding"), 6),
    **dict.fromkeys(("ReLU", "Tanh", "Sigmoid", "Dropout"), 7),
}


@dataclass(frozen=True)
class GraphExample:
    name: str
    summary: str  # one line for `render-graph --list`
    build: Callable[[str], object]  # device -> root(s) for draw_graph, after backward
    title: str
    options: dict = field(default_factory=dict)  # draw_graph defaults for this example
    page_depth: int | None = None  # the depth its HTML page starts folded at


# ---------------------------------------------------------------- engine only


def neuron(device: str = "cpu") -> Tensor:
    """micrograd's neuron: o = tanh(x1 w1 + x2 w2 + b), every value named.

    With b = 6.8813735870195432, n = 0.8814 and o = tanh(n) = 0.7071 = 1/√2, so
    do/dn = 1 - o² = 0.5, and the gradients are hand-checkable: dw1 = x1 · 0.5 =
    1.0, dx1 = w1 · 0.5 = -1.5, dw2 = x2 · 0.5 = 0, dx2 = w2 · 0.5 = 0.5.
    """
    x1, x2 = _named(2.0, "x1", device), _named(0.0, "x2", device)
    w1, w2 = _param(-3.0, "w1", device), _param(1.0, "w2", device)
    b = _param(6.8813735870195432, "b", device)
    x1w1 = _name(x1 * w1, "x1*w1")
    x2w2 = _name(x2 * w2, "x2*w2")
    n = _name(_name(x1w1 + x2w2, "x1*w1 + x2*w2") + b, "n")
    o = _name(n.tanh(), "o")
    o.backward(retain_graph=True, retain_grads=True)
    return o


class MLP(nn.Module):
    """micrograd's MLP(3, [4, 4, 1]): tanh after each layer but the last."""

    def __init__(self, sizes=(3, 4, 4, 1), device: str = "cpu"):
        pairs = itertools.pairwise(sizes)
        self.layers = nn.ModuleList([nn.Linear(a, b, device=device) for a, b in pairs])

    def forward(self, x: Tensor) -> Tensor:
        for layer in list(self.layers)[:-1]:
            x = layer(x).tanh()
        return self.layers[len(self.layers) - 1](x)


def mlp(device: str = "cpu") -> Tensor:
    """micrograd's four examples through MLP(3, [4, 4, 1]), mean squared error."""
    tinygrad_tx.manual_seed(0)
    model = MLP(device=device)
    xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    x = Tensor(xs, device=device, name="x")  # (4, 3)
    y = Tensor([[1.0], [-1.0], [-1.0], [1.0]], device=device, name="y")  # (4, 1)
    loss = _name(((model(x) - y) ** 2).mean(), "loss")
    loss.backward(retain_graph=True, retain_grads=True)
    return loss


def softmax(device: str = "cpu") -> dict[str, Tensor]:
    """softmax([2, 1, 0.1]) as one fused op and composed from primitives, with
    the same upstream gradient: both panels show the same values and gradients."""
    upstream = np.array([[1.0, 0.0, 0.0]], dtype=np.float32)  # dL/dy: L = y[0]
    panels = {}
    for label, fn in (
        ("fused: F.softmax, one op", F.softmax),
        ("composed: exp, sum, div (tinygrad_tx.composed)", composed.softmax),
    ):
        x = Tensor([[2.0, 1.0, 0.1]], requires_grad=True, device=device, name="x")
        y = _name(fn(x, axis=-1), "y")
        y.backward(upstream, retain_graph=True, retain_grads=True)
        panels[label] = y
    return panels


def thinking_machines(device: str = "cpu") -> Tensor:
    """The slides' attention for "Thinking" in "Thinking Machines", d_k = 64:
    q1·k1 = 112 and q1·k2 = 96, divided by √d_k = 8 give 14 and 12, softmax
    gives 0.88 and 0.12, and z1 = 0.88 v1 + 0.12 v2. Then L = sum(z1), and
    the gradients flow back to q1, K = (k1, k2) and V = (v1, v2).

    q1 alternates 1 and 3, k1 is all 0.875 and k2 all 0.75, so the dot products
    are exact: 32 · (1 + 3) · 0.875 = 112 and 32 · 4 · 0.75 = 96.
    """
    d_k, f32 = 64, np.float32
    q1 = np.tile(np.array([1.0, 3.0], f32), d_k // 2)[None]  # (1, 64)
    keys = np.stack([np.full(d_k, 0.875, f32), np.full(d_k, 0.75, f32)])  # k1, k2
    values = np.array([[1.0, 0.0, 2.0], [0.0, 1.0, -1.0]], f32)  # v1, v2
    q1, K, V = (
        Tensor(a, requires_grad=True, device=device, name=name)
        for a, name in ((q1, "q1"), (keys, "K"), (values, "V"))
    )
    scores = _name(q1 @ K.T, "scores")  # (1, 2): q1·k1 = 112, q1·k2 = 96
    scaled = _name(scores / 8.0, "scores/√d_k")  # √64 = 8: 14 and 12
    weights = _name(scaled.softmax(axis=-1), "weights")  # 0.8808 and 0.1192
    z1 = _name(weights @ V, "z1")  # (1, 3): 0.88 v1 + 0.12 v2
    loss = _name(z1.sum(), "L")
    loss.backward(retain_graph=True, retain_grads=True)
    return loss


# ---------------------------------------------------------------- the Transformer


D_MODEL, N_HEADS, D_FF = 16, 2, 32  # tiny sizes: the drawing, not the model, matters


def attention(device: str = "cpu") -> dict[str, Tensor]:
    """softmax(Q Kᵀ / √d_k) V for 4 positions with a causal mask, composed op by
    op (the mask enters at masked_fill) and as the one fused op."""
    from transformer.attention import scaled_dot_product_attention
    from transformer.masks import causal_mask

    panels = {}
    for label, fused in (
        ("composed: QKᵀ, /√d_k, mask, softmax, ·V", False),
        ("fused: one attention op", True),
    ):
        tinygrad_tx.manual_seed(0)
        q, k, v = (_randn((1, 4, 8), name, device) for name in ("q", "k", "v"))
        mask = causal_mask(4, device)[0]  # (1, 4, 4)
        out, _ = scaled_dot_product_attention(q, k, v, mask, fused=fused)
        panels[label] = _backward(_name(out, "out"))
    return panels


def multi_head(device: str = "cpu") -> Tensor:
    """MultiHeadAttention with 2 heads on (B=1, L=4, d_model=16), causal mask,
    attention composed so the head split and merge (reshape, transpose) show."""
    from transformer.attention import MultiHeadAttention
    from transformer.masks import causal_mask

    tinygrad_tx.manual_seed(0)
    mha = MultiHeadAttention(D_MODEL, N_HEADS, fused=False).to(device)
    x = _randn((1, 4, D_MODEL), "x", device, requires_grad=False)
    return _backward(_name(mha(x, x, x, causal_mask(4, device)), "out"))


def encoder_layer(device: str = "cpu") -> Tensor:
    """One EncoderLayer (self-attention, feed-forward, two Add & Norm) on a
    batch of 2 sources of length 5, the second padded (padding mask)."""
    from transformer.layers import EncoderLayer
    from transformer.masks import padding_mask

    tinygrad_tx.manual_seed(0)
    layer = EncoderLayer(D_MODEL, N_HEADS, D_FF, dropout=0.0).to(device)
    src = Tensor([[5, 6, 7, 8, 9], [5, 6, 7, 0, 0]], device=device)  # 0 = padding
    x = _randn((2, 5, D_MODEL), "x", device, requires_grad=False)
    return _backward(_name(layer(x, padding_mask(src, pad_id=0)), "out"))


def decoder_layer(device: str = "cpu") -> Tensor:
    """One DecoderLayer: masked self-attention (causal), cross-attention to the
    encoder's memory (padding mask), feed-forward; three Add & Norm."""
    from transformer.layers import DecoderLayer
    from transformer.masks import decoder_mask, padding_mask

    tinygrad_tx.manual_seed(0)
    layer = DecoderLayer(D_MODEL, N_HEADS, D_FF, dropout=0.0).to(device)
    src = Tensor([[5, 6, 7, 8, 9], [5, 6, 7, 0, 0]], device=device)
    tgt = Tensor([[1, 4, 3, 2], [1, 3, 2, 0]], device=device)
    x = _randn((2, 4, D_MODEL), "x", device, requires_grad=False)
    memory = _randn((2, 5, D_MODEL), "memory", device, requires_grad=False)
    out = layer(x, memory, padding_mask(src, 0), decoder_mask(tgt, 0))
    return _backward(_name(out, "out"))


def transformer_step(device: str = "cpu", config=None) -> Tensor:
    """One training step's graph: a 2-layer Transformer on a padded batch,
    label-smoothed cross-entropy, backward. `config` overrides the tiny sizes."""
    from transformer.model import Transformer

    tinygrad_tx.manual_seed(0)
    config = config or dict(
        src_vocab=20, tgt_vocab=20, d_model=D_MODEL, n_heads=N_HEADS, n_layers=2,
        d_ff=D_FF, dropout=0.1, max_len=16,
    )  # fmt: skip
    model = Transformer(**config).to(device)
    src = Tensor([[5, 6, 7, 8, 9, 2], [5, 6, 7, 2, 0, 0]], device=device)  # 0 = pad
    tgt = Tensor([[1, 4, 3, 8, 2], [1, 3, 2, 0, 0]], device=device)  # 1 = BOS, 2 = EOS
    tgt_in, tgt_out = tgt[:, :-1], tgt[:, 1:]  # teacher forcing: shift by one
    src_mask, tgt_mask = model.make_masks(src, tgt_in, pad_id=0)
    logits = model(src, tgt_in, src_mask, tgt_mask)  # (B, Lt, V)
    loss = F.cross_entropy(logits, tgt_out, ignore_index=0, label_smoothing=0.1)
    loss = _name(loss, "loss")
    loss.backward(retain_graph=True)  # kept: the HTML page replays each op's backward
    return loss


# ---------------------------------------------------------------- helpers


def _name(t: Tensor, name: str) -> Tensor:
    t.name = name
    return t


def _named(value: float, name: str, device: str) -> Tensor:
    return Tensor(value, requires_grad=True, device=device, name=name)


def _param(value: float, name: str, device: str) -> nn.Parameter:
    p = nn.Parameter(np.float32(value), device=device)
    return _name(p, name)


def _randn(shape, name: str, device: str, requires_grad: bool = True) -> Tensor:
    data = tinygrad_tx.randn(*shape, device=device).data
    return Tensor(data, requires_grad=requires_grad, device=device, name=name)


def _backward(out: Tensor) -> Tensor:
    """Backward from a seeded random dL/dout, keeping every .grad. (An all-ones
    dL/dout would hide things: through a final LayerNorm, d(sum y)/dx is 0.)"""
    rng = np.random.default_rng(0)
    upstream = rng.standard_normal(out.shape).astype(out.dtype)
    out.backward(upstream, retain_graph=True, retain_grads=True)
    return out


EXAMPLES: dict[str, GraphExample] = {
    e.name: e
    for e in (
        GraphExample(
            "neuron",
            "one neuron tanh(x1 w1 + x2 w2 + b), values and gradients (micrograd)",
            neuron,
            "a neuron: o = tanh(x1·w1 + x2·w2 + b)",
            {"show_data": True, "show_grad": True},
        ),
        GraphExample(
            "thinking-machines",
            "the slides' attention: 112, 96 -> /√64 -> 14, 12 -> softmax 0.88, 0.12",
            thinking_machines,
            "Thinking Machines: softmax(q1 Kᵀ / √64) V, then L = sum(z1)",
            {"show_data": True, "show_grad": True},
        ),
        GraphExample(
            "mlp",
            "micrograd's MLP(3, [4, 4, 1]) and its squared-error loss, clustered by layer",
            mlp,
            "MLP(3, [4, 4, 1]), loss = mean((MLP(x) - y)²)",
        ),
        GraphExample(
            "softmax",
            "softmax fused (one op) and composed (exp, sum, div) side by side",
            softmax,
            "softmax([2, 1, 0.1]): fused and composed, same values and gradients",
            {"show_data": True, "show_grad": True},
        ),
        GraphExample(
            "attention",
            "scaled dot-product attention with a causal mask, composed and fused",
            attention,
            "softmax(Q Kᵀ / √d_k) V, causal mask (red: where the mask enters)",
        ),
        GraphExample(
            "multi-head",
            "multi-head self-attention: project, split heads, attend, merge, project",
            multi_head,
            "MultiHeadAttention(d_model=16, n_heads=2), self-attention, causal mask",
            {"compact": True},
        ),
        GraphExample(
            "encoder-layer",
            "one encoder layer: self-attention and feed-forward, each with Add & Norm",
            encoder_layer,
            "EncoderLayer: x = LayerNorm(x + Sublayer(x)), padding mask",
            {"compact": True},
            page_depth=1,
        ),
        GraphExample(
            "decoder-layer",
            "one decoder layer: masked self-attention, cross-attention, feed-forward",
            decoder_layer,
            "DecoderLayer: causal self-attention, cross-attention to memory, FFN",
            {"compact": True},
            page_depth=1,
        ),
        GraphExample(
            "transformer",
            "a whole training step of a 2-layer Transformer, loss and backward",
            transformer_step,
            "Transformer training step, 2 encoder + 2 decoder layers "
            "(--depth 3 or 4 for more detail)",
            {"depth": 2, "compact": True},
            page_depth=2,
        ),
    )
}


# ---------------------------------------------------------------- running them


def describe() -> str:
    """One line per example: its name and what it shows."""
    width = max(len(name) for name in EXAMPLES)
    return "\n".join(f"{n:<{width}}  {e.summary}" for n, e in EXAMPLES.items())


def get_example(name: str) -> GraphExample:
    if name not in EXAMPLES:
        raise ValueError(
            f"unknown graph example {name!r}; choose one of {', '.join(EXAMPLES)}"
        )
    return EXAMPLES[name]


def _options(example: GraphExample, options: dict) -> dict:
    """The example's defaults, overridden by every option that is not None."""
    given = {k: v for k, v in options.items() if v is not None}
    return {"module_colors": MODULE_COLORS, **example.options, **given}


def render_example(
    name: str, out_dir="out/graphs", *, format: str = "svg", device="cpu", **options
):
    """Build example `name` and write its drawing to out_dir/<name>.<format>
    (<name>-depth<K>.<format> when a depth is asked for). Options (draw_graph's)
    left as None take the example's defaults. Returns the path written (the
    .dot source when Graphviz is missing)."""
    from pathlib import Path

    from tinygrad_tx.viz import render_graph

    example = get_example(name)
    depth = options.get("depth")
    stem = name if depth is None else f"{name}-depth{depth}"
    return render_graph(
        example.build(device),
        Path(out_dir) / stem,
        format=format,
        title=example.title,
        **_options(example, options),
    )


def example_text(name: str, *, device: str = "cpu", **options) -> str:
    """The example's graph as the indented text tree of `print_graph`."""
    from tinygrad_tx.viz import graph_text

    example = get_example(name)
    merged = _options(example, options)
    for drawing_only in ("color_by_grad", "rankdir", "compact", "module_colors"):
        merged.pop(drawing_only, None)
    return graph_text(example.build(device), title=example.title, **merged)


DOCS_IMAGES = ("neuron", "attention", "encoder-layer")


def write_docs_images(out_dir="docs/images") -> list:
    """The README's pictures: PNGs of DOCS_IMAGES, reduced to a 128-colour
    palette (Pillow, which matplotlib brings) so each stays small."""
    from PIL import Image

    paths = []
    for name in DOCS_IMAGES:
        path = render_example(name, out_dir, format="png")
        if path.suffix == ".png":
            with Image.open(path) as image:
                small = image.convert("RGB").quantize(colors=128)
            small.save(path, optimize=True)
        paths.append(path)
    return paths
