"""Splitting a sentence into words (tokens), and joining them back.

A token is a word or a single punctuation mark. Text is lower-cased and put in
Unicode NFC form first, so "É" typed as E + combining accent and "é" typed as
one character become the same token. A word keeps its inner apostrophes and
hyphens ("don't", "guarda-chuva"); everything else that is not a letter, a
digit or a space is a token of its own:

    "The cat, I think, sleeps."  ->  the cat , i think , sleeps .
"""

from __future__ import annotations

import re
import unicodedata

_LETTER = r"[\w\u0300-\u036f]"  # a letter, digit or a combining accent left by NFC
_TOKEN = re.compile(rf"{_LETTER}+(?:['-]{_LETTER}+)*|[^\w\s]")
_NO_SPACE_BEFORE = set(".,;:!?)]}%»")
_NO_SPACE_AFTER = set("([{¿¡«")


def normalize(text: str) -> str:
    """NFC form, lower case, typographic apostrophes made plain (’ -> ')."""
    return unicodedata.normalize("NFC", text).lower().replace("\u2019", "'")


def tokenize(text: str) -> list[str]:
    """Words and punctuation marks of `text`, lower-cased.

    >>> tokenize("I love books!")
    ['i', 'love', 'books', '!']
    """
    if not isinstance(text, str):
        raise TypeError(f"tokenize: expected a str, got {type(text).__name__}")
    return _TOKEN.findall(normalize(text))


def detokenize(tokens: list[str]) -> str:
    """Tokens joined by spaces, except before closing punctuation and after
    opening punctuation: ["olá", ",", "mundo", "!"] -> "olá, mundo!"."""
    text = ""
    for token in tokens:
        glue = not text or token in _NO_SPACE_BEFORE or text[-1] in _NO_SPACE_AFTER
        text += token if glue else " " + token
    return text
