"""draw_graph: a computation graph as a graphviz.Digraph, clustered by module call.

Tensors are boxes (name or the op that made it, shape and dtype, and for small
tensors the values and gradients, as in micrograd); ops are ellipses between
them; each module call is a labelled cluster, nested as the calls were; an op
that applies an attention mask is a red octagon.
"""

from __future__ import annotations

import shutil

import graphviz

from . import style
from ._common import DEFAULT_MAX_NODES, as_roots, check_options, install_hint
from .graph import Graph, View, choose_depth, is_constant
from .html_page import check_lang
from .text import view_text


class TensorGraph(graphviz.Digraph):
    """A graphviz.Digraph that also says how it was drawn.

    depth       the module depth it was drawn at (None: fully expanded)
    n_nodes     nodes drawn (tensors, ops and module boxes; not the legend)
    full_nodes  nodes of the fully expanded graph
    note        the auto-collapse note, or None

    In Jupyter it displays inline as SVG; without Graphviz's `dot` it shows the
    text tree and how to install Graphviz instead of raising.
    """

    depth: int | None = None
    n_nodes = full_nodes = 0
    note: str | None = None
    text: str = ""

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        try:
            return super()._repr_mimebundle_(include, exclude, **kwargs)
        except (graphviz.ExecutableNotFound, graphviz.CalledProcessError) as exc:
            return {"text/plain": f"{self.text}\n\n{install_hint(exc)}"}


def draw_graph(
    root,
    *,
    show_data: bool = False,
    show_grad: bool = False,
    depth: int | None = None,
    rankdir: str = "LR",
    max_nodes: int = DEFAULT_MAX_NODES,
    color_by_grad: bool = False,
    compact: bool = False,
    title: str | None = None,
    module_colors: dict[str, int] | None = None,
    lang: str = "en",
) -> TensorGraph:
    """The graph that computed `root`, as a graphviz.Digraph.

    root           a Tensor, a list of Tensors, or a dict {label: Tensor} (one
                   labelled panel each, e.g. fused and composed side by side).
    show_data      print the values of tensors with at most 16 elements.
    show_grad      print their gradients too (after backward; intermediate
                   tensors keep theirs with backward(retain_grads=True)).
    depth          fold module calls deeper than this into one box each
                   (0: the outermost modules are boxes; None: expand all).
    max_nodes      with depth=None, a larger graph is folded to the deepest
                   depth that fits, and the title says so.
    color_by_grad  colour tensors by gradient size √mean(g²), log scale, legend.
    compact        draw an op and its unnamed output as one node (half the
                   nodes: for large graphs).
    title          a line above the drawing.
    module_colors  {module class name: colour index 0-7} for the clusters (a
                   model's drawings pass one so its parts keep their colours);
                   other classes get a colour from a hash of their name.
    lang           "en" or "pt": the language of the legend and of the words
                   the drawing adds (op and parameter counts, "applies mask").
    """
    words = style.WORDS[check_lang(lang, "draw_graph")]
    roots, panels = as_roots(root)
    check_options(depth, rankdir, max_nodes)
    graph = Graph(roots, panels, compact)
    chosen, note = choose_depth(graph, depth, max_nodes)
    view = View(graph, chosen)
    drawer = _Drawer(view, show_data, show_grad, color_by_grad, module_colors, words)
    dot = TensorGraph(
        name="tinygrad_tx",
        graph_attr=_graph_attr(rankdir, title, note),
        node_attr={"fontname": style.FONT, "fontsize": "10", "margin": "0.06,0.03"},
        edge_attr={"arrowsize": "0.6", "color": "#555555"},
    )
    drawer.emit(dot)
    dot.depth, dot.note = chosen, note
    dot.n_nodes, dot.full_nodes = view.n_nodes(), graph.n_nodes()
    if shutil.which("dot") is None:  # keep a text version for Jupyter to show
        dot.text = view_text(view, show_data, show_grad, title, note)
    return dot


