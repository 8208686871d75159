"""Tokenizer and vocabulary: ids by hand, round trips, unknown words, JSON."""

import json

import pytest

from transformer.data.tokenizer import detokenize, tokenize
from transformer.data.vocab import (
    BOS_ID,
    EOS_ID,
    PAD_ID,
    UNK_ID,
    Vocab,
    build_vocabs,
    load_vocabs,
    save_vocabs,
    vocabs_from_json,
    vocabs_to_json,
)

# ---------------------------------------------------------------- tokenizer


@pytest.mark.parametrize(
    "text, tokens",
    [
        ("I love books", ["i", "love", "books"]),
        (
            "The cat, I think, sleeps.",
            ["the", "cat", ",", "i", "think", ",", "sleeps", "."],
        ),
        ("Don’t stop!", ["do", "not", "stop", "!"]),
        ("I don't love books.", ["i", "do", "not", "love", "books", "."]),
        ("The cat doesn't sleep", ["the", "cat", "does", "not", "sleep"]),
        ("It isn't, they aren't", ["it", "is", "not", ",", "they", "are", "not"]),
        ("I can't, I won't", ["i", "can", "not", ",", "i", "will", "not"]),
        ("I'm here; we're there", ["i", "am", "here", ";", "we", "are", "there"]),
        (
            "She's happy, where's the cat's bed?",
            ["she", "is", "happy", ",", "where", "is", "the", "cat's", "bed", "?"],
        ),
        ("You've, we'll, ain't", ["you", "have", ",", "we", "will", ",", "ain't"]),
        ("a <UNK> here", ["a", "<unk>", "here"]),
        ("d'água", ["d'água"]),
        ("O guarda-chuva é AZUL?", ["o", "guarda-chuva", "é", "azul", "?"]),
        ('  Você   vê\t"isto"  ', ["você", "vê", '"', "isto", '"']),
        ("E\u0301 assim", ["é", "assim"]),  # E + combining accent -> é (NFC)
        ("", []),
    ],
)
def test_tokenize(text, tokens):
    assert tokenize(text) == tokens


def test_contracted_and_full_forms_are_the_same_tokens():
    assert tokenize("I don't love books") == tokenize("i do not love books")
    assert tokenize("The cat ISN'T happy.") == tokenize("the cat is not happy .")


def test_tokens_as_typed_line_up_with_the_lower_case_ones():
    text = "Maria DOESN'T love Pizza, I'm sure!"
    typed = tokenize(text, lower=False)
    assert typed == [
        "Maria",
        "DOES",
        "not",
        "love",
        "Pizza",
        ",",
        "I",
        "am",
        "sure",
        "!",
    ]
    assert [t.lower() for t in typed] == tokenize(text)


def test_detokenize_glues_punctuation():
    assert detokenize(["olá", ",", "mundo", "!"]) == "olá, mundo!"
    assert detokenize(["(", "sim", ")", "¿", "qué", "?"]) == "(sim) ¿qué?"
    assert detokenize([]) == ""


def test_the_unknown_word_token_is_not_a_word_of_the_vocabulary():
    vocab = Vocab.build(["eu amo <unk>", "eu amo livros"])
    assert vocab.itos == ["<pad>", "<s>", "</s>", "<unk>", "amo", "eu", "livros"]
    assert vocab.encode("eu amo <unk> pizza") == [5, 4, UNK_ID, UNK_ID]


def test_tokenize_wants_text():
    with pytest.raises(TypeError, match="tokenize: expected a str, got list"):
        tokenize(["a", "b"])


# ---------------------------------------------------------------- vocabulary


@pytest.fixture
def vocab():
    # "o" twice, then "gato" and "dorme" once each: frequency, then alphabet
    return Vocab.build(["o gato", "o dorme"])


def test_specials_first_then_words_by_frequency_then_alphabet(vocab):
    assert vocab.itos == ["<pad>", "<s>", "</s>", "<unk>", "o", "dorme", "gato"]
    assert (PAD_ID, BOS_ID, EOS_ID, UNK_ID) == (0, 1, 2, 3)
    assert len(vocab) == 7 and "gato" in vocab and "cão" not in vocab


