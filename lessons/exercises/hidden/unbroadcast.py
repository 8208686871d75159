"""Hidden checks for unbroadcast (grade-all only): size-1 axes that were not
stretched, and a chain of broadcasts; inputs drawn at grading time, expected
values from the answer key in the grader."""

from tinygrad_tx.grading.checks import check
from tinygrad_tx.grading.expect import expect_array, expect_close, expect_grads
from tinygrad_tx.grading.expr import student, tensor
from tinygrad_tx.grading.i18n import Text
from tinygrad_tx.grading.probe import differentiate


@check(
    points=1,
    hint=Text(
        "an axis of size 1 in both shapes stays as it is",
        "um eixo de tamanho 1 nas duas formas fica como está",
    ),
)
def size_one_both(run):
    grad = run.rng.standard_normal((2, 1, 3))
    expr = student.unbroadcast(grad, (1, 1, 3))
    what = Text(
        "unbroadcast of (2, 1, 3) to (1, 1, 3)",
        "unbroadcast de (2, 1, 3) para (1, 1, 3)",
    )
    got = expect_array(run.value(expr), what)
    expect_close(got, run.expected(expr), what)


@check(
    points=1,
    hint=Text(
        "each add reduces its own gradient: the sums chain",
        "cada add reduz o próprio gradiente: as somas se encadeiam",
    ),
)
def chained_adds(run):
    a = tensor(run.rng.standard_normal((3, 1)), grad=True)
    b = tensor(run.rng.standard_normal((4,)), grad=True)
    c = tensor(run.rng.standard_normal((2, 1, 1)), grad=True)
    expr = student.add(student.add(a, b) * a, c)
    g = run.rng.standard_normal((2, 3, 4))
    _, grads = differentiate(run, expr, g, [a, b, c], "(a + b) a + c")
    _, want = run.expected_grads(expr, g, [a, b, c])
    expect_grads(grads, want, ["a (3, 1)", "b (4,)", "c (2, 1, 1)"])
