"""Data for the toy translator: a small English -> Portuguese grammar.

Nothing here depends on the model: sentences are strings of lower-case words
joined by spaces.
"""

from .grammar import Clause, NounPhrase, sample_clause, translate

__all__ = ["Clause", "NounPhrase", "sample_clause", "translate"]
