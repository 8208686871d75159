"""Beam search: keep the K most likely partial translations, not just one.

Lesson 15 (decoding). Greedy decoding commits to the best next token even when
it leads nowhere good: "a" at 0.5 then only weak continuations loses to "b" at
0.4 followed by a confident </s>. Beam search keeps the `beam_size` best
prefixes at every step and picks the best finished sentence at the end.

Task
----
Write `beam_search(step_fn, bos_id, eos_id, max_len, beam_size, length_penalty)`
returning (tokens, score): the best hypothesis without BOS and EOS, and its
normalised score. `step_fn(prefix)` is the model, as in greedy decoding: for a
list of ids starting with bos_id it returns a NumPy array (V,) of log p(next
token | prefix).

The algorithm (the one in transformer/decode.py and most libraries):

    beams = [([bos], 0.0)]                     (prefix, log p of the prefix)
    finished = []                              (score, tokens)
    repeat at most max_len times:
      1) every beam extended by every token w: total = log p(prefix) + log p(w | prefix)
      2) rank all candidates by total, best first; look at the first 2·beam_size:
         - w is EOS and its rank is < beam_size: finished, with
           score = total / length**length_penalty, where length is the number
           of tokens after BOS, EOS included
         - w is not EOS: it becomes a beam for the next step, while there are
           fewer than beam_size of those
      3) stop when beam_size hypotheses have finished, or no beam is left
    if the loop ran max_len times without stopping, every beam left is finished
    too, with length = its number of tokens after BOS (no EOS).
    return the finished hypothesis with the highest score

The math
--------
log p(y) = Σ_t log p(y_t | y_<t) only falls as y grows (each term is < 0), so
raw scores favour short sentences. Dividing by length**α (α = length_penalty)
corrects for it: α = 0 compares raw log-probabilities, α = 1 the mean per token.

Hints
-----
- Rank with one sort over (beam, token) pairs: stack the totals in a (K, V)
  array and `np.argsort(-totals, axis=None, kind="stable")`; `np.unravel_index`
  turns a flat position back into (beam, token).
- A finished hypothesis is never extended again: only non-EOS candidates become
  beams.
- With beam_size = 1 this is greedy decoding: a good first test.

Check your work: python cli.py exercise check beam_search
"""

import numpy as np


def beam_search(
    step_fn,
    bos_id: int,
    eos_id: int,
    max_len: int,
    beam_size: int,
    length_penalty: float = 1.0,
) -> tuple[list[int], float]:
    """The best hypothesis (tokens without BOS/EOS) and its normalised score."""
    # Follow the numbered steps in the docstring.
    ### BEGIN SOLUTION
    beams = [([bos_id], 0.0)]
    finished = []
    for _ in range(max_len):
        totals = np.stack([score + step_fn(prefix) for prefix, score in beams])
        order = np.argsort(-totals, axis=None, kind="stable")[: 2 * beam_size]
        kept = []
        for rank, flat in enumerate(order):
            row, word = np.unravel_index(flat, totals.shape)
            prefix, total = beams[row][0], float(totals[row, word])
            if word == eos_id and rank < beam_size:
                length = len(prefix)  # the tokens after BOS, plus EOS
                finished.append((total / length**length_penalty, prefix[1:]))
            elif word != eos_id and len(kept) < beam_size:
                kept.append(([*prefix, int(word)], total))
        beams = kept
        if len(finished) >= beam_size or not beams:
            break
    else:
        for prefix, total in beams:
            finished.append((total / (len(prefix) - 1) ** length_penalty, prefix[1:]))
    score, tokens = max(finished, key=lambda pair: pair[0])
    return tokens, score
    ### END SOLUTION
