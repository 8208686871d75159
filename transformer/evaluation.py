"""Scoring a model on a split: loss, token accuracy, exact match and BLEU.

Two kinds of measurement, both on held-out sentences:

  teacher forcing  the model reads the correct target prefix and predicts each
                   next word, as in training: the loss and the token accuracy;
  free decoding    the model writes the whole translation itself (greedy), as
                   a user would see it: exact match and BLEU.

Teacher-forced numbers are always at least as good: one wrong word in free
decoding can derail everything after it.
"""

from __future__ import annotations

from collections.abc import Sequence

from tinygrad_tx import Tensor, no_grad
from tinygrad_tx import functional as F
from tinygrad_tx.backend import to_numpy

from . import metrics
from .data import PAD_ID, Batcher, encode_pairs
from .decode import greedy_decode
from .masks import make_masks

EXTRA_WORDS = 10  # a translation may be this many words longer than its source


def max_output_length(model, src_length: int) -> int:
    """The longest translation to try for a source of `src_length` words: a few
    words more than the source, and never past the model's positional table."""
    return max(1, min(src_length + EXTRA_WORDS, model.config.max_len - 1))


def teacher_forced_loss(model, batch, label_smoothing: float, reduction="mean"):
    """The training loss of one batch: cross-entropy of the logits (B, T, V)
    against tgt_out (B, T), padding ignored. Returns (loss, logits)."""
    device = model.device
    src, tgt_in = Tensor(batch.src, device=device), Tensor(batch.tgt_in, device=device)
    src_mask, tgt_mask = make_masks(src, tgt_in, PAD_ID)
    logits = model(src, tgt_in, src_mask, tgt_mask)  # (B, T, V)
    target = Tensor(batch.tgt_out, device=device)
    loss = F.cross_entropy(
        logits,
        target,
        ignore_index=PAD_ID,
        label_smoothing=label_smoothing,
        reduction=reduction,
    )
    return loss, logits


def evaluate(
    model,
    pairs: Sequence[tuple[str, str]],
    src_vocab,
    tgt_vocab,
    label_smoothing: float = 0.0,
    batch_size: int = 200,
) -> tuple[dict, list[str]]:
    """({"loss", "token_accuracy", "exact_match", "bleu"}, translations) of the
    (source, target) pairs, in their order. The model is put in eval mode (no
    dropout) and back in training mode afterwards if it was training."""
    was_training = model.training
    model.eval()
    examples = encode_pairs(pairs, src_vocab, tgt_vocab)
    total_loss, correct, counted = 0.0, 0, 0
    outputs: list[list[int]] = [[] for _ in pairs]
    with no_grad():
        for batch in Batcher(examples, batch_size, shuffle=False):
            loss, logits = teacher_forced_loss(model, batch, label_smoothing, "sum")
            total_loss += loss.item()
            predicted = logits.data.argmax(axis=-1)  # (B, T)
            right, n = metrics.count_correct_tokens(
                to_numpy(predicted), batch.tgt_out, PAD_ID
            )
            correct, counted = correct + right, counted + n
            max_len = max_output_length(model, batch.src.shape[1])
            for i, out in zip(batch.index, greedy_decode(model, batch.src, max_len)):
                outputs[i] = out
    model.train(was_training)
    translations = [tgt_vocab.decode(out) for out in outputs]
    references = [target for _, target in pairs]
    scores = {
        "loss": total_loss / max(counted, 1),
        "token_accuracy": correct / max(counted, 1),
        "exact_match": metrics.exact_match(translations, references),
        "bleu": metrics.bleu(translations, references),
    }
    return scores, translations
