"""Data for the toy translator: a small English -> Portuguese grammar, its
train / validation / test splits, real pairs from a TSV file, the word-level
tokenizer and vocabularies, and padded, length-bucketed batches.

Nothing here depends on the model: sentences are strings of lower-case tokens
(words and punctuation) joined by spaces, ids are Python lists and NumPy int64
arrays. The modules, from words to splits: lexicon.py and function_words.py
(the word tables and the choices made once), morphology.py (word forms),
phrases.py and grammar.py (noun phrases, clauses, sentences), sampling.py
(random sentences), held_out.py, typed.py and splits.py (the three test splits),
review.py (pairs to read, per construction).

    splits = make_toy_splits(seed=0)                  # or split_pairs(load_pairs(path))
    splits.parts()                                    # train valid test length typed
    src_vocab, tgt_vocab = build_vocabs(splits.train)
    train = Batcher(encode_pairs(splits.train, src_vocab, tgt_vocab), batch_size=64, seed=0)
    for step, batch in zip(range(start, steps), train.stream(start)):
        ...  # batch.src (B, S), batch.tgt_in (B, T), batch.tgt_out (B, T)
"""

from .batching import Batch, Batcher, encode_pairs, make_batch, pad
from .grammar import Clause, Sentence, translate
from .phrases import Both, NounPhrase
from .sampling import sample_clause, sample_sentence
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
    "Batch",
    "Batcher",
    "Both",
    "Clause",
    "HeldOut",
    "MalformedLinesWarning",
    "NounPhrase",
    "PairsFileError",
    "Sentence",
    "Splits",
    "Vocab",
    "build_vocabs",
    "detokenize",
    "encode_pairs",
    "load_pairs",
    "load_vocabs",
    "make_batch",
    "make_toy_splits",
    "normalize",
    "pad",
    "sample_clause",
    "sample_sentence",
    "save_vocabs",
    "split_pairs",
    "tokenize",
    "translate",
    "vocabs_from_json",
    "vocabs_to_json",
]
