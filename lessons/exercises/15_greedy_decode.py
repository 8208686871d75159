"""Greedy decoding: write the translation one most-likely token at a time.

Lesson 15 (decoding). A trained decoder gives, for the tokens written so far,
a distribution over the next token. Greedy decoding starts from <s> (BOS),
appends the most likely token, and repeats until the model writes </s> (EOS)
or the output reaches a maximum length.

Task
----
Write `greedy_decode(step_fn, bos_id, eos_id, max_len)`. `step_fn(prefix)` is
the model: for a list of token ids starting with bos_id, it returns a NumPy
array of shape (V,) with log p(next token | prefix). Return the list of
generated ids, without the BOS and without the EOS.

    prefix = [bos]
    repeat at most max_len times:
        w = argmax step_fn(prefix)
        if w is eos: stop
        prefix.append(w)
    return prefix[1:]

The checks use scorers written by hand (`tinygrad_tx.grading.scorers`), so you
can test your function without a trained model, e.g.

    from tinygrad_tx.grading.scorers import RandomScorer
    greedy_decode(RandomScorer(vocab_size=6, seed=0), bos_id=1, eos_id=2, max_len=5)

Hints
-----
- `int(np.argmax(log_p))` turns NumPy's index into a plain Python int.
- Pass step_fn the whole prefix, BOS included: the model conditions on it.
- max_len counts generated tokens: with max_len = 3 the model is asked at most
  3 times, and the result has at most 3 ids.

Check your work: python cli.py exercise check greedy_decode
"""

import numpy as np


def greedy_decode(step_fn, bos_id: int, eos_id: int, max_len: int) -> list[int]:
    """The argmax token at each step, until EOS or max_len tokens."""
    # Follow the pseudo-code in the docstring.
    ### BEGIN SOLUTION
    prefix = [bos_id]
    for _ in range(max_len):
        word = int(np.argmax(step_fn(prefix)))
        if word == eos_id:
            break
        prefix.append(word)
    return prefix[1:]
    ### END SOLUTION
