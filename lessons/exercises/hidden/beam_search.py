"""Hidden checks for beam_search (grade-all only): the same tokens and score as
the answer key on many random scorers. (tests/test_exercises.py checks that the
answer key agrees with transformer.decode.beam_search.)"""

from tinygrad_tx.grading import find
from tinygrad_tx.grading.checks import check, expect_close, expect_equal
from tinygrad_tx.grading.exercises import load_module
from tinygrad_tx.grading.scorers import RandomScorer

BOS, EOS = 1, 2


@check(points=3, hint="follow the numbered steps of the docstring exactly")
def agrees_with_answer_key(ex):
    key = load_module(find("beam_search").file, prefix="answer_key")
    for seed in range(12):
        scorer = RandomScorer(vocab_size=3 + seed % 4, seed=seed, temperature=0.5)
        max_len = 1 + seed % 6
        for beam in (2, 3):
            for alpha in (0.0, 1.0):
                want, want_score = key.beam_search(
                    scorer, BOS, EOS, max_len, beam, alpha
                )
                got, score = ex.beam_search(scorer, BOS, EOS, max_len, beam, alpha)
                what = f"beam_search (seed {seed}, beam {beam}, α = {alpha})"
                expect_equal(got, want, what)
                expect_close(score, want_score, f"the score of {what}")
