"""Walk a computation graph and arrange it for drawing: where each node sits among
the module calls, and which module calls fold into one box at a given depth.

The engine records, for every op output, the Function that made it (`t._ctx`),
its inputs (`fn.parents`) and the module call that was running (`fn.scope`, a
ModuleScope with `.path`, `.module_type`, `.parent`). Nothing else is needed:
the same walk serves the Graphviz drawing (`dot.py`) and the text tree (`text.py`).

Depth counts module calls from the outside: the outermost module is depth 1, its
submodules depth 2, and so on. `depth=k` keeps the calls of depth <= k as nested
clusters and folds every call of depth k + 1 (with all it contains) into one box;
`depth=0` folds the outermost modules themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..nn.module import Parameter
from ..tensor import Tensor


class Graph:
    """Every tensor reachable from the roots, inputs before the ops that use them.

    tensors[i]  the i-th tensor; fns[i] the Function that made it (None for a leaf).
    merged[i]   drawn as one node with its op (compact drawings).
    home[i]     the chain of module calls (outermost first) the tensor sits in;
                an op sits with the tensor it made.
    panel[i]    which root (panel) first reached the tensor.
    """

    def __init__(
        self, roots: list[Tensor], panels: list[str] | None = None, compact=False
    ):
        self.roots, self.panels = roots, panels
        self.tensors, self.panel = _walk(roots)
        if panels is None:  # several roots without labels share one picture
            self.panel = [0] * len(self.tensors)
        self.index = {id(t): i for i, t in enumerate(self.tensors)}
        self.fns = [t._ctx for t in self.tensors]
        self.parents = [
            [self.index[id(p)] for p in fn.parents] if fn is not None else []
            for fn in self.fns
        ]
        self._chains: dict[int, tuple] = {}
        self.home = self._place()
        self.max_depth = max((len(h) for h in self.home), default=0)
        self.root_ids = {self.index[id(r)] for r in roots}
        # compact: an op and its unnamed output are drawn as one node
        self.merged = [
            compact and fn is not None and t.name is None and i not in self.root_ids
            for i, (t, fn) in enumerate(zip(self.tensors, self.fns))
        ]
        self.weight = [
            (fn is not None) + (not merged) for fn, merged in zip(self.fns, self.merged)
        ]  # nodes drawn for tensor i and its op, unfolded

    def __len__(self) -> int:
        return len(self.tensors)

    def n_nodes(self) -> int:
        """Nodes of the full drawing: one per tensor and one per op (one for
        both when merged)."""
        return sum(self.weight)

    def is_parameter(self, i: int) -> bool:
        return isinstance(self.tensors[i], Parameter)

    def chain(self, scope) -> tuple:
        """(outermost call, ..., scope): the module calls that enclose an op."""
        if scope is None:
            return ()
        found = self._chains.get(id(scope))
        if found is None:
            found = (*self.chain(scope.parent), scope)
            self._chains[id(scope)] = found
        return found

    def _place(self) -> list[tuple]:
        """Where each tensor is drawn.

        An op's output sits in the module call that ran the op. A leaf sits with
        the ops that use it when it belongs to them: a parameter or a one-element
        constant in the innermost call enclosing all its users (a Linear's weight
        inside that Linear); an unnamed buffer used inside one call only (a
        lookup table) in that call. Any other leaf is an input that came from
        outside, drawn outside every module.
        """
        users: list[list[tuple]] = [[] for _ in self.tensors]
        home: list[tuple] = [()] * len(self.tensors)
        for i, fn in enumerate(self.fns):
            if fn is None:
                continue
            home[i] = self.chain(fn.scope)
            for p in self.parents[i]:
                users[p].append(home[i])
        for i, t in enumerate(self.tensors):
            if self.fns[i] is not None or not users[i]:
                continue
            if isinstance(t, Parameter) or is_constant(t):
                home[i] = _common_prefix(users[i])
            elif t.name is None and not t.requires_grad:
                chains = users[i]
                if all(c == chains[0] for c in chains):
                    home[i] = chains[0]
        return home


def is_constant(t: Tensor) -> bool:
    """A one-element leaf nobody named that needs no gradient: a number in a
    formula (`x * 0.5`), drawn as its value."""
    return (
        t._ctx is None and t.name is None and not t.requires_grad and t.data.size == 1
    )


def _common_prefix(chains: list[tuple]) -> tuple:
    first = chains[0]
    n = len(first)
    for other in chains[1:]:
        n = min(n, len(other))
        for k in range(n):
            if other[k] is not first[k]:
                n = k
                break
    return first[:n]


def _walk(roots: list[Tensor]) -> tuple[list[Tensor], list[int]]:
    """Depth-first post-order from each root (iterative: no recursion limit):
    every tensor comes after its inputs, roughly in the order they were computed."""
    order: list[Tensor] = []
    panel: list[int] = []
    done: set[int] = set()
    for k, root in enumerate(roots):
        stack = [(root, False)]
        while stack:
            t, expanded = stack.pop()
            if expanded:
                order.append(t)
                panel.append(k)
                continue
            if id(t) in done:
                continue
            done.add(id(t))
            stack.append((t, True))
            if t._ctx is not None:
                stack.extend(
                    (p, False) for p in reversed(t._ctx.parents) if id(p) not in done
                )
    return order, panel


# ---------------------------------------------------------------- collapsing


@dataclass
class Box:
    """One module call folded into a single node."""

    scope: object  # the ModuleScope
    panel: int
    members: list[int] = field(default_factory=list)  # tensors inside
    inputs: list[int] = field(default_factory=list)  # tensors from outside it uses
    outputs: list[int] = field(default_factory=list)  # tensors it hands out
    n_ops: int = 0
    n_params: int = 0  # numbers held by the parameters inside
    masked: bool = False  # an op inside applies an attention mask


class View:
    """The graph as drawn at one depth (None: everything expanded).

    box_of[i]   the Box index that tensor i (and its op) folds into, or None.
    cluster[i]  the chain of module calls shown as clusters around tensor i (or
                around its box).
    node(i) / op_node(i)  the drawing's node id for tensor i and for its op,
                which is the box's id when folded.
    """

    def __init__(self, graph: Graph, depth: int | None):
        self.graph, self.depth = graph, depth
        self.boxes: list[Box] = []
        self.box_of: list[int | None] = [None] * len(graph)
        self.cluster: list[tuple] = list(graph.home)
        if depth is not None:
            self._fold(depth)

    def _fold(self, depth: int) -> None:
        g, keys = self.graph, {}
        for i, home in enumerate(g.home):
            if len(home) <= depth:
                continue
            key = (g.panel[i], id(home[depth]))
            b = keys.get(key)
            if b is None:
                b = keys[key] = len(self.boxes)
                self.boxes.append(Box(home[depth], g.panel[i]))
            box = self.boxes[b]
            self.box_of[i] = b
            self.cluster[i] = home[:depth]
            box.members.append(i)
            fn = g.fns[i]
            if fn is not None:
                box.n_ops += 1
                box.masked = box.masked or bool(fn.applies_mask)
            elif g.is_parameter(i):
                box.n_params += g.tensors[i].numel()
        self._find_box_ports()

    def _find_box_ports(self) -> None:
        """A box's inputs are outside tensors its ops use; its outputs are inside
        tensors used outside (or a root)."""
        g, box_of = self.graph, self.box_of
        for i in range(len(g)):
            b = box_of[i]
            for p in g.parents[i]:
                pb = box_of[p]
                if b is not None and pb != b and p not in self.boxes[b].inputs:
                    self.boxes[b].inputs.append(p)
                if pb is not None and pb != b and p not in self.boxes[pb].outputs:
                    self.boxes[pb].outputs.append(p)
        for r in sorted(g.root_ids):
            b = box_of[r]
            if b is not None and r not in self.boxes[b].outputs:
                self.boxes[b].outputs.append(r)

    def node(self, i: int) -> str:
        b = self.box_of[i]
        if b is not None:
            return f"m{b}"
        return f"o{i}" if self.graph.merged[i] else f"t{i}"

    def op_node(self, i: int) -> str:
        b = self.box_of[i]
        return f"o{i}" if b is None else f"m{b}"

    def edges(self) -> list[tuple[str, str]]:
        """(from, to) pairs: input tensor -> op -> output tensor, each once."""
        g, seen = self.graph, {}
        for i, fn in enumerate(g.fns):
            if fn is None:
                continue
            op = self.op_node(i)
            for p in g.parents[i]:
                src = self.node(p)
                if src != op:
                    seen[(src, op)] = None
            out = self.node(i)
            if out != op:
                seen[(op, out)] = None
        return list(seen)

    def n_nodes(self) -> int:
        g = self.graph
        return len(self.boxes) + sum(
            g.weight[i] for i in range(len(g)) if self.box_of[i] is None
        )


def count_nodes(graph: Graph, depth: int | None) -> int:
    """Nodes the drawing would have at `depth`, without building it."""
    n, boxes = 0, set()
    for i, home in enumerate(graph.home):
        if depth is not None and len(home) > depth:
            boxes.add((graph.panel[i], id(home[depth])))
        else:
            n += graph.weight[i]
    return n + len(boxes)


def choose_depth(
    graph: Graph, depth: int | None, max_nodes: int
) -> tuple[int | None, str | None]:
    """The depth to draw at, and a note when it was chosen automatically.

    With no depth given, a graph of more than `max_nodes` nodes is folded to the
    deepest depth that fits (depth 0 if none does)."""
    if depth is not None:
        return depth, None
    full = graph.n_nodes()
    if full <= max_nodes:
        return None, None
    chosen = 0
    for k in range(graph.max_depth - 1, -1, -1):
        if count_nodes(graph, k) <= max_nodes:
            chosen = k
            break
    shown = count_nodes(graph, chosen)
    note = (
        f"auto-collapsed to module depth {chosen} ({shown:,} of {full:,} nodes) "
        f"to fit max_nodes={max_nodes}; pass depth= to choose"
    )
    if shown > max_nodes:
        note += " (still over max_nodes: many ops run outside any module)"
    return chosen, note