def test_encode_by_hand(vocab):
    assert vocab.encode("O gato dorme") == [4, 6, 5]
    assert vocab.encode(["o", "gato"], bos=True, eos=True) == [1, 4, 6, 2]
    assert vocab.encode("o cão dorme") == [4, UNK_ID, 5]


def test_decode_stops_at_end_of_sentence_and_drops_padding(vocab):
    assert vocab.decode([1, 4, 6, 5, 2, 6, 0, 0]) == "o gato dorme"
    assert vocab.decode_tokens([4, 0, 6]) == ["o", "gato"]
    assert vocab.decode([4, 3, 5]) == "o <unk> dorme"
    assert vocab.decode([4, 3, 5], strip_unk=True) == "o dorme"


def test_round_trip_of_known_sentences(vocab):
    for sentence in ("o gato dorme", "gato", "dorme o gato o"):
        assert vocab.decode(vocab.encode(sentence, bos=True, eos=True)) == sentence


def test_decode_id_out_of_range(vocab):
    with pytest.raises(IndexError, match=r"id 7 is outside 0\.\.6"):
        vocab.decode([4, 7])


def test_unknown_words_are_listed_once_in_order(vocab):
    assert vocab.unknown_words("o cão e o rato e o cão") == ["cão", "e", "rato"]
    assert vocab.unknown_words("o gato") == []


def test_min_freq_and_max_size():
    sentences = ["a a a b b c"]
    assert Vocab.build(sentences, min_freq=2).itos[4:] == ["a", "b"]
    assert Vocab.build(sentences, max_size=1).itos[4:] == ["a"]


def test_bad_words_are_refused():
    with pytest.raises(ValueError, match="'<s>' cannot be a word"):
        Vocab(["gato", "<s>"])
    with pytest.raises(ValueError, match=r"words listed twice: \['gato'\]"):
        Vocab(["gato", "cão", "gato"])


def test_json_round_trip(vocab):
    text = vocab.to_json()
    assert json.loads(text)["tokens"][:4] == ["<pad>", "<s>", "</s>", "<unk>"]
    assert Vocab.from_json(text) == vocab
    assert Vocab.from_json(json.loads(text)) == vocab
    with pytest.raises(ValueError, match="not a vocabulary"):
        Vocab.from_json('{"tokens": ["gato"]}')


# ---------------------------------------------------------------- source and target

PAIRS = [("i love books", "eu amo livros"), ("i love cats", "eu amo gatos")]


def test_separate_vocabularies():
    src, tgt = build_vocabs(PAIRS)
    assert src.itos[4:] == ["i", "love", "books", "cats"]
    assert tgt.itos[4:] == ["amo", "eu", "gatos", "livros"]


def test_shared_vocabulary_is_one_object():
    src, tgt = build_vocabs(PAIRS, shared=True)
    assert src is tgt
    assert src.itos[4:] == [
        "amo",
        "eu",
        "i",
        "love",
        "books",
        "cats",
        "gatos",
        "livros",
    ]


@pytest.mark.parametrize("shared", [False, True])
def test_vocab_file_round_trip(tmp_path, shared):
    src, tgt = build_vocabs(PAIRS, shared=shared)
    path = tmp_path / "run" / "vocab.json"
    save_vocabs(path, src, tgt)
    src2, tgt2 = load_vocabs(path)
    assert (src2, tgt2) == (src, tgt)
    assert (src2 is tgt2) == shared


def test_vocab_file_errors(tmp_path):
    with pytest.raises(
        FileNotFoundError, match=r"vocabulary file not found: .*nope\.json"
    ):
        load_vocabs(tmp_path / "nope.json")
    src, tgt = build_vocabs(PAIRS)
    text = vocabs_to_json(src, tgt)
    with pytest.raises(
        ValueError, match=r"run/vocab\.json: not valid JSON .* truncated"
    ):
        vocabs_from_json(text[: len(text) // 2], where="run/vocab.json")
    with pytest.raises(ValueError, match="not a tinygrad_tx vocabulary file"):
        vocabs_from_json('{"src": []}')
    with pytest.raises(ValueError, match="vocabulary version 2, expected 1"):
        vocabs_from_json(text.replace('"version": 1', '"version": 2'))
    bad = json.loads(text)
    bad["tgt"] = ["<pad>", "gato"]
    with pytest.raises(ValueError, match=r"vocab\.json: not a vocabulary"):
        vocabs_from_json(json.dumps(bad))
