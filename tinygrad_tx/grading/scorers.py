"""Next-token scorers for checking decoders without a trained model.

A decoder (greedy, beam search) only needs one thing from a model: given the
tokens written so far, the log-probabilities of the next one. These scorers
give them from a table written by hand (so the right output can be worked out
on paper) or from a seeded random generator (so any prefix gets a fixed,
tie-free distribution):

    step_fn(prefix) -> array (V,) of log p(next token | prefix)

`prefix` starts with the BOS id. Both scorers count their calls.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


class TableScorer:
    """Next-token probabilities from a table written by hand.

    table maps the tokens after BOS (a tuple, () for the first step) to a list
    of V probabilities; a prefix missing from the table gets `default`.
    """

    def __init__(self, table: dict[tuple, Sequence[float]], default: Sequence[float]):
        self.vocab_size = len(default)
        self.table = {k: _log_probs(v, self.vocab_size) for k, v in table.items()}
        self.default = _log_probs(default, self.vocab_size)
        self.calls = 0

    def __call__(self, prefix) -> np.ndarray:
        self.calls += 1
        key = tuple(int(t) for t in list(prefix)[1:])  # the tokens after BOS
        return self.table.get(key, self.default).copy()


class RandomScorer:
    """A fixed random distribution for every prefix: the same prefix always
    gets the same log-probabilities, and different prefixes different ones."""

    def __init__(self, vocab_size: int, seed: int = 0, temperature: float = 1.0):
        self.vocab_size, self.seed, self.temperature = vocab_size, seed, temperature
        self.calls = 0

    def __call__(self, prefix) -> np.ndarray:
        self.calls += 1
        tokens = [int(t) for t in prefix]
        rng = np.random.default_rng([self.seed, len(tokens), *tokens])
        logits = rng.standard_normal(self.vocab_size) / self.temperature
        return logits - np.log(np.exp(logits - logits.max()).sum()) - logits.max()


def _log_probs(probs: Sequence[float], vocab_size: int) -> np.ndarray:
    p = np.asarray(probs, dtype=np.float64)
    if p.shape != (vocab_size,) or (p <= 0).any() or not np.isclose(p.sum(), 1.0):
        raise ValueError(
            f"TableScorer: each row needs {vocab_size} positive probabilities that "
            f"sum to 1, got {list(probs)}"
        )
    return np.log(p)
