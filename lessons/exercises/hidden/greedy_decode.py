"""Hidden checks for greedy_decode (grade-all only): the same steps and output as
the answer key on random scorers drawn at grading time. (tests/test_exercises.py
checks that the answer key agrees with transformer.decode.greedy_decode.)"""

from tinygrad_tx.grading.checks import check
from tinygrad_tx.grading.expect import expect_equal, expect_steps, expect_type
from tinygrad_tx.grading.expr import random_scorer, student
from tinygrad_tx.grading.i18n import Text

BOS, EOS = 1, 2


@check(
    points=2,
    hint=Text(
        "argmax at each step, stop at EOS or after max_len tokens",
        "argmax a cada passo, parando no EOS ou depois de max_len tokens",
    ),
)
def agrees_with_answer_key(run):
    for _ in range(12):
        vocab, seed = int(run.rng.integers(3, 8)), int(run.rng.integers(2**31))
        max_len = int(run.rng.integers(1, 8))
        expr = student.greedy_decode(random_scorer(vocab, seed, 0.5), BOS, EOS, max_len)
        got, want = run.call(expr), run.expected_call(expr)
        expect_steps(got.scorers[0], want.scorers[0])
        tokens = expect_type(got.value, list, "greedy_decode's result")
        expect_equal(
            tokens,
            want.value,
            Text(
                f"greedy_decode (seed {seed}, max_len {max_len})",
                f"greedy_decode (semente {seed}, max_len {max_len})",
            ),
        )
