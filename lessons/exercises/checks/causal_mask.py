"""Checks for causal_mask: a hand-written triangle, other lengths, attention that
really cannot see the future through your mask, and the decoder's mask with
padding.

Expected masks come from the definitions, causal[t, s] = (s <= t) and
decoder[b, 0, t, s] = causal[t, s] and tgt[b, s] != pad_id, in plain NumPy (never
the transformer package's masks).
"""

import numpy as np

from tinygrad_tx.grading.checks import check, hint
from tinygrad_tx.grading.expect import (
    Mistake,
    expect_close,
    expect_dtype,
    expect_equal,
    expect_tensor,
)
from tinygrad_tx.grading.expr import student, tensor
from tinygrad_tx.grading.i18n import Text

TGT = np.array([[5, 6, 7, 0, 0], [8, 9, 3, 4, 6]])  # pad_id = 0


def causal(length):
    position = np.arange(length)
    return position[None, :] <= position[:, None]  # [t, s] = s <= t


def decoder(tgt, pad_id):
    return causal(tgt.shape[1]) & (tgt != pad_id)[:, None, None, :]


FUTURE = hint(
    "looks_at_future",
    en="that is the upper triangle: query t would see the keys after it. A token "
    "may look at s <= t only, the lower triangle (np.tril)",
    pt="esse é o triângulo de cima: a query t veria as keys depois dela. Um token "
    "só pode olhar para s <= t, o triângulo de baixo (np.tril)",
)
NO_DIAGONAL = hint(
    "shifted_down",
    en="the diagonal is False: the mask is shifted by one, so token t cannot see "
    "itself (and the first row has no key at all). Keep s <= t, diagonal included",
    pt="a diagonal está False: a máscara está deslocada de um, então o token t não "
    "vê a si mesmo (e a primeira linha fica sem nenhuma key). Mantenha s <= t, com "
    "a diagonal",
)
ONE_AHEAD = hint(
    "shifted_up",
    en="the mask is shifted by one: query t also sees key t + 1, the very token "
    "it must predict. Keep s <= t",
    pt="a máscara está deslocada de um: a query t também vê a key t + 1, justamente "
    "o token que ela precisa prever. Mantenha s <= t",
)
PAD_ON_QUERIES = hint(
    "padding_on_queries",
    en="padding was masked along the queries (rows): it must hide the padded "
    "keys, the last axis, so reshape (tgt != pad_id) to (B, 1, 1, T)",
    pt="o padding foi mascarado ao longo das queries (linhas): ele precisa esconder "
    "as keys de padding, o último eixo; então dê reshape em (tgt != pad_id) para "
    "(B, 1, 1, T)",
)
NO_PADDING = hint(
    "padding_ignored",
    en="the padded keys are still visible: AND the causal mask with "
    "(tgt != pad_id) along the key axis",
    pt="as keys de padding continuam visíveis: faça o AND da máscara causal com "
    "(tgt != pad_id) ao longo do eixo das keys",
)


def _mask_mistakes(length):
    lower = causal(length)
    return [
        Mistake(FUTURE, value=lower.T),
        Mistake(NO_DIAGONAL, value=np.tril(np.ones((length, length), bool), k=-1)),
        Mistake(ONE_AHEAD, value=np.tril(np.ones((length, length), bool), k=1)),
    ]


def mask_of(run, length):
    what = f"causal_mask({length})"
    mask = expect_tensor(run.value(student.causal_mask(length)), what)
    expect_dtype(mask, "b", what)
    return mask


@check(
    points=2,
    hint=Text(
        "True where the key s <= the query t: the lower triangle, diagonal included",
        "True onde a key s <= a query t: o triângulo de baixo, com a diagonal",
    ),
)
def four_by_four(run):
    want = np.array(
        [
            [True, False, False, False],
            [True, True, False, False],
            [True, True, True, False],
            [True, True, True, True],
        ]
    )
    expect_equal(mask_of(run, 4), want, "causal_mask(4)", mistakes=_mask_mistakes(4))


@check(
    points=1,
    hint=Text(
        "the size comes from the argument T: (1, 1) and (7, 7) work too",
        "o tamanho vem do argumento T: (1, 1) e (7, 7) também funcionam",
    ),
)
def other_lengths(run):
    for length in (1, 7):
        got = mask_of(run, length)
        expect_equal(
            got,
            causal(length),
            f"causal_mask({length})",
            mistakes=_mask_mistakes(length),
        )


@check(
    points=2,
    hint=Text(
        "with your mask, changing the future keys and values must not change any "
        "earlier output",
        "com a sua máscara, mudar as keys e values do futuro não pode mudar nenhuma "
        "saída anterior",
    ),
)
def no_look_ahead(run):
    """Attention (computed here, in NumPy) through the student's mask: outputs
    0..3 must not move when keys and values 4..5 change."""
    mask = mask_of(run, 6)
    q, k, v = (run.rng.standard_normal((2, 6, 4)) for _ in range(3))
    k2, v2 = k.copy(), v.copy()
    k2[:, 4:] += 10.0
    v2[:, 4:] -= 10.0
    before, after = _attend(q, k, v, mask), _attend(q, k2, v2, mask)
    expect_close(
        after[:, :4],
        before[:, :4],
        Text("outputs 0..3 after changing 4..5", "as saídas 0..3 depois de mudar 4..5"),
        mistakes=[Mistake(FUTURE, when=lambda _: mask[0, 1])],
    )


def _attend(q, k, v, mask):
    s = np.where(mask, q @ k.swapaxes(-1, -2) / 2.0, -1e9)
    w = np.exp(s - s.max(-1, keepdims=True))
    return (w / w.sum(-1, keepdims=True)) @ v


@check(
    points=3,
    hint=Text(
        "decoder[b, 0, t, s] = causal[t, s] and tgt[b, s] != pad_id",
        "decoder[b, 0, t, s] = causal[t, s] e tgt[b, s] != pad_id",
    ),
)
def decoder_with_padding(run):
    got = expect_tensor(run.value(student.decoder_mask(tensor(TGT), 0)), "decoder_mask")
    expect_dtype(got, "b", "decoder_mask")
    real = TGT != 0
    wrong = [
        Mistake(PAD_ON_QUERIES, value=causal(5) & real[:, None, :, None]),
        Mistake(NO_PADDING, value=np.broadcast_to(causal(5), (2, 1, 5, 5))),
    ]
    expect_equal(
        got,
        decoder(TGT, 0),
        Text(
            "decoder_mask for a batch with padding",
            "decoder_mask de um batch com padding",
        ),
        mistakes=wrong,
    )
