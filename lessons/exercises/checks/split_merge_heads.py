"""Checks for split_merge_heads: each head against a slice of the features, the
round trip, the error for bad sizes, gradients, and multi-head attention
rebuilt around your two functions.

Expected values come from slicing in plain NumPy: head h holds the features
h·D .. (h+1)·D - 1 of every position. Multi-head attention is computed here
in NumPy too (projections, attention, output projection), with your split and
merge in between.
"""

import numpy as np

from tinygrad_tx.grading.checks import check, fail, hint
from tinygrad_tx.grading.expect import (
    Mistake,
    expect_close,
    expect_grads,
    expect_tensor,
    numerical_grads,
)
from tinygrad_tx.grading.expr import student, tensor
from tinygrad_tx.grading.i18n import Text
from tinygrad_tx.grading.probe import differentiate
from tinygrad_tx.grading.wire import TensorValue


def split(x, n_heads):
    d = x.shape[-1] // n_heads
    return np.stack([x[:, :, h * d : (h + 1) * d] for h in range(n_heads)], axis=1)


def merge(heads):
    return np.concatenate(list(heads.swapaxes(0, 1)), axis=-1)


STRAIGHT_RESHAPE = hint(
    "straight_reshape",
    en="reshaping (B, T, d_model) straight to (B, H, T, D) cuts the sequence into "
    "heads, not the features: reshape to (B, T, H, D) first, then transpose(0, 2, 1, 3)",
    pt="dar reshape de (B, T, d_model) direto para (B, H, T, D) corta a sequência em "
    "cabeças, e não as features: faça reshape para (B, T, H, D) primeiro, depois "
    "transpose(0, 2, 1, 3)",
)
MERGE_NO_TRANSPOSE = hint(
    "merge_without_transpose",
    en="reshaping (B, H, T, D) straight to (B, T, H·D) mixes positions of different "
    "heads: transpose back to (B, T, H, D) first, then reshape",
    pt="dar reshape de (B, H, T, D) direto para (B, T, H·D) mistura posições de "
    "cabeças diferentes: volte para (B, T, H, D) com transpose primeiro, depois "
    "faça o reshape",
)


def _split(run, x, n_heads, what):
    return expect_tensor(run.value(student.split_heads(tensor(x), n_heads)), what)


def _merge(run, heads, what):
    return expect_tensor(run.value(student.merge_heads(tensor(heads))), what)


@check(
    points=3,
    hint=Text(
        "head h is x[:, :, h·D:(h+1)·D]: reshape to (B, T, H, D), then move H before T",
        "a cabeça h é x[:, :, h·D:(h+1)·D]: reshape para (B, T, H, D), depois "
        "mova H para antes de T",
    ),
)
def heads_are_feature_slices(run):
    x = run.rng.standard_normal((2, 5, 12))
    got = _split(run, x, 3, "split_heads(x, 3)")
    wrong = [Mistake(STRAIGHT_RESHAPE, value=x.reshape(2, 3, 5, 4))]
    expect_close(
        got,
        split(x, 3),
        Text(
            "split_heads(x, 3) of a (2, 5, 12) x",
            "split_heads(x, 3) de um x (2, 5, 12)",
        ),
        mistakes=wrong,
    )


@check(
    points=2,
    hint=Text(
        "undo the steps in reverse: transpose back, then reshape",
        "desfaça os passos na ordem inversa: transpose de volta, depois reshape",
    ),
)
def merge_inverts_split(run):
    x = run.rng.standard_normal((2, 5, 12))
    heads = split(x, 4)
    got = _merge(run, heads, "merge_heads")
    wrong = [Mistake(MERGE_NO_TRANSPOSE, value=heads.reshape(2, 5, 12))]
    expect_close(
        got,
        x,
        Text(
            "merge_heads of 4 heads of size 3", "merge_heads de 4 cabeças de tamanho 3"
        ),
        mistakes=wrong,
    )


