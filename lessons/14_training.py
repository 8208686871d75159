# %% [markdown]
# # Lesson 14: Training the translator
#
# _Teacher forcing: the decoder reads the correct translation shifted one step
# right and is scored on every next word at once. We follow the loss word by
# word on "I love books" -> "eu amo livros", add label smoothing, and train
# the toy English -> Portuguese translator._
#
# **Goals**
#
# - Build the decoder's input and target from a sentence pair: the right shift.
# - Compute the loss at each position, $-\log p(\text{correct word})$, and
#   their mean, as in the slides' walkthrough (loss at $t=1$, at $t=2$, ...).
# - Check that one parallel pass gives the same losses as feeding each prefix
#   alone: the causal mask makes teacher forcing honest.
# - Label smoothing: the target it really trains towards, and the floor it
#   puts under the loss.
# - Train the toy translator (or reuse a finished `train-toy-translation` run)
#   and watch the loss fall.

# %%
import numpy as np

import tinygrad_tx
from lessons.utils import (
    FAST,
    figure,
    finished_run,
    lesson_translator_run,
    load_translator,
    output_dir,
    save_figure,
    save_results,
    train_lesson_translator,
    translator_settings,
)
from tinygrad_tx import Tensor, no_grad, optim
from tinygrad_tx import functional as F
from transformer import Transformer, TransformerConfig, make_masks
from transformer.data import (
    PAD_ID,
    build_vocabs,
    encode_pairs,
    make_batch,
    make_toy_splits,
)

OUT = output_dir(14)
train_fields, model_options = translator_settings(FAST)

# %% [markdown]
# ## The right shift
#
# The pair from the slides: "I love books" -> "eu amo livros". The encoder
# reads the English ids. The decoder gets the Portuguese sentence twice:
#
# - as **input**, `<s>` followed by the sentence: what it has "written so far"
#   at each position;
# - as **target**, the sentence followed by `</s>`: the word it must produce
#   at each position.
#
# The input is the target shifted one step to the right. At position $t$ the
# decoder has read the correct words $y_1 \dots y_{t-1}$ (not its own guesses)
# and is scored on $y_t$: this is *teacher forcing*.

# %%
splits = make_toy_splits(
    seed=0,
    n_train=train_fields["train_pairs"],
    n_valid=train_fields["valid_pairs"],
    n_test=train_fields["test_pairs"],
)
src_vocab, tgt_vocab = build_vocabs(splits.train)
pair = ("i love books", "eu amo livros")
batch = make_batch(encode_pairs([pair], src_vocab, tgt_vocab), [0])
src_words = [src_vocab.itos[i] for i in batch.src[0]]
in_words = [tgt_vocab.itos[i] for i in batch.tgt_in[0]]
out_words = [tgt_vocab.itos[i] for i in batch.tgt_out[0]]
print(f"encoder input   {src_words}")
print(f"decoder input   {in_words}")
print(f"decoder target  {out_words}")

# %%
assert (batch.tgt_in[0, 1:] == batch.tgt_out[0, :-1]).all()  # the right shift
assert in_words[0] == "<s>" and out_words[-1] == "</s>"

# %% [markdown]
# ## The loss, word by word
#
# At each position the decoder outputs logits over the target vocabulary;
# softmax turns them into probabilities, and the loss at that position is
# $-\log p(\text{correct word})$. The sentence's loss is the mean over its
# positions (padding excluded). An untrained model spreads its probability
# over the whole vocabulary, so each loss starts near $\ln V$.

# %%
tinygrad_tx.manual_seed(0)
model_config = TransformerConfig.from_dict(
    {**model_options, "src_vocab": len(src_vocab), "tgt_vocab": len(tgt_vocab)}
)
untrained = Transformer.from_config(model_config).eval()
src, tgt_in = Tensor(batch.src), Tensor(batch.tgt_in)
src_mask, tgt_mask = make_masks(src, tgt_in, PAD_ID)


def per_token(model, src, tgt_in, tgt_out, src_mask, tgt_mask):
    """(p of the correct word, loss) at every position of one sentence."""
    with no_grad():
        logits = model(src, tgt_in, src_mask, tgt_mask)  # (1, T, V)
        p = logits.softmax(axis=-1).numpy()[0]
        losses = F.cross_entropy(logits, tgt_out, reduction="none").numpy()[0]
        mean = F.cross_entropy(logits, tgt_out).item()
    p_correct = p[np.arange(p.shape[0]), tgt_out[0]]
    return p_correct, losses, mean


p_before, loss_before, mean_before = per_token(
    untrained, src, tgt_in, batch.tgt_out, src_mask, tgt_mask
)
for t, word in enumerate(out_words, start=1):
    print(f"t={t}: read {' '.join(in_words[:t])!r:<24} target {word!r:<9} "
          f"p = {p_before[t - 1]:.4f}  loss = -log p = {loss_before[t - 1]:.3f}")  # fmt: skip
print(f"sentence loss (mean of {len(out_words)}) = {mean_before:.3f}; "
      f"ln V = ln {len(tgt_vocab)} = {np.log(len(tgt_vocab)):.3f}")  # fmt: skip

