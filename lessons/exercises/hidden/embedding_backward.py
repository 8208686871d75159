"""Hidden checks for embedding_backward (grade-all only): one id everywhere, and
float32 kept; inputs drawn at grading time, expected values from the answer key
in the grader."""

import numpy as np

from tinygrad_tx.grading.checks import check, hint
from tinygrad_tx.grading.expect import Mistake, expect_dtype, expect_grads
from tinygrad_tx.grading.expr import student, tensor
from tinygrad_tx.grading.i18n import Text
from tinygrad_tx.grading.messages import GRADIENT_OF
from tinygrad_tx.grading.probe import by_hand, differentiate


def _against_key(run, ids, weight, g, what):
    wt = tensor(weight, grad=True)
    expr = student.embedding(ids, wt)
    _, grads = differentiate(run, expr, g, [wt], what)
    _, want = run.expected_grads(expr, g, [wt])
    return grads, want


@check(
    points=1,
    hint=Text(
        "every position with the same id: that row gets the sum of all of them",
        "todas as posições com o mesmo id: essa linha recebe a soma de todas elas",
    ),
)
def one_id_everywhere(run):
    ids = np.full((3, 4), int(run.rng.integers(0, 4)))
    weight = run.rng.standard_normal((4, 5))
    g = run.rng.standard_normal((3, 4, 5))
    grads, want = _against_key(
        run, ids, weight, g, Text("embedding, one id", "embedding, um só id")
    )
    expect_grads(grads, want, ["weight"])


FLOAT32_TABLE = hint(
    "float32_table",
    en="the gradient keeps the table's dtype (float32 here): make the zeros with "
    "dtype=grad_out.dtype",
    pt="o gradiente mantém o dtype da tabela (aqui, float32): crie os zeros com "
    "dtype=grad_out.dtype",
)


@check(
    points=1,
    hint=hint(
        "float32_table_values",
        en="in float32 too, dL/dW[i] is the sum of the grad_out rows whose id is i",
        pt="em float32 também, dL/dW[i] é a soma das linhas de grad_out cujo id é i",
    ),
)
def float32_table(run):
    ids = run.rng.integers(0, 3, 4)
    weight = run.rng.standard_normal((3, 2)).astype(np.float32)
    g = run.rng.standard_normal((4, 2)).astype(np.float32)
    _, (got,) = by_hand(run, "Embedding", [weight], g, ids=ids)
    dtype = [Mistake(FLOAT32_TABLE, when=lambda _: True)]  # the dtype alone
    expect_dtype(got, np.float32, GRADIENT_OF.format(name="weight"), mistakes=dtype)
    _, want = _against_key(run, ids, weight, g, "embedding, float32")
    expect_grads([got], want, ["weight"], rtol=1e-6)
