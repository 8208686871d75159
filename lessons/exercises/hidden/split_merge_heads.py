"""Hidden checks for split_merge_heads (grade-all only): one head, one feature per
head, a sequence of length 1; inputs drawn at grading time, expected values
from the answer key in the grader."""

from tinygrad_tx.grading.checks import check
from tinygrad_tx.grading.expect import expect_close, expect_tensor
from tinygrad_tx.grading.expr import student, tensor
from tinygrad_tx.grading.i18n import Text


@check(
    points=1,
    hint=Text(
        "H = 1 and H = d_model are legal: D = d_model and D = 1",
        "H = 1 e H = d_model são válidos: D = d_model e D = 1",
    ),
)
def extreme_head_counts(run):
    x = run.rng.standard_normal((1, 3, 6))
    for n_heads in (1, 6):
        expr = student.split_heads(tensor(x), n_heads)
        got = expect_tensor(run.value(expr), f"split_heads(x, {n_heads})")
        expect_close(
            got,
            run.expected(expr).array,
            Text(f"{n_heads} heads", f"{n_heads} cabeças"),
        )


@check(
    points=1,
    hint=Text(
        "T = 1 must keep its axis: reshape with the sizes, not squeeze",
        "T = 1 precisa manter o eixo: faça reshape com os tamanhos, sem squeeze",
    ),
)
def single_position(run):
    x = run.rng.standard_normal((3, 1, 4))
    expr = student.merge_heads(student.split_heads(tensor(x), 2))
    got = expect_tensor(run.value(expr), "merge_heads(split_heads(x))")
    expect_close(
        got,
        x,
        Text(
            "merge_heads(split_heads(x)) for T = 1",
            "merge_heads(split_heads(x)) para T = 1",
        ),
    )
