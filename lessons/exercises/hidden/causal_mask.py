"""Hidden checks for causal_mask (grade-all only): another pad id and a batch of
random lengths; inputs drawn at grading time, expected values from the answer
key in the grader."""

import numpy as np

from tinygrad_tx.grading.checks import check
from tinygrad_tx.grading.expect import expect_dtype, expect_equal, expect_tensor
from tinygrad_tx.grading.expr import student, tensor
from tinygrad_tx.grading.i18n import Text


def _against_key(run, tgt, pad_id, what):
    expr = student.decoder_mask(tensor(tgt), pad_id)
    got = expect_tensor(run.value(expr), "decoder_mask")
    expect_dtype(got, "b", "decoder_mask")
    expect_equal(got, run.expected(expr).array, what)


@check(
    points=1,
    hint=Text(
        "use the pad_id argument, not a fixed 0",
        "use o argumento pad_id, e não um 0 fixo",
    ),
)
def other_pad_id(run):
    pad = int(run.rng.integers(5, 20))
    tgt = run.rng.integers(0, 5, (2, 4))
    tgt[0, 2:] = pad
    _against_key(
        run,
        tgt,
        pad,
        Text(f"decoder_mask with pad_id {pad}", f"decoder_mask com pad_id {pad}"),
    )


@check(
    points=1,
    hint=Text(
        "each row has its own padding; a row without padding is purely causal",
        "cada linha tem o próprio padding; uma linha sem padding é só causal",
    ),
)
def random_lengths(run):
    lengths = run.rng.integers(1, 7, 3)
    tgt = run.rng.integers(1, 9, (3, 6))
    tgt[np.arange(6) >= lengths[:, None]] = 0
    _against_key(
        run,
        tgt,
        0,
        Text(
            f"decoder_mask, lengths {lengths.tolist()}",
            f"decoder_mask, comprimentos {lengths.tolist()}",
        ),
    )
