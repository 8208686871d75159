"""Batches: padded arrays checked value by value, bucketing, seeds and resuming."""

import numpy as np
import pytest

from transformer.data.batching import Batcher, encode_pairs, make_batch, pad
from transformer.data.vocab import Vocab, build_vocabs


def test_pad_by_hand():
    out = pad([[5, 6, 7], [8]])
    np.testing.assert_array_equal(out, [[5, 6, 7], [8, 0, 0]])
    assert out.dtype == np.int64
    with pytest.raises(ValueError, match="pad: no sequences"):
        pad([])


def test_one_batch_by_hand():
    src = Vocab(["i", "love", "books", "cats"])  # ids 4 5 6 7
    tgt = Vocab(["eu", "amo", "livros", "gatos"])  # ids 4 5 6 7
    pairs = [("i love books", "eu amo livros"), ("cats", "gatos")]
    examples = encode_pairs(pairs, src, tgt)
    assert examples == [([4, 5, 6], [4, 5, 6]), ([7], [7])]
    batch = make_batch(examples, [1, 0])
    np.testing.assert_array_equal(batch.src, [[7, 0, 0], [4, 5, 6]])
    # decoder input: <s> + target; decoder target: target + </s>; then padding
    np.testing.assert_array_equal(batch.tgt_in, [[1, 7, 0, 0], [1, 4, 5, 6]])
    np.testing.assert_array_equal(batch.tgt_out, [[7, 2, 0, 0], [4, 5, 6, 2]])
    np.testing.assert_array_equal(batch.index, [1, 0])
    assert (batch.n_src_tokens, batch.n_tgt_tokens, len(batch)) == (4, 6, 2)
    assert {a.dtype for a in (batch.src, batch.tgt_in, batch.tgt_out, batch.index)} == {
        np.dtype(np.int64)
    }


def test_tgt_in_is_tgt_out_shifted_right():
    batch = next(iter(Batcher(_examples(50), batch_size=16, seed=0)))
    assert np.all(batch.tgt_in[:, 0] == 1)  # every row starts with <s>
    words = (batch.tgt_out != 0) & (batch.tgt_out != 2)  # not padding, not </s>
    # the word tgt_out has at t, tgt_in has at t + 1
    np.testing.assert_array_equal(
        batch.tgt_in[:, 1:][words[:, :-1]], batch.tgt_out[:, :-1][words[:, :-1]]
    )
    assert np.all((batch.tgt_out == 2).sum(axis=1) == 1)  # one </s> a row
    assert batch.n_tgt_tokens == int((batch.tgt_out != 0).sum())


def test_empty_side_is_refused():
    src, tgt = build_vocabs([("a", "b")])
    with pytest.raises(ValueError, match="pair 1 has an empty target"):
        encode_pairs([("a", "b"), ("a", "")], src, tgt)


def _examples(n, seed=0):
    """n examples of random lengths 1..12 (source) and 1..14 (target)."""
    rng = np.random.default_rng(seed)
    return [
        (
            list(rng.integers(4, 40, rng.integers(1, 13))),
            list(rng.integers(4, 40, rng.integers(1, 15))),
        )
        for _ in range(n)
    ]


def test_an_epoch_visits_every_example_once():
    batcher = Batcher(_examples(103), batch_size=10, seed=1)
    assert len(batcher) == 11
    for epoch in (0, 1):
        batches = batcher.epoch(epoch)
        assert sorted(np.concatenate([b.index for b in batches]).tolist()) == list(
            range(103)
        )
        assert sorted(len(b) for b in batches) == [3] + [10] * 10


def test_rows_hold_their_own_example():
    examples = _examples(40)
    for batch in Batcher(examples, batch_size=8, seed=2).epoch(3):
        for row, i in enumerate(batch.index):
            src, tgt = examples[i]
            assert batch.src[row, : len(src)].tolist() == src
            assert not batch.src[row, len(src) :].any()
            assert batch.tgt_out[row, : len(tgt) + 1].tolist() == [*tgt, 2]


def test_bucketing_keeps_padding_small():
    examples = _examples(2000)
    batches = Batcher(examples, batch_size=32, seed=0).epoch(0)
    bucketed = sum(b.src.size - b.n_src_tokens for b in batches)
    shuffled = np.random.default_rng(0).permutation(len(examples))
    unsorted = sum(
        (lambda b: b.src.size - b.n_src_tokens)(
            make_batch(examples, shuffled[i : i + 32])
        )
        for i in range(0, len(examples), 32)
    )
    assert bucketed < unsorted / 10  # sorted by length: almost no padding
    assert all(np.ptp((b.src != 0).sum(axis=1)) <= 1 for b in batches)


def test_same_seed_same_batches_and_epochs_differ():
    examples = _examples(200)
    a, b = Batcher(examples, 16, seed=7), Batcher(examples, 16, seed=7)
    for x, y in zip(a.epoch(0), b.epoch(0)):
        np.testing.assert_array_equal(x.index, y.index)
    first = [x.index.tolist() for x in a.epoch(0)]
    assert first != [x.index.tolist() for x in a.epoch(1)]
    assert first != [x.index.tolist() for x in Batcher(examples, 16, seed=8).epoch(0)]


def test_stream_resumes_exactly_at_any_step():
    batcher = Batcher(_examples(70), batch_size=16, seed=3)  # 5 batches an epoch
    stream = batcher.stream()
    straight = [next(stream).index.tolist() for _ in range(17)]
    for start in (0, 4, 5, 12):
        resumed = batcher.stream(start)
        assert [next(resumed).index.tolist() for _ in range(17 - start)] == straight[
            start:
        ]


def test_without_shuffle_batches_are_sorted_and_fixed():
    batcher = Batcher(_examples(50), batch_size=8, shuffle=False)
    lengths = [int((b.src != 0).sum(axis=1).max()) for b in batcher]
    assert lengths == sorted(lengths)
    assert [b.index.tolist() for b in batcher.epoch(0)] == [
        b.index.tolist() for b in batcher.epoch(5)
    ]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"examples": [], "batch_size": 4}, "no examples"),
        ({"batch_size": 0}, "batch_size must be a positive integer, got 0"),
        ({"batch_size": 4, "seed": -1}, "seed must be an integer >= 0, got -1"),
    ],
)
def test_bad_batcher_arguments(kwargs, message):
    kwargs.setdefault("examples", _examples(5))
    with pytest.raises(ValueError, match=message):
        Batcher(**kwargs)


def test_bad_resume_step():
    with pytest.raises(ValueError, match="start must be an integer >= 0"):
        next(Batcher(_examples(5), 2).stream(-1))
