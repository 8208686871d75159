# %% [markdown]
# # Lesson 15: Decoding
#
# _A trained model gives probabilities; a translation needs words. We decode
# "the cat sleeps on the mat" step by step (logits, softmax, argmax), compare
# greedy decoding with beam search, and look at the cross-attention while the
# model puts the adjective after the noun._
#
# **Goals**
#
# - Run the encoder once and the decoder once per output word, feeding back
#   the words chosen so far.
# - Read each step as the slides do: logits, softmax, the index with the
#   highest probability (argmax), the word at that index.
# - Beam search: keep the $K$ most likely partial translations instead of one.
# - Read the trained model's cross-attention: which English word each
#   Portuguese word was written from, across the adjective-noun swap.

# %%
import json

import numpy as np

from lessons.utils import (
    FAST,
    lesson_translator_run,
    load_translator,
    output_dir,
    save_results,
    show_image,
    train_lesson_translator,
)
from tinygrad_tx import Tensor, no_grad
from transformer import causal_mask, padding_mask
from transformer.data import BOS_ID, EOS_ID, PAD_ID
from transformer.decode import beam_search, cross_attention, greedy_decode
from transformer.plots import plot_attention
from transformer.report import load_splits
from transformer.train import TrainConfig

OUT = output_dir(15)

# %% [markdown]
# ## The trained model
#
# The translator of lesson 14: its own run in `out/lessons/14/run/`, or a
# finished `python cli.py train-toy-translation` run in `runs/toy-translation/`.
# If neither exists, this lesson trains lesson 14's model first.

# %%
run = lesson_translator_run(FAST)
if run is None:
    run = train_lesson_translator(FAST)
model, src_vocab, tgt_vocab, metrics = load_translator(run)
c = model.config
print(f"model from {run}: d_model {c.d_model}, {c.n_layers} layers, {c.n_heads} heads; "
      f"test exact match {metrics['test']['exact_match']:.1%}")  # fmt: skip

# %% [markdown]
# ## Step by step
#
# 1. The encoder reads the source once: `memory` holds one vector per
#    English word.
# 2. The decoder starts from `<s>`. At each step it reads the words written
#    so far, and its output at the **last** position goes through the linear
#    layer to one logit per word of the vocabulary.
# 3. Softmax turns the logits into probabilities; argmax picks the index with
#    the highest one; the vocabulary says which word sits at that index.
# 4. The word is appended to the decoder's input, and we go back to 2 until
#    the model writes `</s>`.

# %%
sentence = "the cat sleeps on the mat"
src = Tensor(np.array([src_vocab.encode(sentence)]))
src_mask = padding_mask(src, PAD_ID)
written = [BOS_ID]
steps = []
with no_grad():
    memory = model.encode(src, src_mask)  # 1) once: (1, 6, d_model)
    while written[-1] != EOS_ID and len(written) < 20:
        tgt = Tensor(np.array([written]))
        logits = model.decode(memory, src_mask, tgt, causal_mask(len(written)))  # 2)
        last = logits[0, -1]  # (V,): the logits of the next word
        probs = last.softmax(axis=-1).numpy()  # 3)
        choice = int(probs.argmax())
        top = np.argsort(-probs)[:3]
        steps.append({"read": tgt_vocab.itos[written[-1]], "word": tgt_vocab.itos[choice],
                      "p": float(probs[choice]), "logit": float(last.numpy()[choice])})  # fmt: skip
        print(f"step {len(written)}: read up to {tgt_vocab.itos[written[-1]]!r:<9} "
              f"top 3: " + ", ".join(f"{tgt_vocab.itos[i]} {probs[i]:.3f}" for i in top)
              + f"  -> argmax index {choice} = {tgt_vocab.itos[choice]!r}")  # fmt: skip
        written.append(choice)  # 4)
by_hand = tgt_vocab.decode(written)
print(f"{sentence!r} -> {by_hand!r}: encoder ran once, decoder {len(steps)} times")

# %% [markdown]
# The chosen word's probability stays below 1 at every step: label smoothing
# (lesson 14) trained the model to keep some probability for other words.
#
# ### Check: the library's greedy decoder writes the same

