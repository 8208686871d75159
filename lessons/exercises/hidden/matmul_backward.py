"""Hidden checks for matmul_backward (grade-all only): odd sizes, a broadcast
first operand, and a product used twice."""

from tinygrad_tx import Tensor
from tinygrad_tx.grading.checks import check, expect_gradcheck, rng


@check(points=1, hint="the first operand can be the broadcast one too")
def broadcast_first_operand(ex):
    a = Tensor(rng(30).standard_normal((5, 3)), requires_grad=True)
    b = Tensor(rng(31).standard_normal((2, 2, 3, 1)), requires_grad=True)
    expect_gradcheck(ex.matmul, [a, b], "matmul (5, 3) @ (2, 2, 3, 1)")


@check(points=1, hint="a matrix used on both sides gets both gradients (they add)")
def gram_matrix(ex):
    x = Tensor(rng(32).standard_normal((4, 3)), requires_grad=True)
    expect_gradcheck(lambda t: ex.matmul(t, t.T), [x], "x @ xᵀ")
