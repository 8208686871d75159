"""The course's languages, and which one a command speaks.

One rule for the grader (tinygrad_tx.grading.i18n) and the lessons (lessons/i18n.py):
the language asked for (--lang), else the locale's when the course has it
($LC_ALL, $LC_MESSAGES, $LANG: the first one set decides, as in POSIX;
LANG=pt_BR.UTF-8 gives pt), else English.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence

LANGUAGES = ("en", "pt")  # English and Brazilian Portuguese
DEFAULT = "en"
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")  # in POSIX's order


def language_code(language: str) -> str:
    """'pt_BR.UTF-8', 'pt-BR', 'PT' -> 'pt'."""
    return re.split(r"[_.@-]", language.strip())[0].lower()


def resolve_language(
    requested: str | None = None,
    available: Sequence[str] = LANGUAGES,
    *,
    source: str = "",
    environ: Mapping[str, str] | None = None,
) -> str:
    """`requested` if given (a clear error when the course is not written in
    it; `source` says where it came from), else the locale's language when
    `available` has it, else English."""
    if requested:
        code = language_code(requested)
        if code not in available:
            raise ValueError(
                f"unknown course language {requested!r}{source}; the course is "
                f"written in {', '.join(available)}"
            )
        return code
    environ = os.environ if environ is None else environ
    for variable in LOCALE_VARIABLES:
        value = environ.get(variable, "")
        if value:  # the first one set decides
            code = language_code(value)
            return code if code in available else DEFAULT
    return DEFAULT
