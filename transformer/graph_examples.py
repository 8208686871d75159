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


@dataclass(frozen=True)
class GraphExample:
    name: str
    summary: str  # one line for `render-graph --list`
    build: Callable[[str], object]  # device -> root(s) for draw_graph, after backward
    title: str
    options: dict = field(default_factory=dict)  # draw_graph defaults for this example


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
    o.backward(retain_grads=True)
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
    loss.backward(retain_grads=True)
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
        y.backward(upstream, retain_grads=True)
        panels[label] = y
    return panels


# ---------------------------------------------------------------- helpers


def _name(t: Tensor, name: str) -> Tensor:
    t.name = name
    return t


def _named(value: float, name: str, device: str) -> Tensor:
    return Tensor(value, requires_grad=True, device=device, name=name)


def _param(value: float, name: str, device: str) -> nn.Parameter:
    p = nn.Parameter(np.float32(value), device=device)
    return _name(p, name)


def _backward_ones(out: Tensor) -> Tensor:
    """Backward with dL/dout = 1 everywhere (L = out.sum()), keeping every .grad."""
    out.backward(np.ones(out.shape, dtype=out.dtype), retain_grads=True)
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
    )
}


# ---------------------------------------------------------------- running them


def get_example(name: str) -> GraphExample:
    if name not in EXAMPLES:
        raise ValueError(
            f"unknown graph example {name!r}; choose one of {', '.join(EXAMPLES)}"
        )
    return EXAMPLES[name]


def render_example(
    name: str,
    out_dir="out/graphs",
    *,
    format: str = "svg",
    depth: int | None = None,
    device: str = "cpu",
    **options,
):
    """Build example `name` and write its drawing to out_dir/<name>.<format>
    (<name>-depth<K>.<format> with a depth). Options left as None take the
    example's defaults. Returns the path written (.dot without Graphviz)."""
    from pathlib import Path

    from tinygrad_tx.viz import render_graph

    example = get_example(name)
    root = example.build(device)
    chosen = {k: v for k, v in options.items() if v is not None}
    stem = name if depth is None else f"{name}-depth{depth}"
    return render_graph(
        root,
        Path(out_dir) / stem,
        format=format,
        depth=depth,
        title=example.title,
        **{**example.options, **chosen},
    )


def example_text(
    name: str, *, depth: int | None = None, device: str = "cpu", **options
):
    """The example's graph as the indented text tree of `print_graph`."""
    from tinygrad_tx.viz import graph_text

    example = get_example(name)
    chosen = {k: v for k, v in options.items() if v is not None}
    merged = {**example.options, **chosen}
    merged.pop("color_by_grad", None)
    return graph_text(example.build(device), depth=depth, title=example.title, **merged)
