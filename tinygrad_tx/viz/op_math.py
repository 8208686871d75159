"""An op's forward formula and derivative, read from its docstring.

Every op documents its math in the same order (see ops/): the forward formula
first, then the derivative (the vector-Jacobian product), then what it saves
and numerical notes. For

    z = x * y.   dz/dx = y, dz/dy = x.   Saves both inputs.

the forward formula is "z = x * y." and the derivative "dz/dx = y, dz/dy = x.".
A paragraph that ends with ":" introduces the formula in the next one, which
then belongs with it. The whole docstring is kept too, for the reader who wants
the numerical notes.
"""

from __future__ import annotations

import inspect
import re

# What marks a piece of text as the derivative: dy/dx, ∂, grad_x =, dL/...
_DERIVATIVE = re.compile(
    r"\bd\w*/d\w|∂|\bgrad_\w+\s*=|Jacobian|(?:^|\.\s+)Backward\b|\bdL/"
)


def op_math(fn_class) -> dict[str, str]:
    """{"forward": ..., "derivative": ..., "doc": the whole docstring} of an op
    class (empty strings where the docstring says nothing)."""
    doc = inspect.cleandoc(fn_class.__doc__ or "")
    paragraphs = [p for p in doc.split("\n\n") if p.strip()]
    if not paragraphs:
        return {"forward": "", "derivative": "", "doc": ""}
    forward, derivative = _split_first(paragraphs[0])
    rest = paragraphs[1:]
    if forward.endswith(":") and rest and not _DERIVATIVE.search(rest[0]):
        forward += "\n" + rest.pop(0)  # the formula the first paragraph announces
    taken = [False] * len(rest)
    for k, text in enumerate(rest):
        if _DERIVATIVE.search(text):
            taken[k] = True
            if k > 0 and rest[k - 1].rstrip().endswith(":"):
                taken[k - 1] = True  # "With upstream gradient g:" before the formula
    parts = [derivative] if derivative else []
    parts += [text for text, keep in zip(rest, taken) if keep]
    return {"forward": forward, "derivative": "\n".join(parts), "doc": doc}


def _split_first(paragraph: str) -> tuple[str, str]:
    """(forward, derivative) from the first paragraph: its pieces are separated
    by three spaces ("z = x + y.   dz/dx = 1"), or else the derivative starts
    at a sentence of its own. Pieces after the derivative without a formula
    ("Saves both inputs.") are left to the full docstring."""
    text = " ".join(line.strip() for line in paragraph.splitlines())
    forward: list[str] = []
    derivative: list[str] = []
    for piece in (p.strip() for p in re.split(r"\s{3,}", text) if p.strip()):
        found = _DERIVATIVE.search(piece)
        if derivative or found is None:
            (derivative if found else forward if not derivative else []).append(piece)
            continue
        cut = piece.rfind(". ", 0, found.start())
        if found.start() > 0 and cut >= 0:  # "... rescaling). dy/dx = m / (1 - p)"
            forward.append(piece[: cut + 1])
            piece = piece[cut + 2 :]
        elif found.start() > 0 and not forward:
            forward.append(piece)  # a formula that mentions a derivative in passing
            continue
        derivative.append(piece)
    return "   ".join(forward), "   ".join(derivative)
