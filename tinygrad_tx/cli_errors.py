"""One way for every command line to report a user's mistake.

The library raises ValueError, TypeError, OSError, ... with a message that names
the problem and what to do; `clear_errors` turns such an error into click's
one-line "Error: ..." and exit status 1, never a traceback. The `cli.py` commands
and the command groups attached from beside the code they drive (bench, exercise,
lesson) all use it.
"""

from __future__ import annotations

import math

import click

# The errors that mean "your input is wrong" (a file, an option, a device, memory).
USER_ERRORS = (ValueError, TypeError, OSError, RuntimeError, KeyError, MemoryError)


class clear_errors:  # a lowercase context manager, like contextlib.suppress
    """`with clear_errors(): ...` reports a library error as a one-line message.

    A KeyError (an unknown name) becomes click's BadParameter for `param` when one
    is given (e.g. ``param="EXERCISE_ID"``), so the message names the option.
    """

    def __init__(self, param: str | None = None):
        self.param = param

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, traceback):
        if not isinstance(exc, USER_ERRORS):
            return False
        if isinstance(exc, KeyError):
            message = str(exc.args[0]) if exc.args else "unknown name"
            if self.param:
                raise click.BadParameter(message, param_hint=self.param) from None
            raise click.ClickException(message) from None
        if isinstance(exc, MemoryError):
            raise click.ClickException(
                f"out of memory{': ' + str(exc) if str(exc) else ''}; "
                "use a smaller model or batch"
            ) from None
        raise click.ClickException(str(exc)) from None


class FiniteFloatRange(click.FloatRange):
    """click.FloatRange that also refuses nan and inf, which pass its range
    test (every comparison with nan is False) and fail later as a traceback."""

    def convert(self, value, param, ctx):
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return number
