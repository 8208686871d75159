"""render_graph: write a drawing to a file, and never fail for want of Graphviz.

With Graphviz's `dot` program present the image (svg, png, pdf) is written.
Without it, the DOT source is written instead, with a message saying how to
install Graphviz and how to turn the saved file into an image later.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import graphviz

from ..io import atomic_write_bytes
from ._common import install_hint
from .dot import draw_graph

FORMATS = ("svg", "png", "pdf", "dot")


def render_graph(root, path, format: str = "svg", **draw_options) -> Path:
    """Draw the graph of `root` (see draw_graph for the options) and write it.

    path    the file to write; the format's suffix is added when missing
            ("out/graphs/mlp" -> "out/graphs/mlp.svg").
    format  "svg", "png", "pdf" (need Graphviz's `dot`) or "dot" (the source).
    Returns the path written: the image, or the .dot source when `dot` is
    missing or fails (a message on stderr then says how to install Graphviz).
    """
    if format not in FORMATS:
        raise ValueError(
            f"render_graph: format must be one of {', '.join(FORMATS)}, got {format!r}"
        )
    graph = draw_graph(root, **draw_options)
    path = Path(path)
    if path.suffix.lower() != f".{format}":
        path = path.with_name(path.name + f".{format}")
    path.parent.mkdir(parents=True, exist_ok=True)
    source = graph.source.encode("utf-8")
    if format == "dot":
        atomic_write_bytes(path, source)
        path.chmod(0o644)
        return path
    try:
        if shutil.which("dot") is None:
            raise graphviz.ExecutableNotFound(("dot",))
        image = graph.pipe(format=format)
    except (graphviz.ExecutableNotFound, graphviz.CalledProcessError) as exc:
        fallback = path.with_suffix(".dot")
        atomic_write_bytes(fallback, source)
        fallback.chmod(0o644)
        print(install_hint(exc, fallback), file=sys.stderr)
        return fallback
    atomic_write_bytes(path, image)
    path.chmod(0o644)  # a picture to share (the atomic write leaves 0o600)
    return path
