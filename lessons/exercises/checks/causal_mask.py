"""Checks for causal_mask: a hand-written triangle, the transformer package's
masks, and attention that really cannot see the future through your mask."""

import numpy as np

from tinygrad_tx import Tensor
from tinygrad_tx.grading.checks import (
    check,
    expect_close,
    expect_dtype,
    expect_equal,
    expect_tensor,
    rng,
)
from transformer import masks
from transformer.attention import scaled_dot_product_attention

TGT = np.array([[5, 6, 7, 0, 0], [8, 9, 3, 4, 6]])  # pad_id = 0


def _causal(ex, length):
    mask = expect_tensor(ex.causal_mask(length), f"causal_mask({length})")
    expect_dtype(mask, "b", f"causal_mask({length})")
    return mask.numpy()


@check(points=2, hint="True where the key s <= the query t: the lower triangle")
def four_by_four(ex):
    want = np.array(
        [
            [True, False, False, False],
            [True, True, False, False],
            [True, True, True, False],
            [True, True, True, True],
        ]
    )
    expect_equal(_causal(ex, 4), want, "causal_mask(4)")


@check(points=1, hint="the diagonal is True: a token may look at itself")
def other_lengths(ex):
    for length in (1, 7):
        want = masks.causal_mask(length).numpy()[0, 0]
        expect_equal(_causal(ex, length), want, f"causal_mask({length})")


@check(points=2, hint="with the mask, row t of the weights is 0 after column t")
def no_look_ahead(ex):
    """Changing the future keys and values must not change any earlier output."""
    q = rng(0).standard_normal((2, 6, 4))
    k = rng(1).standard_normal((2, 6, 4))
    v = rng(2).standard_normal((2, 6, 3))
    mask = Tensor(_causal(ex, 6))
    out, _ = scaled_dot_product_attention(Tensor(q), Tensor(k), Tensor(v), mask)
    k2, v2 = k.copy(), v.copy()
    k2[:, 4:] += 10.0
    v2[:, 4:] -= 10.0
    out2, _ = scaled_dot_product_attention(Tensor(q), Tensor(k2), Tensor(v2), mask)
    expect_close(
        out2.numpy()[:, :4], out.numpy()[:, :4], "outputs 0..3 after changing 4..5"
    )


@check(points=3, hint="decoder[b, 0, t, s] = causal[t, s] and tgt[b, s] != pad_id")
def decoder_with_padding(ex):
    got = expect_tensor(ex.decoder_mask(Tensor(TGT), 0), "decoder_mask")
    expect_dtype(got, "b", "decoder_mask")
    want = masks.decoder_mask(Tensor(TGT), 0).numpy()
    expect_equal(got.numpy(), want, "decoder_mask for a batch with padding")
