"""Hidden checks for layer_norm_backward (grade-all only): a large offset with a
small spread, and layer norm inside a residual block; inputs drawn at grading
time, expected values from the answer key in the grader."""

from tinygrad_tx.grading.checks import check
from tinygrad_tx.grading.expect import expect_grads
from tinygrad_tx.grading.expr import student, tensor
from tinygrad_tx.grading.i18n import Text
from tinygrad_tx.grading.probe import differentiate


def _against_key(run, x, expr_of, what):
    d = x.shape[-1]
    w = tensor(run.rng.uniform(0.5, 1.5, d), grad=True)
    b = tensor(run.rng.standard_normal(d), grad=True)
    xt = tensor(x, grad=True)
    expr = expr_of(xt, w, b)
    g = run.rng.standard_normal(x.shape)
    _, grads = differentiate(run, expr, g, [xt, w, b], what)
    _, want = run.expected_grads(expr, g, [xt, w, b])
    expect_grads(grads, want, ["x", "weight", "bias"], rtol=1e-4, atol=1e-6)


@check(
    points=1,
    hint=Text(
        "the gradient must not depend on where the row is centred",
        "o gradiente não pode depender de onde a linha está centrada",
    ),
)
def offset_and_spread(run):
    x = run.rng.standard_normal((2, 7)) * 0.1 + 100.0
    _against_key(
        run,
        x,
        student.layer_norm,
        Text("layer_norm at x ≈ 100 ± 0.1", "layer_norm em x ≈ 100 ± 0.1"),
    )


@check(
    points=1,
    hint=Text(
        "x feeds both the residual and the norm: the gradients add",
        "x alimenta tanto a conexão residual quanto a norma: os gradientes se somam",
    ),
)
def add_and_norm(run):
    x = run.rng.standard_normal((3, 4))
    _against_key(
        run, x, lambda x, w, b: student.layer_norm(x + x.tanh(), w, b), "LN(x + tanh x)"
    )
