"""Hidden checks for unbroadcast (grade-all only): size-1 axes that were not
stretched, and a long chain of broadcasts."""

from tinygrad_tx import Tensor
from tinygrad_tx.function import unbroadcast as engine_unbroadcast
from tinygrad_tx.grading.checks import check, expect_close, expect_gradcheck, rng


@check(points=1, hint="an axis of size 1 in both shapes stays as it is")
def size_one_both(ex):
    grad = rng(40).standard_normal((2, 1, 3))
    expect_close(
        ex.unbroadcast(grad, (1, 1, 3)),
        engine_unbroadcast(grad, (1, 1, 3)),
        "unbroadcast of (2, 1, 3) to (1, 1, 3)",
    )


@check(points=1, hint="each add reduces its own gradient: the sums chain")
def chained_adds(ex):
    a = Tensor(rng(41).standard_normal((3, 1)), requires_grad=True)
    b = Tensor(rng(42).standard_normal((4,)), requires_grad=True)
    c = Tensor(rng(43).standard_normal((2, 1, 1)), requires_grad=True)
    expect_gradcheck(
        lambda a, b, c: ex.add(ex.add(a, b) * a, c), [a, b, c], "(a + b) a + c"
    )
