"""One student's feedback as Markdown: every check, its points, message and hint.

Messages and prints that came from the student's process go inside code
fences (longer than any run of backticks in them), so nothing they contain is
read as Markdown.
"""

from __future__ import annotations

import re

from .classroom import display
from .i18n import Text
from .report import points_line

_TITLE = Text("Feedback: {student}", "Devolutiva: {student}")
_TOTAL = Text(
    "Total: **{score}/{total}** points (public {public}, hidden {hidden}).",
    "Total: **{score}/{total}** pontos (públicas {public}, ocultas {hidden}).",
)
_WHY = Text("What went wrong:", "O que deu errado:")
_HINT = Text("Hint:", "Dica:")
_PRINTED = Text("Your code printed:", "Seu código imprimiu:")
_HIDDEN = Text("hidden", "oculta")
_SEED = Text(
    "The hidden checks drew their inputs from seed {seed}.",
    "As verificações ocultas sortearam as entradas com a semente {seed}.",
)


def fenced(text: str) -> list[str]:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}text", *text.splitlines(), fence]


def feedback_markdown(g) -> str:
    lines = [f"# {_TITLE.format(student=display(g.student))}", ""]
    lines += [
        _TOTAL.format(
            score=g.total,
            total=g.max_total,
            public=g.public_total,
            hidden=g.hidden_total,
        ),
        "",
    ]
    for report in g.reports:
        lines += _exercise(report)
    seeds = {r.seed for r in g.reports if r.seed is not None}
    if seeds:
        lines.append(_SEED.format(seed=", ".join(str(s) for s in sorted(seeds))))
    return "\n".join(lines).rstrip() + "\n"


def _exercise(report) -> list[str]:
    lines = [f"## {report.exercise}: {report.title}", "", points_line(report), ""]
    for r in report.results:
        mark = "✅" if r.passed else "❌"
        tag = f" ({_HIDDEN})" if r.hidden else ""
        lines.append(f"- {mark} `{r.name}` {r.points}/{r.max_points}{tag}")
        if not r.passed:
            lines += ["", f"  {_WHY}", ""]
            lines += ["  " + line for line in fenced(r.message)]
            if r.hint:
                lines += ["", f"  {_HINT} {r.hint}"]
            lines.append("")
    if report.output.strip():
        lines += ["", str(_PRINTED), "", *fenced(report.output)]
    return [*lines, ""]
