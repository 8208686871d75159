"""Hidden checks for beam_search (grade-all only): the same output as the
course's own transformer.decode.beam_search on many random scorers."""

import numpy as np

from tinygrad_tx.grading.checks import check, expect_equal
from tinygrad_tx.grading.scorers import RandomScorer, ScorerModel
from transformer.decode import beam_search as reference

BOS, EOS = 1, 2


@check(points=3, hint="same tokens as transformer.decode.beam_search")
def agrees_with_transformer_decode(ex):
    for seed in range(12):
        scorer = RandomScorer(vocab_size=3 + seed % 4, seed=seed, temperature=0.5)
        max_len = 1 + seed % 6
        for beam in (2, 3):
            for alpha in (0.0, 1.0):
                model = ScorerModel(scorer)
                src = np.array([[3, 4]])
                want = reference(model, src, beam, max_len, alpha=alpha)[0]
                got, _ = ex.beam_search(scorer, BOS, EOS, max_len, beam, alpha)
                what = f"beam_search (seed {seed}, beam {beam}, α = {alpha})"
                expect_equal(got, want, what)
