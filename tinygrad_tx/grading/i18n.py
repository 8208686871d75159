"""The course's two languages for everything a student reads from the grader.

Hints, messages and report labels are written once per language, side by side:

    Text(en="multiply by grad_out", pt="multiplique por grad_out")

and shown in the language of the report being written. That language comes from
`--lang`, then the locale (LANG=pt_BR.UTF-8 gives Portuguese), then English:

    with language("pt"):
        str(hint)            # the Portuguese text

Adding a language is a matter of text: a `zh=` next to `en=` and `pt=` (missing
texts fall back to English).
"""

from __future__ import annotations

import contextlib
import contextvars

from ..languages import resolve_language as resolve  # --lang, locale, English

_current = contextvars.ContextVar("grading_language", default="en")


def current() -> str:
    return _current.get()


@contextlib.contextmanager
def language(lang: str):
    """Render every Text inside the block in `lang`."""
    token = _current.set(resolve(lang))
    try:
        yield
    finally:
        _current.reset(token)


class Text:
    """A sentence in each of the course's languages; str() picks the current one."""

    __slots__ = ("texts",)

    def __init__(self, en: str, pt: str, **others: str):
        self.texts = {"en": en, "pt": pt, **others}

    def __str__(self) -> str:
        return self.texts.get(current()) or self.texts["en"]

    def __repr__(self) -> str:
        return f"Text({self.texts['en']!r})"

    def format(self, **values) -> str:
        return str(self).format(**values)

    def __eq__(self, other) -> bool:
        return isinstance(other, Text) and other.texts == self.texts

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.texts.items())))


def say(text) -> str:
    """A Text in the current language; a plain string as it is."""
    return str(text)


# Labels of the reports, in one place.
PASS = Text("PASS", "PASSOU")
FAIL = Text("FAIL", "FALHOU")
WHY = Text("why:  ", "por quê: ")
HINT = Text("hint: ", "dica: ")
FILE = Text("file", "arquivo")
LESSON = Text("lesson", "aula")
HIDDEN = Text("hidden", "oculta")
