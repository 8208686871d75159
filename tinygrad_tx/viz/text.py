"""print_graph: the graph as an indented text tree, for a terminal without Graphviz.

One line per tensor, in an order where inputs come first, written like code:

    Sequential
      0 (Linear)
        0.weight  param (4, 3) float32
        %1 = linear(x, 0.weight, 0.bias)  -> (5, 4) float32

Module calls are headers, indented as they nest; a folded call is one line.
One-element constants are written inline (`mul(%3, 0.125)`).
"""

from __future__ import annotations

import heapq
import sys

import numpy as np

from ..backend import to_numpy
from ._common import DEFAULT_MAX_NODES, as_roots, check_options
from .graph import Graph, View, choose_depth, is_constant


def graph_text(
    root,
    *,
    show_data: bool = False,
    show_grad: bool = False,
    depth: int | None = None,
    max_nodes: int = DEFAULT_MAX_NODES,
    title: str | None = None,
) -> str:
    """The text tree of the graph that computed `root` (options as draw_graph)."""
    roots, panels = as_roots(root, "graph_text")
    check_options(depth, "LR", max_nodes, "graph_text")
    graph = Graph(roots, panels)
    chosen, note = choose_depth(graph, depth, max_nodes)
    return view_text(View(graph, chosen), show_data, show_grad, title, note)


def print_graph(root, *, file=None, **options) -> None:
    """Print the graph that computed `root` as an indented text tree.

    Takes draw_graph's options: show_data, show_grad, depth, max_nodes, title."""
    print(graph_text(root, **options), file=file or sys.stdout)


def view_text(
    view: View, show_data: bool, show_grad: bool, title: str | None, note: str | None
) -> str:
    return _Writer(view, show_data, show_grad).write(title, note)


class _Writer:
    def __init__(self, view: View, show_data: bool, show_grad: bool):
        self.view, self.g = view, view.graph
        self.show_data, self.show_grad = show_data, show_grad
        self.refs: dict[int, str] = {}  # tensor -> its name in the text
        self.n_unnamed = 0
        self.lines: list[str] = []
        self.chain: tuple = ()
        self.panel = -1

    def write(self, title: str | None, note: str | None) -> str:
        g, view = self.g, self.view
        n_ops = sum(
            fn is not None for i, fn in enumerate(g.fns) if view.box_of[i] is None
        )
        head = f"{view.n_nodes():,} nodes: {len(g) - sum(b is not None for b in view.box_of):,}"
        head += f" tensors, {n_ops:,} ops"
        if view.boxes:
            head += f", {len(view.boxes):,} folded module calls"
        self.lines = [line for line in (title, note, head) if line]
        for unit in self._order():
            if isinstance(unit, tuple):
                self._box_line(unit[1])
            elif not self._is_constant(unit):
                self._tensor_line(unit)
        return "\n".join(self.lines)

    # ------------------------------------------------------------ order

    def _order(self) -> list:
        """Tensors and folded boxes ("m", b) in an order where inputs come first
        (Kahn's algorithm, ties broken by the walk's order)."""
        g, box_of = self.g, self.view.box_of
        unit = [i if b is None else ("m", b) for i, b in enumerate(box_of)]
        first: dict = {}
        deps: dict = {}
        users: dict = {}
        for i, u in enumerate(unit):
            first.setdefault(u, i)
            deps.setdefault(u, set())
            for p in g.parents[i]:
                if unit[p] != u and unit[p] not in deps[u]:
                    deps[u].add(unit[p])
                    users.setdefault(unit[p], []).append(u)
        waiting = {u: len(d) for u, d in deps.items()}
        ready = [(first[u], k, u) for k, u in enumerate(deps) if not waiting[u]]
        heapq.heapify(ready)
        order = []
        while ready:
            _, _, u = heapq.heappop(ready)
            order.append(u)
            for v in users.get(u, []):
                waiting[v] -= 1
                if not waiting[v]:
                    heapq.heappush(ready, (first[v], len(order), v))
        return order

    # ------------------------------------------------------------ lines

    def _enter(self, panel: int, chain: tuple) -> str:
        """Print the headers of the module calls entered; return the indent."""
        base = 0
        if self.g.panels:
            base = 1
            if panel != self.panel:
                self.lines.append(f"[{self.g.panels[panel]}]")
                self.panel, self.chain = panel, ()
        common = 0
        while (
            common < min(len(chain), len(self.chain))
            and chain[common] is self.chain[common]
        ):
            common += 1
        for depth in range(common, len(chain)):
            scope = chain[depth]
            kind = "" if scope.path == scope.module_type else f" ({scope.module_type})"
            self.lines.append("  " * (base + depth) + scope.path + kind)
        self.chain = chain
        return "  " * (base + len(chain))

    def _ref(self, i: int) -> str:
        if i not in self.refs:
            t = self.g.tensors[i]
            if self._is_constant(i):
                return f"{to_numpy(t.data).reshape(-1)[0]:.4g}"
            if t.name is None:
                self.n_unnamed += 1
            self.refs[i] = t.name or f"%{self.n_unnamed}"
        return self.refs[i]

    def _is_constant(self, i: int) -> bool:
        return is_constant(self.g.tensors[i])

    def _tensor_line(self, i: int) -> None:
        g, t = self.g, self.g.tensors[i]
        indent = self._enter(g.panel[i], self.view.cluster[i])
        fn = g.fns[i]
        if fn is None:
            kind = "param" if g.is_parameter(i) else "input"
            text = f"{self._ref(i)}  {kind} {_shape(t)}"
        else:
            args = ", ".join(self._ref(p) for p in g.parents[i])
            text = f"{self._ref(i)} = {fn.op_name()}({args})  -> {_shape(t)}"
            if fn.applies_mask:
                text += "  [applies mask]"
        if self.show_data and t.data.size <= 16:
            text += f"  data {_values(t.data)}"
        if self.show_grad and t.grad is not None and t.grad.size <= 16:
            text += f"  grad {_values(t.grad)}"
        if i in g.root_ids:
            text += "  <- output"
        self.lines.append(indent + text)

    def _box_line(self, b: int) -> None:
        box, g = self.view.boxes[b], self.g
        indent = self._enter(box.panel, self.view.cluster[box.members[0]])
        outs = ", ".join(self._ref(i) for i in box.outputs) or "_"
        args = ", ".join(self._ref(i) for i in box.inputs)
        shapes = ", ".join(_shape(g.tensors[i]) for i in box.outputs)
        scope = box.scope
        text = f"{outs} = {scope.path}({args})  -> {shapes}"
        text += f"  [{scope.module_type}, folded: {box.n_ops} op"
        text += "s" if box.n_ops != 1 else ""
        text += f", {box.n_params:,} params" if box.n_params else ""
        text += "; applies mask]" if box.masked else "]"
        if any(i in g.root_ids for i in box.outputs):
            text += "  <- output"
        self.lines.append(indent + text)


def _shape(t) -> str:
    return f"{tuple(t.shape)} {t.dtype}"


def _values(array) -> str:
    a = to_numpy(array)
    if a.ndim == 0:
        return f"{a.item():.4f}"
    return " ".join(np.array2string(a, precision=4, suppress_small=True).split())
