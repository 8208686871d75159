"""Record a computation graph's run for the step-by-step page: every tensor's
value, every gradient, and each term of the chain rule that made it.

The forward values are the tensors themselves (the graph keeps them). The
backward pass is replayed op by op with the engine's own `Function.backward`,
exactly as `backward()` does it, but keeping what `backward()` throws away:

    for each tensor u, outputs before inputs (reverse topological order):
        g_u = dL/du                       (complete: every user of u came first)
        (g_x1, g_x2, ...) = fn_u.backward(g_u)      one term per input x_k
        dL/dx_k += g_xk                   the chain rule: a sum over the paths

So the page can show, for every tensor x, dL/dx and the terms it is the sum
of: "dL/dx = dL/du · du/dx" from each op u that used x. The replay needs the
arrays the ops saved: the graph must not have been freed by an earlier
`backward()` (call it with `retain_graph=True`, or draw before calling it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..backend import get_array_module, to_numpy
from ._common import as_roots
from .graph import Graph

FULL = 64  # tensors with at most this many elements are shown in full


@dataclass
class Term:
    """One term of dL/dx: what op `source` (the tensor it made) sent back to
    its input number `arg`."""

    source: int  # the tensor u = fn(..., x, ...) whose op sent the term
    arg: int  # x is the op's input number `arg` (0-based)
    value: np.ndarray  # dL/du · du/dx, the shape of x


@dataclass
class Recording:
    """A graph and its run: graph.tensors[i] holds the value of node i,
    grads[i] its gradient dL/d(tensor i) (None where none flows: constants,
    inputs without requires_grad), terms[i] the chain-rule terms summed into it."""

    graph: Graph
    grads: list[np.ndarray | None]
    terms: list[list[Term]] = field(default_factory=list)

    @property
    def forward_order(self) -> list[int]:
        """Every node, each after its inputs (the order the ops ran in)."""
        return list(range(len(self.graph)))

    @property
    def backward_order(self) -> list[int]:
        """Every node a gradient reaches, each after all the nodes it feeds."""
        return [
            i for i in reversed(range(len(self.graph))) if self.grads[i] is not None
        ]


def record(root) -> Recording:
    """Replay the backward pass of the graph that computed `root` (a Tensor, a
    list of Tensors or a dict {label: Tensor}).

    The seed dL/droot is root.grad when backward left it there (with
    retain_grads=True), or 1 for a one-element root.
    """
    roots, panels = as_roots(root, "graph_page")
    graph = Graph(roots, panels)
    grads: dict[int, np.ndarray] = {}
    for r in roots:
        grads[graph.index[id(r)]] = _seed(r)
    terms: list[list[Term]] = [[] for _ in range(len(graph))]
    for i in reversed(range(len(graph))):
        g, fn = grads.get(i), graph.fns[i]
        if g is None or fn is None:
            continue
        for k, g_x in _input_grads(fn, g):
            x_i = graph.parents[i][k]
            terms[x_i].append(Term(i, k, to_numpy(g_x)))
            grads[x_i] = g_x if x_i not in grads else grads[x_i] + g_x
    host = [
        None if grads.get(i) is None else to_numpy(grads[i]) for i in range(len(graph))
    ]
    return Recording(graph, host, terms)


def _seed(root):
    if not root.requires_grad:
        return None
    if root.grad is not None:
        return root.grad.copy()
    if root.data.size == 1:
        return get_array_module(root.data).ones_like(root.data)
    raise ValueError(
        f"graph_page: the root has shape {tuple(root.shape)} and no .grad, so the page "
        "cannot tell dL/droot; call root.backward(g, retain_graph=True, "
        "retain_grads=True) first (or reduce the root to one number)"
    )


def _input_grads(fn, g):
    """(k, dL/d(input k)) for each input k that needs a gradient."""
    if fn.released:
        raise ValueError(
            f"graph_page: the graph through {fn.op_name()} was freed by backward(); "
            "call backward(retain_graph=True) so the page can replay each op's "
            "backward, or build the page before calling backward()"
        )
    out = fn.backward(g.copy())  # a copy: an op may write into its grad_out
    if type(out) is not tuple:
        out = (out,)
    for k, (g_x, needed) in enumerate(zip(out, fn.needs_input_grad)):
        if g_x is not None and needed:
            yield k, g_x


# ---------------------------------------------------------------- printing


def array_text(array) -> str:
    """The values as NumPy prints them (4 decimals); a large array with its
    middle elided (`...`), as NumPy does past FULL elements."""
    a = np.asarray(array)
    if a.dtype.kind == "b":
        a = a.astype(np.int8)
    return np.array2string(
        a, precision=4, suppress_small=True, floatmode="fixed", threshold=FULL,
        edgeitems=3, max_line_width=72,
    )  # fmt: skip


def summary_text(array) -> str | None:
    """min, max, mean and √mean(x²) of an array too large to show in full."""
    a = np.asarray(array)
    if a.size <= FULL or a.dtype.kind not in "fiu":
        return None
    a = a.astype(np.float64)
    rms = float(np.sqrt(np.mean(a * a)))
    return (
        f"min {a.min():.4g}  max {a.max():.4g}  mean {a.mean():.4g}  "
        f"√mean(x²) {rms:.4g}"
    )


def local_factor(upstream, term) -> str | None:
    """du/dx as a number, when both dL/du and the term are single numbers:
    the term divided by dL/du (the chain rule read backwards)."""
    up, value = np.asarray(upstream), np.asarray(term)
    if up.size != 1 or value.size != 1 or float(up.reshape(-1)[0]) == 0.0:
        return None
    factor = float(value.reshape(-1)[0]) / float(up.reshape(-1)[0])
    return array_text(np.float64(factor))
