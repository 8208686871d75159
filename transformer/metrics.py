"""How good is a translation? BLEU, exact match and token accuracy.

- BLEU (Papineni et al., 2002), computed by sacrebleu, the reference
  implementation that papers report: 0 (nothing in common) to 100 (identical).
- Exact match: the fraction of sentences translated word for word right.
- Token accuracy: with the correct previous words given (teacher forcing), the
  fraction of target positions where the model's most likely word is right.
"""

from __future__ import annotations

import numpy as np


def bleu(hypotheses: list[str], references: list[str]) -> float:
    """Corpus BLEU in [0, 100] of space-separated hypotheses against one
    reference each:

        BLEU = BP · exp(Σₙ ¼ log pₙ),   BP = min(1, exp(1 - r / c))

    pₙ is the n-gram precision (n = 1..4, matches clipped by the reference
    counts) pooled over the whole corpus, c the total hypothesis length and r the
    total reference length (the brevity penalty BP punishes short output).

    The text is already split into words, so sacrebleu's own tokenizer is off
    (tokenize="none"), and told so (force=True: it would warn about the
    punctuation tokens, "livros ."). With effective_order, n-gram orders that
    no sentence is long enough to have are left out, so a corpus of perfect
    three-word translations scores 100, not 0; on longer text it changes nothing.
    """
    from sacrebleu.metrics import BLEU

    _check_pairs("bleu", hypotheses, references)
    scorer = BLEU(tokenize="none", effective_order=True, force=True)
    return float(scorer.corpus_score(list(hypotheses), [list(references)]).score)


def exact_match(hypotheses: list[str], references: list[str]) -> float:
    """The fraction in [0, 1] of hypotheses whose words equal the reference's
    (spacing differences ignored)."""
    _check_pairs("exact_match", hypotheses, references)
    same = [h.split() == r.split() for h, r in zip(hypotheses, references)]
    return sum(same) / len(same)


def count_correct_tokens(predicted, target, pad_id: int) -> tuple[int, int]:
    """(correct, counted): target positions that are not padding, and how many of
    them `predicted` gets right. Both are integer id arrays of shape (B, T).
    Summing the pairs over batches gives the accuracy of a whole split."""
    predicted, target = np.asarray(predicted), np.asarray(target)
    if predicted.shape != target.shape:
        raise ValueError(
            f"token accuracy: predicted ids {predicted.shape} and target ids "
            f"{target.shape} must have the same shape (B, T)"
        )
    counted = target != pad_id
    correct = (predicted == target) & counted
    return int(correct.sum()), int(counted.sum())


def token_accuracy(predicted, target, pad_id: int) -> float:
    """correct / counted over the non-padding target positions (0 if none)."""
    correct, counted = count_correct_tokens(predicted, target, pad_id)
    return correct / counted if counted else 0.0


def _check_pairs(name: str, hypotheses, references) -> None:
    if len(hypotheses) != len(references):
        raise ValueError(
            f"{name}: {len(hypotheses)} hypotheses but {len(references)} references "
            "(one reference per hypothesis)"
        )
    if not hypotheses:
        raise ValueError(f"{name}: no sentences to score")
