"""BLEU, exact match and token accuracy against numbers worked out by hand."""

import math

import numpy as np
import pytest

from transformer.metrics import bleu, count_correct_tokens, exact_match, token_accuracy


def test_bleu_of_one_wrong_word_is_the_geometric_mean_of_the_precisions():
    # 1-grams 4/5, 2-grams 3/4, 3-grams 2/3, 4-grams 1/2 match; same length: BP = 1
    score = bleu(["o gato dorme no chão"], ["o gato dorme no tapete"])
    expected = 100 * (4 / 5 * 3 / 4 * 2 / 3 * 1 / 2) ** 0.25
    assert score == pytest.approx(expected, rel=1e-9)


def test_bleu_brevity_penalty_for_a_short_hypothesis():
    # every n-gram of the hypothesis is right, but it has 4 words for 5
    score = bleu(["o gato dorme no"], ["o gato dorme no tapete"])
    assert score == pytest.approx(100 * math.exp(1 - 5 / 4), rel=1e-9)


def test_bleu_pools_counts_over_the_corpus():
    hyps = ["o gato dorme no chão", "eu amo livros"]
    refs = ["o gato dorme no tapete", "eu amo livros"]
    # 1-grams 7/8, 2-grams 5/6, 3-grams 3/4, 4-grams 1/2
    expected = 100 * (7 / 8 * 5 / 6 * 3 / 4 * 1 / 2) ** 0.25
    assert bleu(hyps, refs) == pytest.approx(expected, rel=1e-9)


def test_bleu_of_perfect_short_sentences_is_100_and_of_nothing_in_common_0():
    assert bleu(["eu amo livros", "ele lê"], ["eu amo livros", "ele lê"]) == (
        pytest.approx(100.0)
    )
    assert bleu(["x y z"], ["eu amo livros"]) == 0.0


@pytest.mark.parametrize("fn", [bleu, exact_match], ids=["bleu", "exact_match"])
def test_metrics_reject_mismatched_or_empty_lists(fn):
    with pytest.raises(ValueError, match="2 hypotheses but 1 references"):
        fn(["a", "b"], ["a"])
    with pytest.raises(ValueError, match="no sentences"):
        fn([], [])


def test_exact_match_counts_whole_sentences_and_ignores_spacing():
    hyps = ["eu amo livros", "o gato  dorme", "o gato dorme no chão"]
    refs = ["eu amo livros", "o gato dorme", "o gato dorme no tapete"]
    assert exact_match(hyps, refs) == pytest.approx(2 / 3)


def test_token_accuracy_skips_padding():
    pad = 0
    target = np.array([[5, 6, 2, pad], [7, 2, pad, pad]])
    predicted = np.array([[5, 9, 2, 4], [7, 3, 8, 8]])  # right at 3 of 5 real tokens
    assert count_correct_tokens(predicted, target, pad) == (3, 5)
    assert token_accuracy(predicted, target, pad) == pytest.approx(3 / 5)
    assert token_accuracy(np.full((1, 2), 4), np.full((1, 2), pad), pad) == 0.0


def test_token_accuracy_rejects_different_shapes():
    with pytest.raises(ValueError, match=r"\(2, 3\) and target ids \(2, 4\)"):
        token_accuracy(np.zeros((2, 3), int), np.zeros((2, 4), int), 0)
