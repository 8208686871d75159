"""Splitting a sentence into words (tokens), and joining them back.

A token is a word or a single punctuation mark. Text is lower-cased and put in
Unicode NFC form first, so "É" typed as E + combining accent and "é" typed as
one character become the same token. A word keeps its inner apostrophes and
hyphens ("guarda-chuva", "d'água"); everything else that is not a letter, a
digit or a space is a token of its own:

    "The cat, I think, sleeps."  ->  the cat , i think , sleeps .

English contractions are written out in full, so that "don't" and "do not"
are the same two tokens and a model never meets a word it could not split:

    "I don't love books"   ->  i do not love books
    "The cat isn't happy"  ->  the cat is not happy
    "I'm tired"            ->  i am tired

(n't -> not, with can't -> can not and won't -> will not; 'm -> am, 're -> are,
've -> have, 'll -> will, and 's -> is after he, she, it, that, there, here,
what, where and who. A noun's possessive 's, "the cat's", stays one word.) No
Portuguese word ends in these, so the same tokenizer serves both languages.

The special token "<unk>" (an unknown word, see vocab.py) is kept whole.
"""

from __future__ import annotations

import re
import unicodedata

_LETTER = r"[\w\u0300-\u036f]"  # a letter, digit or a combining accent left by NFC
_TOKEN = re.compile(rf"(?i:<unk>)|{_LETTER}+(?:['-]{_LETTER}+)*|[^\w\s]")
_NO_SPACE_BEFORE = set(".,;:!?)]}%»")
_NO_SPACE_AFTER = set("([{¿¡«")

# contracted word (lower case) -> its words; the general rules are in _expand
_IRREGULAR = {
    "can't": ("can", "not"),
    "won't": ("will", "not"),
    "shan't": ("shall", "not"),
    "ain't": ("ain't",),  # am, is or are not: left as it is
}
_SUFFIXES = {"n't": "not", "'m": "am", "'re": "are", "'ve": "have", "'ll": "will"}
_IS_AFTER = {"he", "she", "it", "that", "there", "here", "what", "where", "who"}


def normalize(text: str) -> str:
    """NFC form, lower case, typographic apostrophes made plain (’ -> ')."""
    return _plain(text).lower()


def tokenize(text: str, lower: bool = True) -> list[str]:
    """Words and punctuation marks of `text`, lower-cased (or, with
    lower=False, as typed: the same tokens in the same places, so that a
    word can be copied back as the user wrote it), contractions written out.

    >>> tokenize("I don't love books!")
    ['i', 'do', 'not', 'love', 'books', '!']
    """
    if not isinstance(text, str):
        raise TypeError(f"tokenize: expected a str, got {type(text).__name__}")
    plain = _plain(text)
    tokens = _TOKEN.findall(plain.lower() if lower else plain)
    return [word for token in tokens for word in _expand(token)]


def detokenize(tokens: list[str]) -> str:
    """Tokens joined by spaces, except before closing punctuation and after
    opening punctuation: ["olá", ",", "mundo", "!"] -> "olá, mundo!"."""
    text = ""
    for token in tokens:
        glue = not text or token in _NO_SPACE_BEFORE or text[-1] in _NO_SPACE_AFTER
        text += token if glue else " " + token
    return text


def _plain(text: str) -> str:
    return unicodedata.normalize("NFC", text).replace("\u2019", "'")


def _expand(token: str) -> tuple[str, ...]:
    """The words of one token: "don't" -> ("do", "not"); "Isn't" -> ("Is",
    "not"); a token that is not a contraction comes back alone. The first
    word keeps the case of the token's first letter ("Can't" -> "Can")."""
    lower = token.lower()
    if lower in _IRREGULAR:
        head, *rest = _IRREGULAR[lower]
        return (token[0] + head[1:], *rest)
    for suffix, word in _SUFFIXES.items():
        if lower.endswith(suffix) and len(lower) > len(suffix):
            return (token[: -len(suffix)], word)
    if lower.endswith("'s") and lower[:-2] in _IS_AFTER:
        return (token[:-2], "is")
    return (token,)
