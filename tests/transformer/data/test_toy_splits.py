"""Splits: the held-out combinations are read back from the English text by the
independent parser of toy_checkers.py, not taken from the generator."""

import pytest
from toy_checkers import check_english, check_portuguese, parse_english

from transformer.data.grammar import Clause, NounPhrase
from transformer.data.splits import make_toy_splits, split_pairs


@pytest.fixture(scope="module")
def splits():
    return make_toy_splits()  # the default seed and sizes, as training uses them


def combinations(sentence):
    subject, verb, pairs, problems = parse_english(sentence)
    assert problems == [], sentence
    return (subject, verb), pairs


def held_out_in(sentence, held_out):
    subject_verb, pairs = combinations(sentence)
    return subject_verb in held_out.subject_verb or any(
        p in held_out.noun_adjective for p in pairs
    )


def test_default_sizes_and_description(splits):
    assert splits.sizes() == {"train": 60_000, "valid": 500, "test": 1_000}
    text = splits.describe()
    assert "train 60000, valid 500, test 1000" in text
    assert "43 noun-adjective pairs (one adjective per noun" in text
    assert "19 subject-verb pairs (one verb per subject" in text


def test_the_slide_sentences_are_in_training(splits):
    assert ("i love books", "eu amo livros") in splits.train
    assert ("the cat sleeps on the mat", "o gato dorme no tapete") in splits.train


def test_no_sentence_in_two_splits_or_twice_in_one(splits):
    for side in (0, 1):
        every = [
            pair[side] for s in (splits.train, splits.valid, splits.test) for pair in s
        ]
        assert len(every) == len(set(every))


def test_training_never_contains_a_held_out_combination(splits):
    assert not [s for s, _ in splits.train if held_out_in(s, splits.held_out)]


def test_every_validation_and_test_sentence_contains_one(splits):
    for part in (splits.valid, splits.test):
        assert all(held_out_in(s, splits.held_out) for s, _ in part)
    # both kinds are tested
    sv = sum(combinations(s)[0] in splits.held_out.subject_verb for s, _ in splits.test)
    na = sum(
        any(p in splits.held_out.noun_adjective for p in combinations(s)[1])
        for s, _ in splits.test
    )
    assert sv >= 100 and na >= 100, (sv, na)


def test_one_adjective_per_noun_and_one_verb_per_subject_are_held_out(splits):
    nouns = [n for n, _ in splits.held_out.noun_adjective]
    subjects = [s for s, _ in splits.held_out.subject_verb]
    assert len(nouns) == len(set(nouns)) == 43
    assert len(subjects) == len(set(subjects)) == 19
    assert ("i", "love") not in splits.held_out.subject_verb
    assert ("cat", "sleep") not in splits.held_out.subject_verb


def test_each_part_of_a_held_out_pair_is_trained_in_other_company(splits):
    trained_pairs, trained_subject_verbs = set(), set()
    for s, _ in splits.train:
        subject_verb, pairs = combinations(s)
        trained_subject_verbs.add(subject_verb)
        trained_pairs.update(pairs)
    for noun, adjective in splits.held_out.noun_adjective:
        assert any(n == noun for n, a in trained_pairs), noun
        assert any(a == adjective for n, a in trained_pairs), adjective
    for subject, verb in splits.held_out.subject_verb:
        assert any(s == subject for s, v in trained_subject_verbs), subject
        assert any(v == verb for s, v in trained_subject_verbs), verb


def test_every_word_of_validation_and_test_is_a_training_word(splits):
    for side in (0, 1):
        vocabulary = {w for pair in splits.train for w in pair[side].split()}
        for part in (splits.valid, splits.test):
            assert not {w for pair in part for w in pair[side].split()} - vocabulary


def test_every_sentence_of_every_split_obeys_the_rules(splits):
    for english, portuguese in splits.train + splits.valid + splits.test:
        assert check_english(english) == [], english
        assert check_portuguese(portuguese) == [], portuguese
        assert 3 <= len(english.split()) <= 10 and len(portuguese.split()) <= 11


def test_same_seed_same_splits_other_seed_other_splits():
    a = make_toy_splits(seed=5, n_train=1000, n_valid=50, n_test=50)
    b = make_toy_splits(seed=5, n_train=1000, n_valid=50, n_test=50)
    c = make_toy_splits(seed=6, n_train=1000, n_valid=50, n_test=50)
    assert (a.train, a.valid, a.test, a.held_out) == (
        b.train,
        b.valid,
        b.test,
        b.held_out,
    )
    assert a.train != c.train and a.held_out != c.held_out


def test_bad_sizes_are_named():
    with pytest.raises(ValueError, match="n_train must be a positive integer"):
        make_toy_splits(n_train=0)
    with pytest.raises(ValueError, match="n_test must be a positive integer"):
        make_toy_splits(n_test=2.5)


def test_a_grammar_too_small_for_the_request_is_a_clear_error(monkeypatch):
    # a grammar that can only say one sentence cannot fill 10 training sentences
    monkeypatch.setattr(
        "transformer.data.splits.sample_clause",
        lambda rng: Clause(NounPhrase("dog"), "sleep"),
    )
    with pytest.raises(ValueError, match="only 3 training and 0 held-out sentences"):
        make_toy_splits(n_train=10, n_valid=1, n_test=1)


# ---------------------------------------------------------------- real pairs


def test_split_pairs_keeps_all_translations_of_a_source_together():
    pairs = [(f"s{i}", f"t{i}") for i in range(100)] + [("s7", "other"), ("s7", "t7")]
    splits = split_pairs(pairs, seed=1, valid_fraction=0.1, test_fraction=0.2)
    assert splits.sizes()["valid"] == 10
    where = {
        s: name for name in ("train", "valid", "test") for s, _ in getattr(splits, name)
    }
    assert len(where) == 100  # 100 distinct sources, each in one split
    part = getattr(splits, where["s7"])
    assert ("s7", "t7") in part and ("s7", "other") in part  # the duplicate is dropped
    assert sum(splits.sizes().values()) == 101
    assert "by source sentence (seed 1)" in splits.rule


def test_split_pairs_is_deterministic_and_depends_on_the_seed():
    pairs = [(f"s{i}", f"t{i}") for i in range(50)]
    assert split_pairs(pairs, seed=3) == split_pairs(pairs, seed=3)
    assert split_pairs(pairs, seed=3).test != split_pairs(pairs, seed=4).test


def test_split_pairs_errors():
    with pytest.raises(ValueError, match="2 distinct source sentences are too few"):
        split_pairs([("a", "b"), ("c", "d")])
    with pytest.raises(ValueError, match="test_fraction must be between 0 and 1"):
        split_pairs([("a", "b")] * 5, test_fraction=1.5)
