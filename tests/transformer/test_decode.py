"""Greedy decoding and beam search, on scripted models whose next-word
probabilities are written out by hand, and on a real (untrained) Transformer."""

import math
from types import SimpleNamespace

import numpy as np
import pytest

from tinygrad_tx import Tensor
from transformer.decode import beam_search, cross_attention, greedy_decode
from transformer.model import Transformer

PAD, BOS, EOS, A, B, C = range(6)
V = 6


def _table(rows: dict) -> np.ndarray:
    """(V, V) log-probabilities: row w is p(next word | last word w). Words a
    row does not name get a negligible probability."""
    table = np.full((V, V), 1e-9)
    for last, probs in rows.items():
        for word, p in probs.items():
            table[last, word] = p
    return np.log(table / table.sum(axis=1, keepdims=True))


class ScriptedModel:
    """p(next word) depends only on the last word written, through one table
    per sentence (chosen by the first source id), so each case is a small
    probability tree that can be worked out by hand."""

    device = "cpu"
    config = SimpleNamespace(max_len=64)

    def __init__(self, *tables):
        self.tables = np.stack(tables)  # (n_tables, V, V)

    def encode(self, src, src_mask):
        return Tensor(src.numpy()[:, :1, None].astype(np.float32))  # (B, 1, 1)

    def decode(self, memory, src_mask, tgt, tgt_mask):
        which = memory.numpy()[:, 0, 0].astype(int)  # (B,)
        ids = tgt.numpy()  # (B, t)
        return Tensor(self.tables[which[:, None], ids])  # (B, t, V)


# bos -> A (.5) -> C (.36) -> eos (1): greedy's A C has p = .18, but
# bos -> B (.4) -> eos (.9) has p = .36: beam search with 2 beams finds it.
GREEDY_TRAP = _table(
    {
        BOS: {A: 0.5, B: 0.4, C: 0.1},
        A: {C: 0.36, B: 0.34, EOS: 0.30},
        B: {EOS: 0.9, A: 0.05, C: 0.05},
        C: {EOS: 1.0},
    }
)
# "eos now" has p = .5; A B eos has p = .45 · .95 · .9 = .385: lower in total,
# higher per word (log .385 / 3 = -.32 against log .5 / 1 = -.69).
SHORT_OR_LONG = _table(
    {
        BOS: {EOS: 0.5, A: 0.45, C: 0.05},
        A: {B: 0.95, C: 0.03, EOS: 0.02},
        C: {B: 0.99, EOS: 0.01},
        B: {EOS: 0.9, A: 0.05, C: 0.05},
    }
)
NEVER_ENDS = _table({w: {A: 1.0} for w in range(V)})


def test_greedy_takes_the_most_likely_word_each_step():
    model = ScriptedModel(GREEDY_TRAP)
    assert greedy_decode(model, [[0, 7]], max_len=10) == [[A, C]]


def test_beam_search_finds_the_more_likely_translation_greedy_misses():
    model = ScriptedModel(GREEDY_TRAP)
    assert beam_search(model, [[0, 7]], beam=2, max_len=10) == [[B]]


def test_length_normalisation_decides_between_short_and_long():
    model = ScriptedModel(SHORT_OR_LONG)
    assert greedy_decode(model, [[0]], max_len=10) == [[]]
    assert beam_search(model, [[0]], beam=2, max_len=10, alpha=0.0) == [[]]
    assert beam_search(model, [[0]], beam=2, max_len=10, alpha=1.0) == [[A, B]]
    # the numbers behind it: total log-probabilities of the two finished ones
    assert math.log(0.5) > math.log(0.45 * 0.95 * 0.9)
    assert math.log(0.5) / 1 < math.log(0.45 * 0.95 * 0.9) / 3


def test_decoding_stops_at_max_len_without_end_of_sentence():
    model = ScriptedModel(NEVER_ENDS)
    assert greedy_decode(model, [[0]], max_len=4) == [[A, A, A, A]]
    assert beam_search(model, [[0]], beam=3, max_len=4) == [[A, A, A, A]]


def test_greedy_batch_equals_each_sentence_alone():
    model = ScriptedModel(GREEDY_TRAP, SHORT_OR_LONG, NEVER_ENDS)
    src = [[0, 5], [1, 5], [2, PAD]]  # one table per row, finishing at 3, 1, 5 steps
    batch = greedy_decode(model, src, max_len=5)
    alone = [greedy_decode(model, [row], max_len=5)[0] for row in src]
    assert batch == alone == [[A, C], [], [A] * 5]


@pytest.mark.parametrize("table", [GREEDY_TRAP, SHORT_OR_LONG, NEVER_ENDS])
def test_beam_of_one_is_greedy_on_scripted_models(table):
    model = ScriptedModel(table)
    assert beam_search(model, [[0]], 1, 6) == greedy_decode(model, [[0]], 6)


def _random_transformer(device="cpu"):
    model = Transformer(20, 12, d_model=16, n_heads=2, n_layers=1, d_ff=32, dropout=0.0)
    return model.to(device).eval()


def test_beam_of_one_is_greedy_on_a_transformer(device):
    model = _random_transformer(device)
    src = np.random.default_rng(0).integers(4, 20, size=(6, 5))
    greedy = [greedy_decode(model, row[None], 8)[0] for row in src]
    assert beam_search(model, src, 1, 8) == greedy
    assert any(len(out) > 0 for out in greedy)  # the comparison is not vacuous


def test_cross_attention_rows_are_distributions_over_the_source(device):
    model = _random_transformer(device)
    src = [5, 6, 7, 8]
    weights = cross_attention(model, src, [4, 9])  # 2 words, then </s>
    assert weights.shape == (2, 3, 4)  # (H, output words + 1, source words)
    np.testing.assert_allclose(weights.sum(axis=-1), np.ones((2, 3)), rtol=1e-5)


@pytest.mark.parametrize(
    ("src", "message"),
    [
        (np.zeros((2, 2, 2), dtype=int), r"shape \(B, S\) or \(S,\)"),
        (np.zeros((1, 3)), "integer token ids"),
    ],
    ids=["3-d", "float"],
)
def test_decoders_reject_bad_source_ids(src, message):
    model = ScriptedModel(GREEDY_TRAP)
    with pytest.raises(ValueError, match=message):
        greedy_decode(model, src, 3)


def test_beam_search_rejects_bad_widths_and_lengths():
    model = ScriptedModel(GREEDY_TRAP)
    with pytest.raises(ValueError, match="beam must be >= 1, got 0"):
        beam_search(model, [[0]], beam=0, max_len=3)
    with pytest.raises(ValueError, match="max_len must be >= 1, got 0"):
        beam_search(model, [[0]], beam=2, max_len=0)
