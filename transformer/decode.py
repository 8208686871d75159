"""Turning a trained model into translations: greedy decoding and beam search.

The model writes the target one word at a time. The encoder reads the source
once (`memory = model.encode(src, src_mask)`); then each step runs the decoder
on the words written so far and takes the distribution of the next word from
the last position:

    p(y_t | y_<t, x) = softmax(decode(memory, y_<t)[:, -1])

Greedy decoding keeps the single most likely word each step. Beam search keeps
the K most likely partial translations and returns the best finished one. There
is no key/value cache: each step recomputes the whole prefix, which is simple to
read and fast enough for sentences of a few dozen words.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tinygrad_tx import Tensor, no_grad

from .data.vocab import BOS_ID, EOS_ID, PAD_ID
from .masks import causal_mask, padding_mask


@dataclass(frozen=True)
class SpecialIds:
    """The ids of the special tokens (the vocabulary's convention)."""

    pad: int = PAD_ID
    bos: int = BOS_ID  # <s>: the decoder's first input
    eos: int = EOS_ID  # </s>: the model says "done"


def greedy_decode(
    model, src, max_len: int, ids: SpecialIds = SpecialIds()
) -> list[list[int]]:
    """Translate a batch src (B, S) of padded source ids, most likely word first.

    Each step appends argmax_w p(w | y_<t, x) to every unfinished sentence; a
    sentence stops at </s>, all stop after `max_len` words. Returns B lists of
    target ids without <s> and </s>.
    """
    src = _as_batch(src)
    device = _device_of(model)
    src_t = Tensor(src, device=device)
    src_mask = padding_mask(src_t, ids.pad)
    with no_grad():
        memory = model.encode(src_t, src_mask)  # (B, S, d_model)
        tgt = np.full((len(src), 1), ids.bos, dtype=np.int64)  # (B, 1)
        done = np.zeros(len(src), dtype=bool)
        for _ in range(max_len):
            log_p = _next_log_probs(model, memory, src_mask, tgt, device)  # (B, V)
            word = np.where(done, ids.pad, log_p.argmax(axis=-1))
            tgt = np.concatenate([tgt, word[:, None]], axis=1)  # (B, t + 1)
            done |= word == ids.eos
            if done.all():
                break
    return [_strip(row[1:], ids) for row in tgt]


def beam_search(
    model,
    src,
    beam: int,
    max_len: int,
    ids: SpecialIds = SpecialIds(),
    alpha: float = 1.0,
) -> list[list[int]]:
    """Translate each sentence of src (B, S) keeping the `beam` best prefixes.

    A prefix y scores log p(y | x) = Σ_t log p(y_t | y_<t, x). Each step extends
    every kept prefix by every word and keeps the `beam` highest scores. A
    candidate ending in </s> among those top `beam` is finished; the search
    stops when `beam` translations have finished or after `max_len` words. The
    winner maximises the length-normalised score log p(y | x) / |y|^alpha
    (|y| counts </s>): without it, shorter translations win because every word
    multiplies in a probability below 1. With beam=1 this is greedy decoding.
    """
    if beam < 1:
        raise ValueError(f"beam_search: beam must be >= 1, got {beam}")
    if max_len < 1:
        raise ValueError(f"beam_search: max_len must be >= 1, got {max_len}")
    src = _as_batch(src)
    return [
        _beam_search_one(model, row[None], beam, max_len, ids, alpha) for row in src
    ]


def _beam_search_one(model, src, beam, max_len, ids, alpha) -> list[int]:
    """Beam search for one sentence src (1, S); the beams form the batch."""
    device = _device_of(model)
    src_t = Tensor(src, device=device)
    src_mask = padding_mask(src_t, ids.pad)
    with no_grad():
        memory = model.encode(src_t, src_mask)  # (1, S, d_model)
        prefixes = np.full((1, 1), ids.bos, dtype=np.int64)  # (K, t), K <= beam
        scores = np.zeros(1)  # (K,) log p of each prefix
        finished: list[tuple[float, np.ndarray]] = []  # (normalised score, words)
        for _ in range(max_len):
            # 1) score every one-word extension of every prefix
            memory_k = _repeat_rows(memory, len(prefixes))  # (K, S, d_model)
            log_p = _next_log_probs(model, memory_k, src_mask, prefixes, device)
            total = scores[:, None] + log_p  # (K, V)
            # 2) rank them: </s> in the top `beam` finishes a translation
            kept = _rank(total, prefixes, beam, ids.eos, alpha, finished)
            if len(finished) >= beam or not kept:
                break
            # 3) the surviving prefixes, one word longer
            rows, words = (np.array(column) for column in zip(*kept))
            prefixes = np.concatenate([prefixes[rows], words[:, None]], axis=1)
            scores = total[rows, words]
        else:  # max_len reached: unfinished prefixes compete as they are
            length = prefixes.shape[1] - 1
            finished += [(s / length**alpha, p[1:]) for s, p in zip(scores, prefixes)]
    best = max(finished, key=lambda pair: pair[0])
    return [int(w) for w in best[1]]


def _rank(total, prefixes, beam, eos, alpha, finished) -> list[tuple[int, int]]:
    """The (prefix row, next word) pairs to keep, best first, at most `beam`.

    Candidates are taken in order of total log-probability (the first of equal
    ones first, as argmax does). One that ends in </s> within the top `beam`
    goes to `finished` with its score log p / |y|^alpha; the others fill the
    beam."""
    order = np.argsort(-total, axis=None, kind="stable")[: 2 * beam]
    kept = []
    for rank, (row, word) in enumerate(zip(*np.unravel_index(order, total.shape))):
        if word == eos and rank < beam:
            length = prefixes.shape[1]  # the words so far, plus </s>
            finished.append((total[row, word] / length**alpha, prefixes[row, 1:]))
        elif word != eos and len(kept) < beam:
            kept.append((row, word))
    return kept


def cross_attention(model, src, out_ids: list[int], ids: SpecialIds = SpecialIds()):
    """The last decoder layer's cross-attention while writing `out_ids` + </s>
    for one source sentence src (S,): an array (H, len(out_ids) + 1, S) whose row
    i shows where the model looked to produce the i-th output word."""
    device = _device_of(model)
    src_t = Tensor(_as_batch(src), device=device)
    src_mask = padding_mask(src_t, ids.pad)
    tgt = np.array([[ids.bos, *out_ids]], dtype=np.int64)  # (1, T)
    with no_grad():
        memory = model.encode(src_t, src_mask)
        tgt_mask = causal_mask(tgt.shape[1], device)  # (1, 1, T, T)
        model.decode(memory, src_mask, Tensor(tgt, device=device), tgt_mask)
    weights = model.decoder.layers[-1].cross_attn.attn_weights  # (1, H, T, S)
    return weights.numpy()[0]


# ------------------------------------------------------------------ helpers


def _next_log_probs(model, memory, src_mask, tgt: np.ndarray, device) -> np.ndarray:
    """log p(next word | prefix) for each row of tgt (B, t): a host array (B, V)."""
    tgt_t = Tensor(tgt, device=device)
    tgt_mask = causal_mask(tgt.shape[1], device)  # (1, 1, t, t)
    logits = model.decode(memory, src_mask, tgt_t, tgt_mask)  # (B, t, V)
    return logits[:, -1].log_softmax(axis=-1).numpy().astype(np.float64)


def _repeat_rows(memory: Tensor, k: int) -> Tensor:
    """(1, S, D) -> (k, S, D), the same encoder output for each beam."""
    if k == 1:
        return memory
    return Tensor(memory.data.repeat(k, axis=0), device=memory.device)


def _strip(row, ids: SpecialIds) -> list[int]:
    """Target ids up to (not including) the first </s>."""
    out = []
    for w in row:
        if w == ids.eos:
            break
        out.append(int(w))
    return out


def _as_batch(src) -> np.ndarray:
    src = np.asarray(src.numpy() if isinstance(src, Tensor) else src)
    if src.ndim == 1:
        src = src[None]
    if src.ndim != 2 or src.dtype.kind not in "iu":
        raise ValueError(
            f"decode: src must be integer token ids of shape (B, S) or (S,), got "
            f"{src.dtype} {src.shape}"
        )
    return src.astype(np.int64)


def _device_of(model) -> str:
    return model.device