# %%
library = tgt_vocab.decode(greedy_decode(model, src.numpy(), max_len=20)[0])
assert library == by_hand, (library, by_hand)
assert by_hand == "o gato dorme no tapete", by_hand
assert max(step["p"] for step in steps) < 0.995
print(f"largest probability of a chosen word: {max(step['p'] for step in steps):.3f}")

# %% [markdown]
# ## Greedy decoding and beam search
#
# Greedy decoding commits to the most likely word at every step. A choice that
# looks best now can lead to a worse sentence overall, and greedy cannot go
# back. Beam search keeps the $K$ best partial translations (the *beam*),
# extends each by every word, keeps the $K$ best of those, and stops when $K$
# of them have ended with `</s>`. Sentences are compared by their log
# probability $\sum_t \log p(y_t \mid y_{<t}, x)$ divided by their length
# (without that division, shorter sentences always win: every word multiplies
# in a probability below 1).
#
# We compare both on held-out test sentences of the run.

# %%
saved = json.loads((run / "config.json").read_text(encoding="utf-8"))
splits = load_splits(TrainConfig(**saved["train"]), echo=lambda line: None)
test_pairs = splits.test[: 60 if FAST else 150]


def log_prob(src_ids: list[int], out_ids: list[int]) -> float:
    """log p(out + </s> | src) under the model, by teacher forcing."""
    src_t = Tensor(np.array([src_ids]))
    tgt_in = Tensor(np.array([[BOS_ID, *out_ids]]))
    target = np.array([*out_ids, EOS_ID])
    with no_grad():
        logits = model(
            src_t, tgt_in, padding_mask(src_t, PAD_ID), causal_mask(len(target))
        )
        log_p = logits.log_softmax(axis=-1).numpy()[0]
    return float(log_p[np.arange(len(target)), target].sum())


rows = []
for english, reference in test_pairs:
    ids = src_vocab.encode(english)
    greedy = greedy_decode(model, [ids], max_len=len(ids) + 10)[0]
    beam = beam_search(model, [ids], beam=4, max_len=len(ids) + 10)[0]
    rows.append({
        "source": english, "reference": reference,
        "greedy": tgt_vocab.decode(greedy), "beam": tgt_vocab.decode(beam),
        "greedy_log_p": log_prob(ids, greedy), "beam_log_p": log_prob(ids, beam),
    })  # fmt: skip
greedy_exact = np.mean([r["greedy"] == r["reference"] for r in rows])
beam_exact = np.mean([r["beam"] == r["reference"] for r in rows])
differ = [r for r in rows if r["greedy"] != r["beam"]]
print(f"{len(rows)} test sentences: exact match greedy {greedy_exact:.1%}, "
      f"beam (K = 4) {beam_exact:.1%}; the two differ on {len(differ)}")  # fmt: skip
for r in differ[:3]:
    print(f"  {r['source']!r}\n    greedy {r['greedy']!r} (log p {r['greedy_log_p']:.2f})"
          f"\n    beam   {r['beam']!r} (log p {r['beam_log_p']:.2f})"
          f"\n    reference {r['reference']!r}")  # fmt: skip

# %% [markdown]
# ### Check
#
# Beam search looks further than greedy, so it can only find sentences at
# least as probable *per word* as greedy's, up to the rare case where greedy's
# path falls out of the beam. On a well-trained model the two usually agree:
# when the model is confident at every step, the most likely word at each
# step already makes the most likely sentence. The numbers above say how
# often they differ here; beam search matters more for larger, less certain
# models and real language. And when they do differ, beam's sentence is the
# more probable one *for the model*, which does not make it right: a search
# finds what the model prefers, and the model can prefer a mistake.

# %%
beam_not_worse = np.mean(
    [
        r["beam_log_p"] / (len(r["beam"].split()) + 1)
        >= r["greedy_log_p"] / (len(r["greedy"].split()) + 1) - 1e-6
        for r in rows
    ]
)
print(f"beam's log p per word >= greedy's on {beam_not_worse:.0%} of the sentences")
assert beam_not_worse >= 0.95
assert beam_exact >= greedy_exact - 0.05

