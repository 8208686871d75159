"""Computation graphs a student can read: tinygrad_tx graphs drawn with Graphviz.

    from tinygrad_tx.viz import draw_graph, render_graph, print_graph
    draw_graph(loss)                      # a graphviz.Digraph (shows inline in Jupyter)
    render_graph(loss, "out/graphs/loss", format="png", depth=2)
    print_graph(loss)                     # the same graph as an indented text tree
    graph_page(loss).save("out/loss.html")  # interactive: fold, click, step through

Each module call is a labelled cluster (`blocks.0.mlp`), nested as the calls
were; `depth=k` folds deeper calls into one box each; ops that apply an
attention mask are red octagons; `module_colors` gives module classes their
colours (others get one from a hash of the class name).
"""

from ._common import DEFAULT_MAX_NODES, install_hint
from .dot import TensorGraph, draw_graph
from .graph_page import graph_page, show_graph_page, write_graph_page
from .html_page import HtmlPage
from .render import render_graph
from .text import graph_text, print_graph

__all__ = [
    "DEFAULT_MAX_NODES",
    "HtmlPage",
    "TensorGraph",
    "draw_graph",
    "graph_page",
    "graph_text",
    "install_hint",
    "print_graph",
    "render_graph",
    "show_graph_page",
    "write_graph_page",
]
