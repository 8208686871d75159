"""Padding and causal masks: their values, shapes, combination, and bad input."""

import numpy as np
import pytest

from tinygrad_tx import Tensor
from tinygrad_tx import composed as C
from tinygrad_tx import functional as F
from transformer.masks import (
    causal_mask,
    combine_masks,
    decoder_mask,
    make_masks,
    padding_mask,
)

PAD = 0
IDS = np.array([[5, 6, 7, 0, 0], [3, 4, 0, 0, 0]])  # two sentences, padded to 5


def test_padding_mask_is_false_at_pad_tokens_with_broadcast_axes(device):
    mask = padding_mask(Tensor(IDS, device=device), PAD)
    assert mask.shape == (2, 1, 1, 5) and mask.dtype == bool
    expected = [[True, True, True, False, False], [True, True, False, False, False]]
    np.testing.assert_array_equal(mask.numpy()[:, 0, 0], expected)


def test_causal_mask_lets_position_t_see_0_to_t(device):
    mask = causal_mask(4, device)
    assert mask.shape == (1, 1, 4, 4) and mask.dtype == bool
    expected = [
        [True, False, False, False],
        [True, True, False, False],
        [True, True, True, False],
        [True, True, True, True],
    ]
    np.testing.assert_array_equal(mask.numpy()[0, 0], expected)


def test_decoder_mask_is_causal_and_hides_target_padding():
    mask = decoder_mask(Tensor(IDS), PAD).numpy()
    assert mask.shape == (2, 1, 5, 5)
    causal = np.tril(np.ones((5, 5), bool))
    not_pad = IDS != PAD
    for b in range(2):
        np.testing.assert_array_equal(mask[b, 0], causal & not_pad[b][None, :])
    assert mask[1, 0, 4].tolist() == [True, True, False, False, False]


def test_make_masks_returns_source_and_target_masks():
    src = Tensor(IDS)
    tgt = Tensor(np.array([[1, 9, 9, 0], [1, 9, 0, 0]]))
    src_mask, tgt_mask = make_masks(src, tgt, PAD)
    assert src_mask.shape == (2, 1, 1, 5)
    assert tgt_mask.shape == (2, 1, 4, 4)
    np.testing.assert_array_equal(tgt_mask.numpy(), decoder_mask(tgt, PAD).numpy())


def test_combine_masks_is_logical_and_with_broadcasting():
    a = Tensor(np.array([[True, False, True]]))  # (1, 3)
    b = Tensor(np.array([[True], [False]]))  # (2, 1)
    np.testing.assert_array_equal(
        combine_masks(a, b).numpy(), [[True, False, True], [False, False, False]]
    )
    with pytest.raises(
        ValueError, match=r"shapes \(1, 3\) and \(4,\) do not broadcast"
    ):
        combine_masks(a, Tensor(np.ones(4, bool)))


def test_masks_reject_bad_ids():
    with pytest.raises(
        ValueError, match=r"integer token ids of shape \(B, L\).*float32"
    ):
        padding_mask(Tensor(np.zeros((2, 3), np.float32)), PAD)
    with pytest.raises(ValueError, match=r"got shape \(5,\)"):
        decoder_mask(Tensor(np.arange(5)), PAD)
    with pytest.raises(TypeError, match="wrap them with Tensor"):
        padding_mask([[1, 2]], PAD)
    with pytest.raises(ValueError, match="length must be at least 1"):
        causal_mask(0)


@pytest.mark.parametrize(
    "attend", [F.attention, C.attention], ids=["fused", "composed"]
)
def test_attention_checks_the_mask_the_same_way_fused_or_composed(attend):
    q, k = Tensor(np.ones((2, 4, 3, 8))), Tensor(np.ones((2, 4, 5, 8)))
    _, weights = attend(q, q, q, causal_mask(3))
    assert weights.shape == (2, 4, 3, 3)
    with pytest.raises(
        ValueError, match=r"attention: a mask of shape \(1, 1, 3, 3\).*\(2, 4, 3, 5\)"
    ):
        attend(q, k, k, causal_mask(3))
    with pytest.raises(
        TypeError, match=r"attention: the mask must be boolean.*float64"
    ):
        attend(q, q, q, np.ones((3, 3)))