# %% [markdown]
# ## Cross-attention: where each word was written from
#
# English puts the adjective before the noun ("the brown lion"), Portuguese
# after it ("o leão marrom"). The cross-attention of the last decoder layer
# shows, for each output word (row), how much weight each source word
# (column) got while that word was being written. `plot_attention` draws the
# mean of the heads and each head.

# %%
showcase = "the brown lion hears the small cows"
alignment = {"leão": "lion", "marrom": "brown", "vacas": "cows", "pequenas": "small"}
ids = src_vocab.encode(showcase)
out = greedy_decode(model, [ids], max_len=len(ids) + 10)[0]
weights = cross_attention(model, ids, out)  # (H, len(out) + 1, S)
src_words = showcase.split()
out_words = [*tgt_vocab.decode_tokens(out), "</s>"]
held_out = any(english == showcase for english, _ in splits.test)
print(f"{showcase!r} -> {' '.join(out_words[:-1])!r}"
      + (" (a held-out test sentence)" if held_out else ""))  # fmt: skip
mean = weights.mean(axis=0)  # (T, S)
looked_at = {}
for word, english in alignment.items():
    row = mean[out_words.index(word)]
    looked_at[word] = src_words[int(row.argmax())]
    print(f"  writing {word!r:<11} the most weight went to {looked_at[word]!r:<8} "
          f"({row.max():.2f}); its English word {english!r} got "
          f"{row[src_words.index(english)]:.2f}")  # fmt: skip
figure_path = OUT / "cross_attention.png"
plot_attention(weights, src_words, out_words, figure_path,
               title=f"Cross-attention (last decoder layer): {showcase!r} -> "
                     f"{' '.join(out_words[:-1])!r}")  # fmt: skip
show_image(figure_path)

# %% [markdown]
# Look also at the rows of the articles, "o" and "as": a Portuguese article
# agrees with its noun in gender and number ("o leão", "as vacas"), so the
# noun, not the English "the", decides it. Does some head look at the noun
# while the article is written?

# %%
for article, noun in (("o", "lion"), ("as", "cows")):
    on_noun = weights[:, out_words.index(article), src_words.index(noun)]  # per head
    print(f"  writing {article!r}: the head that looks most at {noun!r} is head "
          f"{int(on_noun.argmax()) + 1}, with weight {on_noun.max():.2f}")  # fmt: skip

# %% [markdown]
# ### Check: the order swaps, the attention follows
#
# Each noun and adjective of the translation was written mainly from its own
# English word, although the two come in the opposite order: the attention
# pattern crosses.

# %%
assert " ".join(out_words[:-1]) == "o leão marrom ouve as vacas pequenas", out_words
assert looked_at == alignment, looked_at

# %%
save_results(
    OUT,
    {
        "run": str(run),
        "steps": steps,
        "greedy_by_hand": by_hand,
        "greedy_library": library,
        "test_sentences": len(rows),
        "greedy_exact_match": greedy_exact,
        "beam_exact_match": beam_exact,
        "differ": len(differ),
        "beam_not_worse_share": beam_not_worse,
        "showcase": {"source": showcase, "output": " ".join(out_words[:-1])},
        "looked_at": looked_at,
    },
)

# %% [markdown]
# ## What we built
#
# - Greedy decoding by hand: the encoder once, the decoder once per word,
#   logits -> softmax -> argmax -> word, fed back; it matches
#   `transformer.decode.greedy_decode`.
# - Beam search against greedy on held-out sentences, with the log
#   probabilities that decide between them.
# - The trained model's cross-attention: "marrom" is written while looking at
#   "brown", "leão" while looking at "lion", across the swap of order.
#
# **Exercises**
#
# 1. Graded: `greedy_decode` and `beam_search`:
#    `python cli.py exercise check greedy_decode`, then `beam_search`.
# 2. Beam search without length normalisation (`alpha=0`): on which sentences
#    does it now prefer a shorter, wrong translation?
# 3. Decode with sampling instead of argmax (draw the next word from the
#    softmax). How often is the translation still right?
