"""Hidden checks for matmul_backward (grade-all only): a broadcast first operand
and a product used twice; inputs drawn at grading time, expected values from
the answer key in the grader."""

from tinygrad_tx.grading.checks import check
from tinygrad_tx.grading.expect import expect_grads
from tinygrad_tx.grading.expr import student, tensor
from tinygrad_tx.grading.i18n import Text
from tinygrad_tx.grading.probe import differentiate


def _against_key(run, expr, tensors, upstream_shape, what, names):
    g = run.rng.standard_normal(upstream_shape)
    _, grads = differentiate(run, expr, g, tensors, what)
    _, want = run.expected_grads(expr, g, tensors)
    expect_grads(grads, want, names)


@check(
    points=1,
    hint=Text(
        "the first operand can be the broadcast one too",
        "o primeiro operando também pode ser o expandido (broadcast)",
    ),
)
def broadcast_first_operand(run):
    a = tensor(run.rng.standard_normal((5, 3)), grad=True)
    b = tensor(run.rng.standard_normal((2, 2, 3, 1)), grad=True)
    expr = student.matmul(a, b)
    _against_key(
        run,
        expr,
        [a, b],
        (2, 2, 5, 1),
        "matmul (5, 3) @ (2, 2, 3, 1)",
        ["a (5, 3)", "b (2, 2, 3, 1)"],
    )


@check(
    points=1,
    hint=Text(
        "a matrix used on both sides gets both gradients (they add)",
        "uma matriz usada dos dois lados recebe os dois gradientes (eles se somam)",
    ),
)
def gram_matrix(run):
    x = tensor(run.rng.standard_normal((4, 3)), grad=True)
    _against_key(run, student.matmul(x, x.T), [x], (4, 4), "x @ xᵀ", ["x"])
