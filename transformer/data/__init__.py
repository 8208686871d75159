"""Data for the toy translator: a small English -> Portuguese grammar, its
train / validation / test splits, real pairs from a TSV file, and the
word-level tokenizer and vocabularies.

Nothing here depends on the model: sentences are strings of lower-case words
joined by spaces, ids are Python lists.
"""

from .grammar import Clause, NounPhrase, sample_clause, translate
from .splits import HeldOut, Splits, make_toy_splits, split_pairs
from .tokenizer import detokenize, normalize, tokenize
from .tsv import MalformedLinesWarning, PairsFileError, load_pairs
from .vocab import (
    BOS_ID,
    EOS_ID,
    PAD_ID,
    SPECIALS,
    UNK_ID,
    Vocab,
    build_vocabs,
    load_vocabs,
    save_vocabs,
    vocabs_from_json,
    vocabs_to_json,
)

__all__ = [
    "BOS_ID",
    "EOS_ID",
    "PAD_ID",
    "SPECIALS",
    "UNK_ID",
    "Clause",
    "HeldOut",
    "MalformedLinesWarning",
    "NounPhrase",
    "PairsFileError",
    "Splits",
    "Vocab",
    "build_vocabs",
    "detokenize",
    "load_pairs",
    "load_vocabs",
    "make_toy_splits",
    "normalize",
    "sample_clause",
    "save_vocabs",
    "split_pairs",
    "tokenize",
    "translate",
    "vocabs_from_json",
    "vocabs_to_json",
]
