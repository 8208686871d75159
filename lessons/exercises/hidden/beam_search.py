"""Hidden checks for beam_search (grade-all only): the same beams, tokens and
score as the answer key on random scorers drawn at grading time.
(tests/test_exercises.py checks that the answer key agrees with
transformer.decode.beam_search.)"""

from tinygrad_tx.grading.checks import check
from tinygrad_tx.grading.expect import (
    beams,
    expect_close,
    expect_equal,
    expect_steps,
    expect_tuple,
)
from tinygrad_tx.grading.expr import random_scorer, student
from tinygrad_tx.grading.i18n import Text

BOS, EOS = 1, 2


@check(
    points=3,
    hint=Text(
        "follow the numbered steps of the docstring exactly",
        "siga exatamente os passos numerados da docstring",
    ),
)
def agrees_with_answer_key(run):
    for _ in range(8):
        vocab, seed = int(run.rng.integers(3, 7)), int(run.rng.integers(2**31))
        max_len, beam = int(run.rng.integers(1, 7)), int(run.rng.integers(2, 4))
        alpha = float(run.rng.choice([0.0, 0.6, 1.0]))
        scorer = random_scorer(vocab, seed, 0.5)
        expr = student.beam_search(scorer, BOS, EOS, max_len, beam, alpha)
        got, want = run.call(expr), run.expected_call(expr)
        expect_steps(beams(got.scorers[0]), beams(want.scorers[0]))
        tokens, score = expect_tuple(
            got.value,
            2,
            Text("beam_search's (tokens, score)", "o (tokens, score) de beam_search"),
        )
        what = Text(
            f"beam_search (seed {seed}, beam {beam}, α = {alpha})",
            f"beam_search (semente {seed}, feixe {beam}, α = {alpha})",
        )
        expect_equal(tokens, want.value[0], what)
        expect_close(
            score, want.value[1], Text(f"the score of {what}", f"o score de {what}")
        )
