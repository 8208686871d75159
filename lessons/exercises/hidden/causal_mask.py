"""Hidden checks for causal_mask (grade-all only): another pad id, no padding at
all, and a batch of one."""

import numpy as np

from tinygrad_tx import Tensor
from tinygrad_tx.grading.checks import check, expect_equal
from transformer import masks


@check(points=1, hint="use the pad_id argument, not a fixed 0")
def other_pad_id(ex):
    tgt = Tensor(np.array([[4, 0, 9, 9], [1, 2, 3, 9]]))
    want = masks.decoder_mask(tgt, 9).numpy()
    expect_equal(ex.decoder_mask(tgt, 9).numpy(), want, "decoder_mask with pad_id 9")


@check(points=1, hint="no padding: the decoder mask is the causal mask for every row")
def no_padding(ex):
    tgt = Tensor(np.array([[3, 4, 5]]))
    want = masks.decoder_mask(tgt, 0).numpy()
    expect_equal(ex.decoder_mask(tgt, 0).numpy(), want, "decoder_mask of [[3, 4, 5]]")