# %%
np.testing.assert_allclose(loss_before, -np.log(p_before), rtol=1e-4)
assert abs(loss_before.mean() - mean_before) < 1e-5

# %% [markdown]
# ## One pass for all positions, and it is honest
#
# Training computes all these losses in one forward pass. That is only fair
# if position $t$ did not see the words after it. The causal mask (lesson 9)
# guarantees it; we check by feeding each prefix alone, as generation does,
# and comparing the loss at its last position.

# %%
prefix_losses = []
for t in range(1, batch.tgt_in.shape[1] + 1):
    prefix_in = Tensor(batch.tgt_in[:, :t])
    masks = make_masks(src, prefix_in, PAD_ID)
    _, losses, _ = per_token(untrained, src, prefix_in, batch.tgt_out[:, :t], *masks)
    prefix_losses.append(losses[-1])
gap = np.abs(np.array(prefix_losses) - loss_before).max()
print(f"largest difference, parallel pass vs prefix by prefix: {gap:.1e}")
assert gap < 1e-4

# %% [markdown]
# ## Label smoothing
#
# The paper trains with label smoothing $\varepsilon = 0.1$: instead of the
# one-hot target, each position aims at
#
# $$q_c = (1 - \varepsilon)\,[c = y] + \frac{\varepsilon}{V},$$
#
# so the loss $-\sum_c q_c \log p_c$ is smallest when the model gives the
# right word about 0.9 and spreads the rest, rather than 1.0. The paper notes
# it hurts perplexity but helps accuracy and BLEU: a model that is never
# fully sure keeps some probability for alternatives. The price is a floor:
# the loss cannot go below the entropy of $q$.

# %%
eps, V = 0.1, len(tgt_vocab)
with no_grad():
    log_p = untrained(src, tgt_in, src_mask, tgt_mask).log_softmax(axis=-1).numpy()[0]
q = np.full(log_p.shape, eps / V)
q[np.arange(len(q)), batch.tgt_out[0]] += 1 - eps
by_hand = -(q * log_p).sum(axis=-1)
with no_grad():
    logits = untrained(src, tgt_in, src_mask, tgt_mask)
    library = F.cross_entropy(
        logits, batch.tgt_out, label_smoothing=eps, reduction="none"
    )


def smoothing_floor(eps: float, V: int) -> float:
    """The entropy of q: the smallest smoothed loss any model can reach."""
    high, low = 1 - eps + eps / V, eps / V  # q at the right word, elsewhere
    return float(-(high * np.log(high) + (V - 1) * low * np.log(low)))


floor = smoothing_floor(eps, V)
print(f"smoothed loss per token, by hand: {np.round(by_hand, 4)}")
print(f"smoothed loss per token, library: {np.round(library.numpy()[0], 4)}")
print(f"the floor with ε = {eps} and V = {V}: entropy of q = {floor:.3f}")

# %%
np.testing.assert_allclose(library.numpy()[0], by_hand, rtol=1e-4)

# %% [markdown]
# ## The learning rate: warm-up, then decay
#
# The training loop (`transformer/train.py`) follows the paper: Adam with
# $\beta = (0.9, 0.98)$, $\epsilon = 10^{-9}$, the gradient's norm clipped to
# 1, and the "Noam" schedule, which rises linearly for `warmup` steps and then
# decays as $1/\sqrt{\text{step}}$:
#
# $$\text{lr} = \text{factor} \cdot d_{model}^{-0.5} \cdot
# \min(\text{step}^{-0.5},\ \text{step} \cdot \text{warmup}^{-1.5}).$$
#
# The factor is chosen so that the peak, at the end of the warm-up, is the
# configured learning rate.

# %%
warmup, peak = train_fields["warmup"], train_fields["lr"]
d_model = model_options["d_model"]
schedule = optim.NoamSchedule(
    optim.Adam(untrained.parameters()),
    d_model,
    warmup,
    peak * np.sqrt(d_model * warmup),
)
steps = np.arange(1, train_fields["steps"] + 1)
rates = np.array([schedule.rate(int(s)) for s in steps])
print(f"warm-up {warmup} steps to lr {rates.max():.2e} at step {steps[rates.argmax()]}, "
      f"then down to {rates[-1]:.2e} at step {steps[-1]}")  # fmt: skip
assert steps[rates.argmax()] == warmup and abs(rates.max() - peak) < 1e-12

# %% [markdown]
# ## Training
#
# `python cli.py train-toy-translation` trains the translator; this lesson
# calls the same function, `transformer.train.train`, with a smaller model
# ($d_{model} = 64$, 2 layers, 4 heads) and fewer steps, writing to
# `out/lessons/14/run/`. If you already trained with `train-toy-translation`
# and the run finished, the lesson reads it from `runs/toy-translation/`
# instead of training again.
#
# The validation and test sentences each contain a combination of words
# never seen together in training ("the red ball" when training only had red
# boxes and blue balls): a good score needs generalisation, not memory.

# %%
run = lesson_translator_run(FAST, own=False)  # a finished train-toy-translation run
reused = run is not None
if not reused:
    run = train_lesson_translator(FAST)