@check(
    points=1,
    hint=Text(
        "raise ValueError naming d_model and n_heads, before reshaping",
        "lance ValueError dizendo d_model e n_heads, antes do reshape",
    ),
)
def indivisible_d_model(run):
    error = run.raises(student.split_heads(tensor(np.zeros((1, 2, 10))), 3))
    if error is None:
        fail(
            Text(
                "split_heads of d_model = 10 into 3 heads should raise ValueError",
                "split_heads de d_model = 10 em 3 cabeças deveria lançar ValueError",
            )
        )
    if error["type"] != "ValueError":
        fail(
            Text(
                f"split_heads raised {error['type']}, expected ValueError",
                f"split_heads lançou {error['type']}, o esperado era ValueError",
            )
        )
    if "reshape" in error["message"]:
        fail(
            Text(
                f"split_heads raised NumPy's reshape error, not its own: {error['message']}",
                f"split_heads lançou o erro do reshape do NumPy, não o seu: {error['message']}",
            )
        )
    if "10" not in error["message"] or "3" not in error["message"]:
        fail(
            Text(
                f"the ValueError should name d_model = 10 and n_heads = 3: {error['message']}",
                f"o ValueError deveria dizer d_model = 10 e n_heads = 3: {error['message']}",
            )
        )


GRADIENTS_FLOW = hint(
    "gradients_flow",
    en="use Tensor reshape/transpose, not .numpy(), so gradients flow back to x",
    pt="use reshape/transpose de Tensor, não .numpy(), para o gradiente voltar até x",
)


def _no_graph(value) -> bool:
    """A result (or gradient) that shows the graph was cut: no gradient at all."""
    return value is None or (isinstance(value, TensorValue) and not value.requires_grad)


@check(
    points=2,
    hint=hint(
        "split_merge_gradient",
        en="the gradient of merge(split(x) * s) is split, scaled by s, and merged back",
        pt="o gradiente de merge(split(x) * s) é dividido, multiplicado por s e "
        "juntado de volta",
    ),
)
def gradients_flow(run):
    x = run.rng.standard_normal((2, 3, 6))
    scale = run.rng.standard_normal((1, 2, 1, 3))
    g = run.rng.standard_normal((2, 3, 6))
    xt = tensor(x, grad=True)
    expr = student.merge_heads(student.split_heads(xt, 2) * tensor(scale))
    cut = [Mistake(GRADIENTS_FLOW, when=_no_graph)]
    _, grads = differentiate(run, expr, g, [xt], "merge(split(x) * s)", cut)
    want = numerical_grads(lambda a: merge(split(a, 2) * scale), [x], g)
    expect_grads(grads, want, ["x"], mistakes=cut)


@check(
    points=2,
    hint=Text(
        "project, split, attend on every head at once, merge, then w_o",
        "projete, divida, faça a atenção em todas as cabeças de uma vez, junte, "
        "depois w_o",
    ),
)
def rebuilds_multi_head_attention(run):
    """Multi-head attention with d_model 8 and 2 heads; the grader does the
    projections and the attention, your code splits and merges."""
    x = run.rng.standard_normal((2, 5, 8))
    w_q, w_k, w_v, w_o = (run.rng.standard_normal((8, 8)) / 3 for _ in range(4))
    q, k, v = (_split(run, x @ w, 2, "split_heads") for w in (w_q, w_k, w_v))
    got = _merge(run, _attend(q, k, v), "merge_heads") @ w_o
    want = merge(_attend(split(x @ w_q, 2), split(x @ w_k, 2), split(x @ w_v, 2))) @ w_o
    expect_close(
        got,
        want,
        Text(
            "multi-head attention with your split and merge",
            "a atenção multi-cabeça com o seu split e o seu merge",
        ),
    )


def _attend(q, k, v):
    s = q @ k.swapaxes(-1, -2) / np.sqrt(q.shape[-1])
    w = np.exp(s - s.max(-1, keepdims=True))
    return (w / w.sum(-1, keepdims=True)) @ v
