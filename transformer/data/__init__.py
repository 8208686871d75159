"""Data for the toy translator: a small English -> Portuguese grammar and its
train / validation / test splits.

Nothing here depends on the model: sentences are strings of lower-case words
joined by spaces.
"""

from .grammar import Clause, NounPhrase, sample_clause, translate
from .splits import HeldOut, Splits, make_toy_splits, split_pairs

__all__ = [
    "Clause",
    "HeldOut",
    "NounPhrase",
    "Splits",
    "make_toy_splits",
    "sample_clause",
    "split_pairs",
    "translate",
]