print(("reused the finished run in " if reused else "trained in ") + str(run))
assert finished_run(run)
model, src_vocab2, tgt_vocab2, metrics = load_translator(run)
train_losses = np.array([r["loss"] for r in metrics["train"]])
first, last = train_losses[:20].mean(), train_losses[-20:].mean()
test = metrics["test"]
floor2 = smoothing_floor(eps, len(tgt_vocab2))  # the run's own vocabulary
print(f"training loss (label-smoothed): first 20 steps {first:.3f}, last 20 steps "
      f"{last:.3f}; the floor for this vocabulary {floor2:.3f}")  # fmt: skip
print(f"test: exact match {test['exact_match']:.1%}, BLEU {test['bleu']:.1f}, "
      f"token accuracy {test['token_accuracy']:.1%} on {metrics['splits']['test']} "
      f"held-out sentences")  # fmt: skip

# %% [markdown]
# ### Check: the loss fell, and "eu amo livros" is now likely
#
# The same per-token table as before training, with the trained model (and
# the run's own vocabulary).

# %%
batch2 = make_batch(encode_pairs([pair], src_vocab2, tgt_vocab2), [0])
src2, tgt_in2 = Tensor(batch2.src), Tensor(batch2.tgt_in)
p_after, loss_after, mean_after = per_token(
    model, src2, tgt_in2, batch2.tgt_out, *make_masks(src2, tgt_in2, PAD_ID)
)
for t, word in enumerate(out_words, start=1):
    i = t - 1
    print(f"t={t} target {word!r:<9} p before {p_before[i]:.4f} -> after "
          f"{p_after[i]:.4f}   loss {loss_before[i]:.3f} -> {loss_after[i]:.3f}")  # fmt: skip
print(f"sentence loss {mean_before:.3f} -> {mean_after:.3f}")

# %%
assert last < 0.6 * first, (first, last)
assert mean_after < 0.25 * mean_before
assert (p_after > p_before).all()

# %%
fig = figure(15, 4.2)
ax_loss, ax_tokens, ax_lr = fig.subplots(1, 3)
ax_loss.plot(
    [r["step"] for r in metrics["train"]], train_losses, alpha=0.35, label="training"
)
valid = metrics["validation"]
ax_loss.plot(
    [r["step"] for r in valid], [r["loss"] for r in valid], "o-", label="validation"
)
ax_loss.axhline(
    floor2, color="gray", ls=":", label=f"floor of label smoothing ({floor2:.2f})"
)
ax_loss.set(yscale="log", xlabel="training step", ylabel="cross-entropy, ε = 0.1 (log)",
            title="Training the toy translator")  # fmt: skip
ax_loss.legend(fontsize=8)
x = np.arange(len(out_words))
ax_tokens.bar(x - 0.2, loss_before, 0.4, label="before training")
ax_tokens.bar(x + 0.2, loss_after, 0.4, label="after training")
ax_tokens.set_xticks(x, [f"t={t + 1}\n{w}" for t, w in enumerate(out_words)])
ax_tokens.set(ylabel="loss = -log p(correct word)", xlabel="position and target word",
              title='Loss per word: "i love books" -> "eu amo livros"')  # fmt: skip
ax_tokens.legend(fontsize=8)
ax_lr.plot(steps, rates)
ax_lr.set(xlabel="training step", ylabel="learning rate",
          title=f"Noam schedule (warm-up {warmup} steps)")  # fmt: skip
for ax in (ax_loss, ax_tokens, ax_lr):
    ax.grid(alpha=0.3)
save_figure(fig, OUT / "training.png")

# %%
save_results(
    OUT,
    {
        "run": str(run),
        "reused_run": reused,
        "loss_before_per_token": loss_before,
        "loss_after_per_token": loss_after,
        "sentence_loss_before": mean_before,
        "sentence_loss_after": mean_after,
        "prefix_gap": float(gap),
        "label_smoothing_floor": floor,
        "train_loss_first": first,
        "train_loss_last": last,
        "test": test,
    },
)

# %% [markdown]
# ## What we built
#
# - The right shift: the decoder reads `<s> eu amo livros` and is scored on
#   `eu amo livros </s>`, every position at once.
# - The loss word by word, $-\log p$ of the correct word, and the sentence's
#   loss as their mean; one parallel pass equals prefix-by-prefix decoding,
#   thanks to the causal mask.
# - Label smoothing, checked by hand, and the floor it puts under the loss:
#   the trained model's loss levels off near that floor, not near zero.
# - A trained toy translator, scored on held-out sentences.
#
# **Exercises**
#
# 1. Graded: `cross_entropy_label_smoothing` (forward and backward):
#    `python cli.py exercise check cross_entropy_label_smoothing`.
# 2. Train without label smoothing (`--label-smoothing 0` in
#    `train-toy-translation`, or `label_smoothing=0.0` here). Where does the
#    loss level off now? Does the test score change?
# 3. Shorten the warm-up to 10 steps with a peak rate of 1e-2. What happens to
#    the first hundred steps of the loss curve?
