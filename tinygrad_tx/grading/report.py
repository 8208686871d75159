"""An exercise's report as the student reads it, in the course's language.

    softmax (lesson 6): Softmax as a Function: write its forward and its backward
      file: my_exercises/06_softmax.py
      PASS  forward_values      2/2
      FAIL  backward_values     0/2
            why:  the gradient of x is wrong at element (0, 1): expected ...
            hint: ...
      points: public 7/9 + hidden 1/2 = 8/11

Whatever came from the student's process (exception messages, prints) is
cleaned of control characters and indented under a label, so it cannot pass
for a line of the report.
"""

from __future__ import annotations

from . import i18n
from .i18n import Text

_POINTS = Text(
    "points: public {public}/{public_max} + hidden {hidden}/{hidden_max} = "
    "{score}/{total}",
    "pontos: públicas {public}/{public_max} + ocultas {hidden}/{hidden_max} = "
    "{score}/{total}",
)
_BY_TEACHER = Text(
    "(the hidden checks run when your teacher grades)",
    "(as verificações ocultas rodam quando o professor corrige)",
)
_PRINTED = Text("printed by your code:", "impresso pelo seu código:")
_SEED = Text(
    "hidden checks drew their inputs from seed {seed}",
    "as verificações ocultas sortearam as entradas com a semente {seed}",
)


def format_report(report) -> str:
    lines = [f"{report.exercise} ({i18n.LESSON} {report.lesson}): {report.title}"]
    lines.append(f"  {i18n.FILE}: {report.path}")
    width = max((len(r.name) for r in report.results), default=0)
    status_width = max(len(str(i18n.PASS)), len(str(i18n.FAIL)))
    for r in report.results:
        status = str(i18n.PASS if r.passed else i18n.FAIL)
        tag = f" ({i18n.HIDDEN})" if r.hidden else ""
        lines.append(
            f"  {status:<{status_width}}  {r.name:<{width}}  "
            f"{r.points}/{r.max_points}{tag}"
        )
        if not r.passed:
            pad = " " * (status_width + 4)
            lines += _labelled(r.message, str(i18n.WHY), pad)
            if r.hint:
                lines += _labelled(r.hint, str(i18n.HINT), pad)
    if report.output.strip():
        lines.append(f"  {_PRINTED}")
        lines += [f"    | {line}" for line in report.output.splitlines()[:40]]
    lines.append("  " + points_line(report))
    if report.hidden_run and report.hidden_points:
        lines.append("  " + _SEED.format(seed=report.seed))
    return "\n".join(lines)


def points_line(report) -> str:
    hidden = report.hidden_score if report.hidden_run else "–"
    line = _POINTS.format(
        public=report.public_score,
        public_max=report.public_max,
        hidden=hidden,
        hidden_max=report.hidden_points,
        score=report.score,
        total=report.total_max,
    )
    if not report.hidden_run and report.hidden_points:
        line += f" {_BY_TEACHER}"
    return line


def _labelled(text: str, label: str, pad: str) -> list[str]:
    first, *rest = text.splitlines() or [""]
    indent = pad + " " * len(label)
    return [f"{pad}{label}{first}"] + [indent + line for line in rest]