def _graph_attr(rankdir: str, title: str | None, note: str | None) -> dict:
    attr = {
        "rankdir": rankdir,
        "fontname": style.FONT,
        "nodesep": "0.2",
        "ranksep": "0.3",
        "newrank": "true",
    }
    lines = [line for line in (title, note) if line]
    if lines:
        attr.update(label="\n".join(lines), labelloc="t", labeljust="l", fontsize="14")
    return attr


class _Drawer:
    """Builds the Digraph from a View: node statements filed under their cluster,
    a key (panel, chain of module calls); then the clusters, nested; then edges."""

    def __init__(self, view: View, show_data, show_grad, by_grad, module_colors, words):
        self.view, self.g, self.words = view, view.graph, words
        self.palette = style.check_palette(module_colors)
        self.show_data, self.show_grad = show_data, show_grad
        sizes = [style.grad_rms(t.grad) for t in self.g.tensors if t.grad is not None]
        self.scale = style.GradScale(sizes) if by_grad else None
        self.nodes: dict[tuple, list] = {}  # cluster key -> node statements
        self.children: dict[tuple, list] = {}  # cluster key -> child cluster keys
        self.color_of: dict[int, int] = {}  # module call -> colour index
        self.cluster_names: set[str] = set()
        self.has_mask = False

    def emit(self, dot: graphviz.Digraph) -> None:
        g, view = self.g, self.view
        for i in range(len(g)):
            if view.box_of[i] is None:
                key = (g.panel[i], view.cluster[i])
                if not g.merged[i]:
                    self._add(key, (f"t{i}", *self._tensor(i)))
                if g.fns[i] is not None:
                    self._add(key, (f"o{i}", *self._op(i)))
        for b, box in enumerate(view.boxes):
            self._add(
                (box.panel, view.cluster[box.members[0]]), (f"m{b}", *self._box(box))
            )
        if g.panels:
            for panel in reversed(range(len(g.panels))):  # dot stacks them upward
                if (panel, ()) in self.nodes:
                    self._emit_cluster(dot, (panel, ()))
        else:  # the top of the picture is the graph itself
            self._emit_contents(dot, (0, ()))
        dot.edges(view.edges())
        if self.has_mask or self.scale is not None:
            legend = style.legend_label(self.scale, self.has_mask, self.words)
            dot.node("legend", legend, shape="plain")

    def _add(self, key: tuple, statement: tuple) -> None:
        self._register(key)
        self.nodes[key].append(statement)

    def _register(self, key: tuple) -> None:
        """Create cluster `key` and its ancestors, in order of first appearance."""
        if key in self.nodes:
            return
        self.nodes[key], self.children[key] = [], []
        panel, chain = key
        if chain:
            parent = (panel, chain[:-1])
            self._register(parent)
            self.children[parent].append(key)

    def _emit_cluster(self, dot: graphviz.Digraph, key: tuple) -> None:
        name, attr = self._cluster(key)
        with dot.subgraph(name=name, graph_attr=attr) as sub:
            self._emit_contents(sub, key)

    def _emit_contents(self, dot: graphviz.Digraph, key: tuple) -> None:
        for name, label, attr in self.nodes[key]:
            dot.node(name, label, **attr)
        for child in self.children[key]:
            self._emit_cluster(dot, child)

    # ------------------------------------------------------------ clusters

    def _cluster(self, key: tuple) -> tuple[str, dict]:
        """A unique name ("cluster_" + dotted path) and the look of one cluster."""
        panel, chain = key
        prefix = f"{panel}:" if self.g.panels else ""
        if not chain:
            label = self.g.panels[panel]
            name = f"cluster_panel{panel}"
            attr = {"style": "rounded", "color": "#999999", "fontsize": "13"}
            return name, {**attr, "label": label}
        scope = chain[-1]
        name = base = f"cluster_{prefix}{scope.path}"
        repeat = 1
        while name in self.cluster_names:  # the same module called again
            repeat += 1
            name = f"{base}#{repeat}"
        self.cluster_names.add(name)
        fill, border = self._colors(scope)
        label = (
            scope.path
            if scope.path == scope.module_type
            else (f"{scope.path} ({scope.module_type})")
        )
        if repeat > 1:
            label += ", " + self.words["call"].format(n=repeat)
        attr = {
            "label": label,
            "style": "rounded,filled",
            "fillcolor": fill,
            "color": border,
            "fontsize": "11",
            "labeljust": "l",
        }
        return name, attr

    def _colors(self, scope) -> tuple[str, str]:
        """(fill, border) of a module call's cluster or box."""
        k = self._color_index(scope)
        return style.CLUSTER_FILLS[k], style.CLUSTER_BORDERS[k]

    def _color_index(self, scope) -> int:
        k = self.color_of.get(id(scope))
        if k is None:
            around = None if scope.parent is None else self._color_index(scope.parent)
            k = style.module_color(scope.module_type, around, self.palette)
            self.color_of[id(scope)] = k
        return k

    # ------------------------------------------------------------ nodes

    def _tensor(self, i: int) -> tuple[str, dict]:
        g, t = self.g, self.g.tensors[i]
        fn = g.fns[i]
        attr = {"shape": "box", "style": "rounded,filled"}
        if is_constant(t):
            label, kind = style.constant_label(t), "input"
            attr["fontsize"] = "9"
        else:
            if fn is not None:
                title, kind = t.name or fn.op_name(), "tensor"
            elif g.is_parameter(i):
                title, kind = t.name or self.words["parameter"], "param"
            else:
                unnamed = self.words["input" if t.requires_grad else "constant"]
                title, kind = t.name or unnamed, "input"
            label = style.tensor_label(
                title,
                t,
                bold=t.name is not None,
                show_data=self.show_data,
                show_grad=self.show_grad,
            )
        attr["fillcolor"] = style.FILL[kind]
        if self.scale is not None and t.grad is not None:
            attr["fillcolor"] = self.scale.color(style.grad_rms(t.grad))
        if i in g.root_ids:
            attr["penwidth"] = "2"
        return label, attr

    def _op(self, i: int) -> tuple[str, dict]:
        fn, out, merged = self.g.fns[i], self.g.tensors[i], self.g.merged[i]
        label = style.op_label(
            fn.op_name(),
            [p.shape for p in fn.parents],
            out.shape,
            masked=fn.applies_mask,
            merged=merged,
            words=self.words,
        )
        attr = {"shape": "ellipse", "style": "filled", "fillcolor": style.FILL["op"]}
        attr["fontsize"] = "9"
        if fn.applies_mask:
            self.has_mask = True
            attr.update(shape="octagon", style="filled,bold", penwidth="2")
            attr.update(fillcolor=style.FILL["mask"], color=style.MASK_RED)
        if merged and self.scale is not None and out.grad is not None:
            attr["fillcolor"] = self.scale.color(style.grad_rms(out.grad))
        return label, attr

    def _box(self, box) -> tuple[str, dict]:
        tensors = self.g.tensors
        label = style.box_label(
            box,
            [tensors[i].shape for i in box.inputs],
            [tensors[i].shape for i in box.outputs],
            self.words,
        )
        fill, border = self._colors(box.scope)
        attr = {"shape": "box3d", "style": "filled", "fillcolor": fill, "color": border}
        if box.masked:
            self.has_mask = True
            attr.update(color=style.MASK_RED, penwidth="2")
        grads = [tensors[i].grad for i in box.outputs if tensors[i].grad is not None]
        if self.scale is not None and grads:
            size = max(style.grad_rms(g) for g in grads)
            attr["fillcolor"] = self.scale.color(size)
        return label, attr
