"""Hidden checks for layer_norm_backward (grade-all only): a large offset, a
small spread, and layer norm inside a residual block."""

from tinygrad_tx import Tensor
from tinygrad_tx.grading.checks import check, expect_gradcheck, rng


@check(points=1, hint="the gradient must not depend on where the row is centred")
def offset_and_spread(ex):
    x = Tensor(rng(50).standard_normal((2, 7)) * 0.1 + 100.0, requires_grad=True)
    w = Tensor(rng(51).uniform(0.5, 1.5, 7), requires_grad=True)
    b = Tensor(rng(52).standard_normal(7), requires_grad=True)
    expect_gradcheck(ex.layer_norm, [x, w, b], "layer_norm at x ≈ 100 ± 0.1")


@check(points=1, hint="x feeds both the residual and the norm: gradients add")
def add_and_norm(ex):
    x = Tensor(rng(53).standard_normal((3, 4)), requires_grad=True)
    w = Tensor(rng(54).uniform(0.5, 1.5, 4), requires_grad=True)
    b = Tensor(rng(55).standard_normal(4), requires_grad=True)
    expect_gradcheck(
        lambda x, w, b: ex.layer_norm(x + x.tanh(), w, b), [x, w, b], "LN(x + tanh x)"
    )
