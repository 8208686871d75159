"""Batches for training: sentences of similar length padded into id arrays.

A batch of B pairs becomes three int64 arrays, padded with PAD_ID = 0:

    src      (B, S)  the source ids                        i love books
    tgt_in   (B, T)  <s> + target: what the decoder reads  <s> eu amo livros
    tgt_out  (B, T)  target + </s>: what it must predict   eu amo livros </s>

tgt_in is tgt_out shifted one step to the right (teacher forcing): at position
t the decoder has read the target up to word t-1 and is scored on word t.

Bucketing: sentences are sorted by length and cut into batches, so a batch
holds sentences of nearly the same length and little padding is computed; the
batches are then visited in random order. Ties in length are broken at random
anew each epoch, so batches differ from epoch to epoch. Everything random
comes from (seed, epoch): the batch at a given step is always the same, which
is what lets a training run resume exactly where it stopped.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from .vocab import BOS_ID, EOS_ID, PAD_ID, Vocab

Example = tuple[list[int], list[int]]  # (source ids, target ids), no <s> or </s>


@dataclass(frozen=True)
class Batch:
    """One batch; see the module docstring for the three id arrays."""

    src: np.ndarray  # (B, S) int64
    tgt_in: np.ndarray  # (B, T) int64: <s> y1 ... yn, then padding
    tgt_out: np.ndarray  # (B, T) int64: y1 ... yn </s>, then padding
    index: np.ndarray  # (B,) int64: where each row's pair is in the example list
    n_src_tokens: int  # source ids that are not padding
    n_tgt_tokens: int  # target ids to predict (tgt_out without padding, </s> included)

    def __len__(self) -> int:
        return len(self.index)


def encode_pairs(
    pairs: Sequence[tuple[str, str]], src_vocab: Vocab, tgt_vocab: Vocab
) -> list[Example]:
    """Source and target ids of each pair (unknown words become <unk>)."""
    examples = [(src_vocab.encode(s), tgt_vocab.encode(t)) for s, t in pairs]
    for i, (src, tgt) in enumerate(examples):
        if not src or not tgt:
            side = "source" if not src else "target"
            raise ValueError(
                f"encode_pairs: pair {i} has an empty {side}: {pairs[i]!r}"
            )
    return examples


def pad(sequences: Sequence[Sequence[int]], pad_id: int = PAD_ID) -> np.ndarray:
    """(B, L) int64: each sequence followed by `pad_id` up to the longest length L."""
    if not sequences:
        raise ValueError("pad: no sequences to pad")
    out = np.full(
        (len(sequences), max(len(s) for s in sequences)), pad_id, dtype=np.int64
    )
    for row, seq in enumerate(sequences):
        out[row, : len(seq)] = seq
    return out


def make_batch(examples: Sequence[Example], index: Sequence[int]) -> Batch:
    """The batch of examples[i] for i in index."""
    src = [examples[i][0] for i in index]
    tgt = [examples[i][1] for i in index]
    tgt_in = pad([[BOS_ID, *t] for t in tgt])  # (B, T)
    tgt_out = pad([[*t, EOS_ID] for t in tgt])  # (B, T)
    return Batch(
        src=pad(src),  # (B, S)
        tgt_in=tgt_in,
        tgt_out=tgt_out,
        index=np.asarray(index, dtype=np.int64),
        n_src_tokens=sum(len(s) for s in src),
        n_tgt_tokens=sum(len(t) + 1 for t in tgt),
    )


class Batcher:
    """Bucketed batches of `examples`, epoch after epoch.

    shuffle=True (training): each epoch a new random bucketing and order, from
    (seed, epoch). shuffle=False (evaluation): sorted by length, the same every
    epoch. The last batch of an epoch may be smaller than batch_size.
    """

    def __init__(
        self,
        examples: Sequence[Example],
        batch_size: int,
        seed: int = 0,
        shuffle: bool = True,
    ):
        if not examples:
            raise ValueError("Batcher: no examples to batch")
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(
                f"Batcher: batch_size must be a positive integer, got {batch_size!r}"
            )
        if not isinstance(seed, int) or seed < 0:
            raise ValueError(f"Batcher: seed must be an integer >= 0, got {seed!r}")
        self.examples = examples
        self.batch_size = batch_size
        self.seed = seed
        self.shuffle = shuffle
        self.src_lengths = np.array([len(s) for s, _ in examples])
        self.tgt_lengths = np.array([len(t) for _, t in examples])

    def __len__(self) -> int:
        """Batches per epoch."""
        return -(-len(self.examples) // self.batch_size)

    def __iter__(self) -> Iterator[Batch]:
        """The batches of epoch 0: one pass over the examples."""
        return iter(self.epoch(0))

    def epoch(self, epoch: int) -> list[Batch]:
        """All the batches of one epoch, in the order to visit them.

        1) sort by source length, then target length, ties at random (or by
        position without shuffle); 2) cut into batches of batch_size; 3) shuffle
        the batches."""
        n = len(self.examples)
        rng = np.random.default_rng([self.seed, epoch])
        ties = rng.random(n) if self.shuffle else np.arange(n)
        order = np.lexsort(
            (ties, self.tgt_lengths, self.src_lengths)
        )  # last key sorts first
        chunks = [order[i : i + self.batch_size] for i in range(0, n, self.batch_size)]
        if self.shuffle:
            chunks = [chunks[i] for i in rng.permutation(len(chunks))]
        return [make_batch(self.examples, chunk) for chunk in chunks]

    def stream(self, start: int = 0) -> Iterator[Batch]:
        """Batches without end, from global batch number `start` (step k of
        training sees batch k: epoch k // len(self), position k % len(self)).
        stream(k) yields what stream(0) yields after its first k batches."""
        if not isinstance(start, int) or start < 0:
            raise ValueError(
                f"Batcher.stream: start must be an integer >= 0, got {start!r}"
            )
        epoch, position = divmod(start, len(self))
        while True:
            batches = self.epoch(epoch)
            yield from batches[position:]
            epoch, position = epoch + 1, 0
