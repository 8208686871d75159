"""graph_page: a computation graph as one interactive HTML file.

    from tinygrad_tx.viz import graph_page, show_graph_page
    o.backward(retain_graph=True)          # keep what each op saved
    graph_page(o).save("out/pages/o.html") # opens from disk, no server
    show_graph_page(o, lang="pt")          # in a notebook: shown in the cell

Module calls are clusters that fold and unfold (the page starts at `depth`);
each node shows its op and shape; a click shows its values, its gradient and
the op's formula and derivative (from the op's docstring). A stepper runs the
forward pass node by node in topological order, then the backward pass in
reverse, showing each gradient and the chain-rule terms it is the sum of.
Every number was recorded from the engine's own run (`record.py`) when the
page was written; the page's script computes none of them.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..backend import to_numpy
from . import style
from ._common import DEFAULT_MAX_NODES
from .graph import choose_depth, is_constant
from .html_page import HtmlPage, asset, check_lang
from .op_math import op_math
from .record import Recording, array_text, local_factor, record, summary_text

_ASSETS = "tinygrad_tx.viz"

LABELS = {
    "en": {
        "reset": "back to exploring (Home)", "prev": "step back (←)",
        "next": "step forward (→)", "to_backward": "forward ▶▶", "reset_short": "explore",
        "to_backward_title": "run the whole forward pass", "end": "to the last step (End)",
        "depth": "fold to depth", "all": "all", "zoom_in": "zoom in",
        "zoom_out": "zoom out", "fold": "fold (click)", "unfold": "unfold (click)",
        "forward": "forward", "backward": "backward", "explore": "exploring: "
        "press → to run the graph step by step",
        "param": "parameter", "input": "input", "const": "constant", "tensor": "tensor",
        "ops": "ops", "params": "parameters", "inputs": "inputs",
        "current": "this step", "shape": "shape", "module": "module",
        "value": "value", "gradient": "gradient", "not_yet": "not computed yet",
        "no_grad": "no gradient flows here (requires_grad=False)",
        "chain_rule": "chain rule", "sum_of_terms": "sum of {n} terms (one per use)",
        "from": "from", "term": "term", "op": "op",
        "forward_formula": "forward", "derivative": "derivative",
        "docstring": "the op's docstring", "applies_mask": "applies an attention mask",
        "click_a_node": "Click a node to see its values, its gradient and its op's math.",
        "help": "Keys: → / ← step forward and back through the forward pass, then "
        "backward; Home returns to exploring, End jumps to the last step. Click a "
        "module's name to fold it, a folded box to unfold it, a node for its numbers.",
    },
    "pt": {
        "reset": "voltar a explorar (Home)", "prev": "passo anterior (←)",
        "next": "próximo passo (→)", "to_backward": "forward ▶▶", "reset_short": "explorar",
        "to_backward_title": "executar todo o forward", "end": "ir ao último passo (End)",
        "depth": "recolher até a profundidade", "all": "tudo", "zoom_in": "aumentar",
        "zoom_out": "diminuir", "fold": "recolher (clique)", "unfold": "expandir (clique)",
        "forward": "forward", "backward": "retropropagação", "explore": "explorando: "
        "tecle → para executar o grafo passo a passo",
        "param": "parâmetro", "input": "entrada", "const": "constante", "tensor": "tensor",
        "ops": "operações", "params": "parâmetros", "inputs": "entradas",
        "current": "passo atual", "shape": "formato", "module": "módulo",
        "value": "valor", "gradient": "gradiente", "not_yet": "ainda não calculado",
        "no_grad": "nenhum gradiente passa por aqui (requires_grad=False)",
        "chain_rule": "regra da cadeia", "sum_of_terms": "soma de {n} termos (um por uso)",
        "from": "vindo de", "term": "termo", "op": "operação",
        "forward_formula": "forward", "derivative": "derivada",
        "docstring": "a docstring da operação", "applies_mask": "aplica uma máscara de atenção",
        "click_a_node": "Clique em um nó para ver seus valores, seu gradiente e a "
        "matemática da operação.",
        "help": "Teclas: → / ← avançam e voltam pelo forward e depois pela "
        "retropropagação; Home volta a explorar, End vai ao último passo. Clique no nome "
        "de um módulo para recolhê-lo, numa caixa recolhida para expandi-la, e num nó "
        "para ver seus números.",
    },
}  # fmt: skip


DEFAULT_TITLE = {"en": "computation graph", "pt": "grafo de computação"}


def graph_page(
    root,
    *,
    depth: int | None = None,
    max_nodes: int = DEFAULT_MAX_NODES,
    title: str | None = None,
    lang: str = "en",
    module_colors: dict[str, int] | None = None,
) -> HtmlPage:
    """The interactive page of the graph that computed `root` (a Tensor, a
    list of Tensors or a dict {label: Tensor}, as draw_graph takes).

    depth          the module depth the page starts folded at (None: all
                   unfolded, unless the graph has more than max_nodes nodes).
    lang           "en" or "pt": the language of the page's labels.
    module_colors  {module class name: colour index}, as draw_graph.
    The graph must still hold what its ops saved: build the page before
    backward(), or call backward(retain_graph=True).
    """
    check_lang(lang, "graph_page")
    palette = style.check_palette(module_colors)
    rec = record(root)
    chosen, note = choose_depth(rec.graph, depth, max_nodes)
    data = _page_data(rec, chosen, palette)
    data.update(title=title or DEFAULT_TITLE[lang], note=note, labels=LABELS[lang])
    css = asset(_ASSETS, "page.css") + asset(_ASSETS, "graph_page.css")
    script = (
        "(function () {\n"
        + "\n".join(
            asset(_ASSETS, name) for name in ("common.js", "layout.js", "graph_page.js")
        )
        + "\nreturn graphPage;\n})()"
    )
    return HtmlPage(data["title"], data, css=css, script=script, lang=lang)


def write_graph_page(root, path: str | os.PathLike, **options) -> Path:
    """graph_page(root, **options) saved at `path`; returns the path."""
    return graph_page(root, **options).save(path)


def show_graph_page(root, path="out/pages/graph.html", **options) -> HtmlPage:
    """The one line a lesson calls: in a notebook the page is shown in the cell;
    run as a script, it is written to `path` and the path printed."""
    page = graph_page(root, **options)
    page.show(path)
    return page


# ---------------------------------------------------------------- the data


def _page_data(rec: Recording, depth: int | None, palette: dict) -> dict:
    g = rec.graph
    clusters, cluster_of = _clusters(rec, depth, palette)
    math: dict[str, dict] = {}
    nodes = []
    for i in range(len(g)):
        node = _node(rec, i, cluster_of[i])
        fn = g.fns[i]
        if fn is not None:
            key = f"{type(fn).__module__}.{type(fn).__qualname__}"
            math.setdefault(key, op_math(type(fn)))
            node["math"] = key
        c = cluster_of[i]
        node["path"] = (
            clusters[c]["path"] if c >= 0 and not clusters[c]["panel"] else ""
        )
        nodes.append(node)
    levels = [c["level"] for c in clusters]
    return {
        "nodes": nodes,
        "clusters": clusters,
        "math": math,
        "forward": rec.forward_order,
        "backward": rec.backward_order,
        "max_level": max(levels, default=0),
    }


def _node(rec: Recording, i: int, cluster: int) -> dict:
    g, t = rec.graph, rec.graph.tensors[i]
    fn, grad = g.fns[i], rec.grads[i]
    if fn is not None:
        kind = "tensor"
    elif is_constant(t):
        kind = "const"
    else:
        kind = "param" if g.is_parameter(i) else "input"
    value = to_numpy(t.data)
    terms = []
    for term in rec.terms[i]:
        upstream = rec.grads[term.source]
        terms.append([
            term.source, term.arg, array_text(term.value), summary_text(term.value),
            local_factor(upstream, term.value),
        ])  # fmt: skip
    return {
        "name": t.name, "op": None if fn is None else fn.op_name(), "kind": kind,
        "shape": "scalar" if t.shape == () else str(tuple(t.shape)),
        "dtype": str(t.dtype), "c": cluster, "in": g.parents[i],
        "v": array_text(value), "vs": summary_text(value),
        "g": None if grad is None else array_text(grad),
        "gs": None if grad is None else summary_text(grad),
        "scalar": value.size == 1, "mask": bool(fn is not None and fn.applies_mask),
        "root": i in g.root_ids, "math": None, "terms": terms,
    }  # fmt: skip


def _clusters(rec: Recording, depth: int | None, palette: dict):
    """The clusters (panels, then module calls as they nest) and the cluster of
    each node (-1: outside all)."""
    g = rec.graph
    found = _ClusterIndex(g.panels, palette)
    cluster_of = [found.of(g.panel[i], g.home[i]) for i in range(len(g))]
    for i, c in enumerate(cluster_of):
        _count_inside(rec, i, c, found.clusters)
    for cl in found.clusters:
        cl["folded"] = depth is not None and cl["level"] > depth
    return found.clusters, cluster_of


class _ClusterIndex:
    """Numbers the clusters as they are first met: one per panel (when the
    root is a dict), one per module call; a call's colour avoids its parent's."""

    def __init__(self, panels: list[str] | None, palette: dict):
        self.panels, self.palette = panels, palette
        self.clusters: list[dict] = []
        self.index: dict = {}  # ("panel", k) or (panel, id(scope)) -> cluster
        self.colour: dict[int, int] = {}  # cluster -> colour index

    def of(self, panel: int, chain: tuple) -> int:
        """The cluster of the innermost call of `chain` (outermost first)."""
        if not chain:
            return self._panel(panel)
        key = (panel, id(chain[-1]))
        if key not in self.index:
            parent = self.of(panel, chain[:-1])
            scope = chain[-1]
            c = style.module_color(
                scope.module_type, self.colour.get(parent), self.palette
            )
            self.index[key] = len(self.clusters)
            self.colour[self.index[key]] = c
            self.clusters.append(_cluster(
                scope.path, scope.module_type, parent, len(chain),
                style.CLUSTER_FILLS[c], style.CLUSTER_BORDERS[c],
            ))  # fmt: skip
        return self.index[key]

    def _panel(self, k: int) -> int:
        if not self.panels:
            return -1
        if ("panel", k) not in self.index:
            self.index["panel", k] = len(self.clusters)
            self.clusters.append(
                _cluster(self.panels[k], "", -1, 0, "#ffffff", "#999999")
            )
            self.clusters[-1]["panel"] = True
        return self.index["panel", k]


def _cluster(path, module_type, parent, level, fill, border) -> dict:
    return {
        "path": path, "type": module_type, "parent": parent, "level": level,
        "fill": fill, "border": border, "ops": 0, "params": 0, "mask": False,
        "panel": False,
    }  # fmt: skip


def _count_inside(rec: Recording, i: int, c: int, clusters: list[dict]) -> None:
    """Add node i's op, parameter numbers and mask to c and every cluster around it."""
    g = rec.graph
    fn = g.fns[i]
    while c >= 0:
        cl = clusters[c]
        cl["ops"] += fn is not None
        cl["params"] += g.tensors[i].numel() if g.is_parameter(i) else 0
        cl["mask"] = cl["mask"] or bool(fn is not None and fn.applies_mask)
        c = cl["parent"]
