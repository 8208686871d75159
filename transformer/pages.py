"""The interactive pages of the render-graph examples, and the lines a lesson
calls to show them.

    python cli.py render-graph neuron --html out/pages/neuron.html
    show_example_page("thinking-machines", lang="pt")   # in a lesson's cell

Each example is built and run by the engine (forward and backward), then
written as one HTML file by `tinygrad_tx.viz.graph_page`: clusters that fold,
values and gradients on click, and a forward/backward stepper.
"""

from __future__ import annotations

import os
from pathlib import Path

from tinygrad_tx.viz import HtmlPage, graph_page

from . import graph_examples as gx


def example_page(
    name: str, *, lang: str = "en", device: str = "cpu", depth: int | None = None
) -> HtmlPage:
    """The page of render-graph example `name` (see `render-graph --list`),
    folded at `depth` (default: the example's own, e.g. 1 for the layers)."""
    example = gx.get_example(name)
    return graph_page(
        example.build(device),
        depth=example.page_depth if depth is None else depth,
        title=example.title,
        lang=lang,
        module_colors=gx.MODULE_COLORS,
    )


def write_example_page(name: str, path: str | os.PathLike, **options) -> Path:
    """example_page(name, **options) saved at `path`; returns the path."""
    return example_page(name, **options).save(path)


def show_example_page(name: str, path: str | os.PathLike | None = None, **options):
    """Show the page in a notebook cell, or (run as a script) write it to
    `path` (default out/pages/<name>.html) and print where."""
    page = example_page(name, **options)
    page.show(path or Path("out/pages") / f"{name}.html")
    return page
