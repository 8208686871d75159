"""What the drawing (`dot.py`), the text tree (`text.py`), the file writer
(`render.py`) and the HTML page (`page.py`) share: the roots they accept, the
checks on their options, and the message that says how to install Graphviz.

A leaf module: it imports nothing else from `viz`, so the modules above it form
no circle (dot -> text -> graph; render -> dot; each -> _common).
"""

from __future__ import annotations

from pathlib import Path

from ..tensor import Tensor

DEFAULT_MAX_NODES = 300
RANKDIRS = ("LR", "TB", "RL", "BT")


def as_roots(root, who: str = "draw_graph") -> tuple[list[Tensor], list[str] | None]:
    """(roots, panel labels) from a Tensor, a list of Tensors or a dict
    {label: Tensor}; panel labels are None unless a dict was given."""
    if isinstance(root, Tensor):
        return [root], None
    if isinstance(root, dict):
        roots, panels = list(root.values()), [str(k) for k in root]
    elif isinstance(root, list | tuple):
        roots, panels = list(root), None
    else:
        roots, panels = [root], None
    bad = [type(r).__name__ for r in roots if not isinstance(r, Tensor)]
    if bad or not roots:
        raise TypeError(
            f"{who}: root must be a Tensor, a list of Tensors or a dict "
            f"{{label: Tensor}}; got {bad[0] if bad else 'an empty collection'}"
        )
    return roots, panels


def check_options(depth, rankdir, max_nodes, who: str = "draw_graph") -> None:
    """ValueError naming the option when depth, rankdir or max_nodes is invalid."""
    if depth is not None and (
        isinstance(depth, bool) or not isinstance(depth, int) or depth < 0
    ):
        raise ValueError(f"{who}: depth must be None or an integer >= 0, got {depth!r}")
    if rankdir not in RANKDIRS:
        raise ValueError(
            f"{who}: rankdir must be one of {', '.join(RANKDIRS)}, got {rankdir!r}"
        )
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(
            f"{who}: max_nodes must be a positive integer, got {max_nodes!r}"
        )


def install_hint(
    reason: Exception | str | None = None, source: Path | None = None
) -> str:
    """How to get Graphviz's `dot` program, for a message."""
    import graphviz

    why = "Graphviz's `dot` program was not found"
    if reason is not None and not isinstance(reason, graphviz.ExecutableNotFound):
        why = f"Graphviz's `dot` failed ({reason})"
    lines = [f"{why}, so the graph was not turned into an image."]
    if source is not None:
        lines.append(f"The DOT source is saved in {source}.")
    lines += [
        "Install Graphviz to get images:",
        "  Debian/Ubuntu:  sudo apt install graphviz",
        "  macOS:          brew install graphviz",
        "  conda:          conda install -c conda-forge graphviz",
        "  Windows:        winget install graphviz   (or https://graphviz.org/download)",
    ]
    if source is not None:
        image = source.with_suffix(".svg")
        lines.append(f"then: dot -Tsvg {source} -o {image}")
    return "\n".join(lines)
