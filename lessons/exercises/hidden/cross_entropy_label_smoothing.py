"""Hidden checks for cross_entropy_label_smoothing (grade-all only): one row,
two classes, and the smoothed loss of a perfect prediction."""

import numpy as np

from tinygrad_tx import Tensor
from tinygrad_tx import functional as F
from tinygrad_tx.grading.checks import check, expect_close, expect_gradcheck, rng


@check(points=1, hint="N = 1 and C = 2 are ordinary sizes too")
def one_row_two_classes(ex):
    logits = rng(60).standard_normal((1, 2))
    target = np.array([1])
    got = ex.cross_entropy(Tensor(logits), target, 0.1)
    want = F.cross_entropy(Tensor(logits), target, label_smoothing=0.1)
    expect_close(got, want.numpy(), "the loss of one row of two classes")
    z = Tensor(logits, requires_grad=True)
    expect_gradcheck(lambda z: ex.cross_entropy(z, target, 0.1), [z], "its gradient")


@check(points=1, hint="with smoothing, even a confident right answer has a loss")
def confident_prediction(ex):
    logits = np.array([[20.0, 0.0, 0.0]])
    got = ex.cross_entropy(Tensor(logits), np.array([0]), 0.3)
    log_p = logits - np.log(np.exp(logits).sum())
    q = np.array([[0.8, 0.1, 0.1]])
    expect_close(got, -(q * log_p).sum(), "the loss of [20, 0, 0] for class 0, ε = 0.3")
