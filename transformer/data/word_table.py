"""How the word tables are read: one word class's entries by their English form.

    NOUN = WordTable("noun", NOUNS)
    NOUN["cat"]            # the entry, or a ValueError naming the nouns there are
    "cat" in NOUN          # True

lexicon.py (nouns, adjectives, verbs) and function_words.py (pronouns,
possessives, "friend") look their words up this way.
"""

from __future__ import annotations


class WordTable(dict):
    """{English form: entry} of one word class (`what`: "noun", "pronoun" ...).
    A word it lacks is a clear error listing those it has; `in` asks quietly."""

    def __init__(self, what: str, entries):
        super().__init__((entry.en, entry) for entry in entries)
        self.what = what

    def __missing__(self, en: str):
        raise ValueError(
            f"unknown {self.what} {en!r}; the lexicon has: {', '.join(self)}"
        )
