"""Read back what matters in a DOT source: nodes, edges, clusters and their nesting."""

from __future__ import annotations

import re

NODE = re.compile(r"^\s*([tom]\d+|legend) \[(.*)\]$")
EDGE = re.compile(r"^\s*(\S+) -> (\S+)")
CLUSTER = re.compile(r'^\s*subgraph "?(cluster_[^"]*?)"? \{$')
LABEL = re.compile(r"\blabel=(\"[^\"]*\"|\S+)")
FILL = re.compile(r"\bfillcolor=\"([^\"]*)\"")


def nodes(source: str) -> dict[str, str]:
    """node id -> its attribute text."""
    found = {}
    for line in source.splitlines():
        m = NODE.match(line)
        if m:
            found[m.group(1)] = m.group(2)
    return found


def edges(source: str) -> list[tuple[str, str]]:
    return [m.groups() for m in map(EDGE.match, source.splitlines()) if m]


def clusters(source: str) -> dict[str, dict]:
    """cluster name -> {"parent": enclosing cluster or None, "label": its label,
    "fill": its fill colour, "nodes": ids declared directly inside}."""
    found, stack = {}, []
    for line in source.splitlines():
        m = CLUSTER.match(line)
        if m:
            name = m.group(1)
            found[name] = {"parent": stack[-1] if stack else None, "nodes": []}
            stack.append(name)
            continue
        if line.strip() == "}" and stack:
            stack.pop()
            continue
        if stack and line.strip().startswith("graph ["):
            label = LABEL.search(line)
            found[stack[-1]]["label"] = label.group(1).strip('"') if label else None
            fill = FILL.search(line)
            found[stack[-1]]["fill"] = fill.group(1) if fill else None
        node = NODE.match(line)
        if node and stack:
            found[stack[-1]]["nodes"].append(node.group(1))
    return found


def count(ids, prefix: str) -> int:
    return sum(1 for i in ids if i.startswith(prefix))
