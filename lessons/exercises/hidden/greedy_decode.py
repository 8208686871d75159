"""Hidden checks for greedy_decode (grade-all only): the same output as the
course's own transformer.decode.greedy_decode on many random scorers."""

import numpy as np

from tinygrad_tx.grading.checks import check, expect_equal
from tinygrad_tx.grading.scorers import RandomScorer, ScorerModel
from transformer.decode import greedy_decode as reference

BOS, EOS = 1, 2


@check(points=2, hint="same tokens as transformer.decode.greedy_decode")
def agrees_with_transformer_decode(ex):
    for seed in range(20):
        scorer = RandomScorer(vocab_size=3 + seed % 4, seed=seed, temperature=0.5)
        max_len = 1 + seed % 7
        want = reference(ScorerModel(scorer), np.array([[3, 4]]), max_len)[0]
        got = ex.greedy_decode(scorer, BOS, EOS, max_len)
        expect_equal(got, want, f"greedy_decode (seed {seed}, max_len {max_len})")
