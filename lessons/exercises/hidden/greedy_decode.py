"""Hidden checks for greedy_decode (grade-all only): the same output as the
answer key on many random scorers. (tests/test_exercises.py checks that the
answer key agrees with transformer.decode.greedy_decode.)"""

from tinygrad_tx.grading import find
from tinygrad_tx.grading.checks import check, expect_equal
from tinygrad_tx.grading.exercises import load_module
from tinygrad_tx.grading.scorers import RandomScorer

BOS, EOS = 1, 2


@check(points=2, hint="argmax at each step, stop at EOS or after max_len tokens")
def agrees_with_answer_key(ex):
    key = load_module(find("greedy_decode").file, prefix="answer_key")
    for seed in range(20):
        scorer = RandomScorer(vocab_size=3 + seed % 4, seed=seed, temperature=0.5)
        max_len = 1 + seed % 7
        want = key.greedy_decode(scorer, BOS, EOS, max_len)
        got = ex.greedy_decode(scorer, BOS, EOS, max_len)
        expect_equal(got, want, f"greedy_decode (seed {seed}, max_len {max_len})")
