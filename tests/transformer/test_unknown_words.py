"""Unknown words copied where the cross-attention points: the alignment on
hand-made attention weights, the copy and its marks, the warning's words."""

import numpy as np
import pytest

from transformer import unknown_words
from transformer.data import UNK_ID, Vocab
from transformer.data.tokenizer import tokenize
from transformer.unknown_words import (
    MARK,
    align_unknown,
    copy_unknown_words,
    unknown_warning,
)

TGT = Vocab(["eu", "amo", "e", "gato", "o", "vê", "."])
SRC = Vocab(["i", "love", "and", "the", "cat", "sees", "."])


def weights_pointing_at(columns, n_src, heads=2):
    """(H, T + 1, S) attention: row t puts 0.7 on columns[t] (None: uniform)."""
    rows = []
    for column in [*columns, None]:  # the last row is the one of </s>
        row = np.full(n_src, 0.3 / max(n_src - 1, 1))
        if column is not None:
            row[column] = 0.7
        else:
            row[:] = 1 / n_src
        rows.append(row)
    return np.stack([np.array(rows)] * heads)


def test_each_unk_written_takes_the_unknown_source_word_attended_most():
    sentence = "I love Maria and Pizza"
    src = SRC.encode(sentence)  # i love <unk> and <unk>
    assert src[2] == src[4] == UNK_ID
    out = TGT.encode("eu amo <unk> e <unk>")
    weights = weights_pointing_at([0, 1, 2, 3, 4], len(src))
    assert align_unknown(weights, src, out) == [(2, 2), (4, 4)]
    crossed = weights_pointing_at([0, 1, 4, 3, 2], len(src))
    assert align_unknown(crossed, src, out) == [(2, 4), (4, 2)]


def test_only_unknown_source_words_can_be_copied():
    src = SRC.encode("i love Maria")
    out = TGT.encode("eu amo <unk>")
    # the attention of the <unk> row is on "love", a known word: Maria is the
    # only unknown one, so it is the one copied
    weights = weights_pointing_at([0, 1, 1], len(src))
    assert align_unknown(weights, src, out) == [(2, 2)]
    assert align_unknown(weights, SRC.encode("i love the cat"), out) == []


def test_heads_are_averaged():
    src = SRC.encode("Ana and Pedro")  # <unk> and <unk>
    out = TGT.encode("<unk>")
    weights = np.zeros((2, 2, 3))
    weights[0, 0] = [0.9, 0.1, 0.0]  # head 1: Ana
    weights[1, 0] = [0.0, 0.0, 1.0]  # head 2: Pedro, more surely
    assert align_unknown(weights, src, out) == [(0, 2)]


def test_copy_keeps_the_typed_word_and_marks_it(monkeypatch):
    sentence = "I love Maria."
    src, out = SRC.encode(sentence), TGT.encode("eu amo <unk> .")
    monkeypatch.setattr(
        unknown_words, "cross_attention",
        lambda model, s, o: weights_pointing_at([0, 1, 2, 3], len(s)),
    )  # fmt: skip
    copy = copy_unknown_words(None, src, out, tokenize(sentence, lower=False), TGT)
    assert copy.words == ["eu", "amo", "Maria", "."]
    assert copy.marked == ["eu", "amo", MARK.format("Maria"), "."]
    assert copy.marked[2] == "[Maria]"
    assert copy.copied == ["Maria"] and copy.missing == []


def test_an_unknown_word_without_an_unk_in_the_output_is_missing(monkeypatch):
    def no_attention_needed(*args):
        raise AssertionError("no <unk> written: nothing to align")

    monkeypatch.setattr(unknown_words, "cross_attention", no_attention_needed)
    sentence = "the cat sees Pedro"
    src, out = SRC.encode(sentence), TGT.encode("o gato vê o gato")
    copy = copy_unknown_words(None, src, out, tokenize(sentence, lower=False), TGT)
    assert copy.words == copy.marked == ["o", "gato", "vê", "o", "gato"]
    assert copy.copied == [] and copy.missing == ["Pedro"]


def test_copy_wants_the_tokens_of_the_same_sentence():
    with pytest.raises(ValueError, match="3 source words for 2 source ids"):
        copy_unknown_words(None, [4, 5], [4], ["a", "b", "c"], TGT)


def test_the_warning_names_each_word_and_what_became_of_it():
    text = unknown_warning("Ana and Zorgle", ["ana", "zorgle"], ["Ana"], ["Zorgle"], 90)
    assert text.startswith(
        "warning: unknown word(s) 'ana', 'zorgle' in 'Ana and Zorgle' were "
        "translated as <unk>: the model knows only the 90 tokens"
    )
    assert "copied 'Ana' where the cross-attention points, marked [like this]" in text
    assert "'Zorgle': no place in the translation (no <unk> written)" in text
    assert "\n" not in text


def test_the_typical_sentences_hold_one_unknown_word_each():
    from transformer.data import make_toy_splits

    train = make_toy_splits(seed=0, n_train=20_000, n_valid=10, n_test=10).train
    vocab = Vocab.build(s for s, _ in train)
    for sentence, expected in unknown_words.TYPICAL:
        unknown = vocab.unknown_words(sentence)
        assert len(unknown) == 1, sentence
        typed = [w for w in tokenize(sentence, lower=False) if w.lower() == unknown[0]]
        assert typed[0] in expected.split(), sentence
