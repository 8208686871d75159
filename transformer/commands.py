"""The command a message should suggest: the way the user started this program.

A hint such as "continue with: python cli.py train-toy-translation --resume" is
only useful if it can be pasted. Someone who typed `uv run python cli.py ...`
needs `uv run` in front (without it the project's packages are not found), and
someone who used the installed `tx` script needs `tx`. This reads how the
process was started; from a notebook or a test it falls back to
`python cli.py`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def command(subcommand: str) -> str:
    """`subcommand` prefixed as the user runs this program, e.g.
    command("translate") -> "uv run python cli.py translate"."""
    return f"{_program()} {subcommand}"


def _program() -> str:
    script = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else ""
    if script == "cli.py":
        program = f"{_python()} {sys.argv[0]}"
    elif script == "tx":
        program = "tx"
    else:
        program = "python cli.py"
    # `uv run` marks the processes it starts with this variable.
    return f"uv run {program}" if "UV_RUN_RECURSION_DEPTH" in os.environ else program


def _python() -> str:
    """The interpreter's name as typed (python, python3), never a long path."""
    typed = Path(getattr(sys, "orig_argv", ["python"])[0]).name
    return typed if typed.startswith("python") else "python"
