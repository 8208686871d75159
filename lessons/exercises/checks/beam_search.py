"""Checks for beam_search: results worked out by hand on small table scorers
(beam beats greedy; the length penalty changes the winner), beam_size = 1 is
greedy, and a beam wide enough to keep everything finds the exhaustive optimum."""

import itertools

import numpy as np

from tinygrad_tx.grading.checks import (
    check,
    expect_close,
    expect_equal,
    expect_type,
    fail,
)
from tinygrad_tx.grading.scorers import RandomScorer, TableScorer

PAD, BOS, EOS, A, B, C = range(6)
DEFAULT = [0.01, 0.01, 0.02, 0.30, 0.32, 0.34]  # p(pad, bos, eos, a, b, c)

# Greedy writes "a a" (0.5 · 0.32 · 0.6 = 0.096); beam 2 also keeps "b" (0.4),
# and "b </s>" = 0.4 · 0.9 = 0.36 finishes first. Finished: [b] 0.36 (length 2),
# [a b] 0.5 · 0.3 · 0.96 = 0.144 and [a a] 0.096 (length 3).
# Winner [b]: log 0.36 / 2 = -0.5108 (α = 1), log 0.36 = -1.0217 (α = 0).
BEAM_BEATS_GREEDY = {
    (): [0.005, 0.005, 0.04, 0.50, 0.40, 0.05],
    (A,): [0.005, 0.005, 0.09, 0.32, 0.30, 0.28],
    (B,): [0.005, 0.005, 0.90, 0.04, 0.03, 0.02],
    (A, A): [0.005, 0.005, 0.60, 0.20, 0.10, 0.09],
}

# Two hypotheses finish: [c] with p = 0.30 · 0.99 = 0.297 (length 2), and
# [a b c] with p = 0.65 · 0.7 · 0.7 · 0.68 = 0.216580 (length 4).
# α = 0: log 0.297 = -1.2140 beats log 0.21658 = -1.5298, the short one wins.
# α = 1: -1.2140 / 2 = -0.6070 loses to -1.5298 / 4 = -0.3824, the long one wins.
LENGTH_MATTERS = {
    (): [0.008, 0.012, 0.014, 0.65, 0.016, 0.30],
    (A,): [0.02, 0.02, 0.04, 0.10, 0.70, 0.12],
    (A, B): [0.02, 0.02, 0.04, 0.10, 0.12, 0.70],
    (A, B, C): [0.02, 0.02, 0.68, 0.08, 0.09, 0.11],
    (C,): [0.002, 0.002, 0.99, 0.002, 0.003, 0.001],
}


def _search(ex, scorer, max_len, beam_size, alpha):
    result = ex.beam_search(scorer, BOS, EOS, max_len, beam_size, alpha)
    expect_type(result, tuple, "beam_search's result")
    if len(result) != 2:
        fail(f"beam_search should return (tokens, score), got {len(result)} values")
    tokens, score = result
    expect_type(tokens, list, "the tokens")
    if not all(isinstance(t, int | np.integer) for t in tokens):
        fail(f"the tokens should be int ids, got {tokens!r}")
    expect_type(score, float | np.floating, "the score")
    return [int(t) for t in tokens], float(score)


@check(points=3, hint="keep beam_size beams; EOS among the top beam_size finishes one")
def beats_greedy(ex):
    scorer = TableScorer(BEAM_BEATS_GREEDY, DEFAULT)
    tokens, score = _search(ex, scorer, 10, 2, 1.0)
    expect_equal(tokens, [B], "beam_search(beam_size=2) on table 1")
    expect_close(score, np.log(0.36) / 2, "its score log(0.36) / 2")


@check(points=3, hint="score = total / length**α, length = tokens after BOS with EOS")
def length_penalty(ex):
    scorer = TableScorer(LENGTH_MATTERS, DEFAULT)
    tokens, score = _search(ex, scorer, 10, 2, 0.0)
    expect_equal(tokens, [C], "the winner with α = 0")
    expect_close(score, np.log(0.297), "its score log(0.297)")
    tokens, score = _search(ex, scorer, 10, 2, 1.0)
    expect_equal(tokens, [A, B, C], "the winner with α = 1")
    expect_close(score, np.log(0.65 * 0.7 * 0.7 * 0.68) / 4, "its score")


@check(points=2, hint="with beam_size = 1 only the best candidate survives each step")
def beam_one_is_greedy(ex):
    expect_equal(
        _search(ex, TableScorer(BEAM_BEATS_GREEDY, DEFAULT), 10, 1, 1.0)[0],
        [A, A],
        "beam_size = 1 on table 1 (greedy writes [a, a])",
    )


@check(points=2, hint="at max_len, unfinished beams count, with length = their tokens")
def unfinished_at_max_len(ex):
    # No prefix ever prefers EOS (0.02): after 3 steps the best beam is [c c c],
    # p = 0.34³, and it competes with length 3.
    tokens, score = _search(ex, TableScorer({}, DEFAULT), 3, 2, 1.0)
    expect_equal(tokens, [C, C, C], "the result when nothing finishes by max_len = 3")
    expect_close(score, np.log(0.34**3) / 3, "its score log(0.34³) / 3")


@check(points=3, hint="rank all (beam, token) pairs together, not each beam apart")
def wide_beam_is_exhaustive(ex):
    """With a beam wider than the number of sequences, nothing is pruned, so the
    answer is the best of all sequences, found here by listing them all."""
    for seed, alpha in ((0, 0.0), (1, 1.0), (2, 0.7)):
        scorer = RandomScorer(vocab_size=4, seed=seed, temperature=0.5)
        want_tokens, want_score = _best_of_all(scorer, max_len=3, alpha=alpha)
        tokens, score = _search(ex, scorer, 3, 100, alpha)
        expect_equal(tokens, want_tokens, f"the best sequence (seed {seed}, α={alpha})")
        expect_close(score, want_score, "its score")


def _best_of_all(scorer, max_len, alpha):
    """Every sequence that ends with EOS within max_len tokens, and every one of
    max_len tokens without EOS: the best by total / length**alpha."""
    best = (-np.inf, None)
    words = [w for w in range(scorer.vocab_size) if w != EOS]
    for n in range(max_len + 1):
        for body in itertools.product(words, repeat=n):
            prefix, total = [BOS], 0.0
            for w in body:
                total += scorer(prefix)[w]
                prefix.append(w)
            if n < max_len:
                score = (total + scorer(prefix)[EOS]) / (n + 1) ** alpha
            else:
                score = total / n**alpha
            best = max(best, (score, list(body)), key=lambda pair: pair[0])
    return best[1], best[0]
