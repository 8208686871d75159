# %% [markdown]
# # Lesson 9: Masked attention
#
# _A decoder writes one word at a time, so while training it must not peek at
# the words it is asked to predict. The causal mask hides them. Without it, a
# model scores almost perfectly in training and fails as soon as it has to
# write on its own._
#
# **Goals**
#
# - Build the causal mask: position $t$ may look at positions $0..t$ only.
# - Check that masked weights are exactly zero, not just small.
# - Train the same small language model twice, with the causal mask and with
#   a "leaking" one (no mask), and measure both in training and in generation.

# %%
import math

import numpy as np

import tinygrad_tx
from lessons.utils import FAST, figure, heatmap, output_dir, save_figure, save_results
from tinygrad_tx import Tensor, nn, no_grad, optim
from tinygrad_tx import functional as F
from transformer import (
    EncoderLayer,
    PositionalEncoding,
    causal_mask,
    padding_mask,
    scaled_dot_product_attention,
)
from transformer.data import BOS_ID, EOS_ID, PAD_ID, Vocab, make_toy_splits

OUT = output_dir(9)
rng = np.random.default_rng(0)

# %% [markdown]
# ## "O gato <?> feliz"
#
# A decoder generates "o gato está feliz" (the cat is happy) word by word.
# When it chooses the third word it has written "o gato"; "feliz" does not
# exist yet. So in training, where the whole sentence is fed at once, the
# prediction at each position must use only that position and the ones
# before it. The mask is a lower-triangular boolean matrix, True where
# attention is allowed; the scores where it is False are set to $-\infty$
# before the softmax, and $e^{-\infty} = 0$:
#
# $$w_{tj} = \frac{e^{s_{tj}}}{\sum_{j' \le t} e^{s_{tj'}}} \text{ for } j \le t,
# \qquad w_{tj} = 0 \text{ for } j > t.$$

# %%
sentence = ["o", "gato", "está", "feliz"]
mask = causal_mask(len(sentence))  # (1, 1, 4, 4)
print(mask.numpy()[0, 0].astype(int))
q, k, v = (Tensor(rng.standard_normal((1, 4, 8))) for _ in range(3))
_, weights = scaled_dot_product_attention(q, k, v, mask=mask[0])  # (1, 4, 4)
weights = weights.numpy()[0]
print("weights of 'gato' (predicting the third word):",
      dict(zip(sentence, np.round(weights[1], 4))))  # fmt: skip

# %% [markdown]
# ### Check: exactly zero above the diagonal
#
# Not "small": exactly 0.0, so no information at all flows from the future.
# Each row still sums to 1 over the positions it may see.

# %%
above = weights[np.triu_indices(4, k=1)]
assert (above == 0.0).all(), above
np.testing.assert_allclose(weights.sum(axis=-1), 1.0)
masked_weights_demo = weights

# %% [markdown]
# ## A small language model, trained two ways
#
# The data: the Portuguese side of the course's toy corpus ("o gato dorme no
# tapete", "eu amo livros", ...), 2000 sentences, each framed by `<s>` and
# `</s>`. The model reads the sentence without its last token and predicts
# the sentence without its first: at position $t$ the target is token $t+1$.
#
# The model is a decoder-only Transformer in the style of GPT: embeddings,
# sinusoidal positions (lesson 11), two layers of self-attention and
# feed-forward with Add & Norm (`EncoderLayer` given a causal mask, lesson
# 12). It is trained twice from the same weights on the same batches:
#
# - **causal**: padding mask and causal mask, as it should be;
# - **leaking**: padding mask only, the bug of forgetting the causal mask.

# %%
splits = make_toy_splits(seed=0, n_train=2000, n_valid=10, n_test=10)
sentences = [pt for _, pt in splits.train]
vocab = Vocab.build(sentences)
encoded = [vocab.encode(s, bos=True, eos=True) for s in sentences]
data = np.full((len(encoded), max(map(len, encoded))), PAD_ID, dtype=np.int64)
for i, ids in enumerate(encoded):
    data[i, : len(ids)] = ids
print(f"{len(sentences)} sentences, {len(vocab)} tokens, padded to {data.shape[1]}")


class LanguageModel(nn.Module):
    def __init__(self, vocab_size: int, d_model=32, n_heads=2, n_layers=2):
        self.d_model = d_model
        self.embed = nn.Embedding(vocab_size, d_model)
        self.positions = PositionalEncoding(d_model, max_len=32, dropout=0.0)
        self.layers = nn.ModuleList(
            [
                EncoderLayer(d_model, n_heads, 2 * d_model, dropout=0.0)
                for _ in range(n_layers)
            ]
        )
        self.out = nn.Linear(d_model, vocab_size)

    def forward(self, ids: np.ndarray, mask: Tensor) -> Tensor:
        x = self.positions(self.embed(ids) * math.sqrt(self.d_model))  # (B, L, d)
        for layer in self.layers:
            x = layer(x, mask)
        return self.out(x)  # (B, L, V)


def make_mask(ids: np.ndarray, causal: bool) -> Tensor:
    """(B, 1, L, L) or (B, 1, 1, L): True where attention is allowed."""
    allowed = padding_mask(Tensor(ids), PAD_ID)  # (B, 1, 1, L): no padding keys
    if causal:
        return Tensor(
            allowed.numpy() & causal_mask(ids.shape[1]).numpy()
        )  # (B, 1, L, L)
    return allowed  # the bug: every position sees every other one


STEPS = 300 if FAST else 600
models, losses = {}, {}
for kind in ("causal", "leaking"):
    tinygrad_tx.manual_seed(0)
    batches = np.random.default_rng(1)  # the same batches for both
    model = LanguageModel(len(vocab))
    optimizer = optim.Adam(model.parameters(), lr=5e-3)
    for _ in range(STEPS):
        batch = data[batches.choice(len(data), 64)]
        inputs, targets = batch[:, :-1], batch[:, 1:]  # predict token t+1 at position t
        optimizer.zero_grad()
        logits = model(inputs, make_mask(inputs, causal=kind == "causal"))
        loss = F.cross_entropy(logits, targets, ignore_index=PAD_ID)
        loss.backward()
        optimizer.step()
    models[kind], losses[kind] = model, loss.item()
    print(f"{kind:>8}: training loss after {STEPS} steps {losses[kind]:.3f}")

# %% [markdown]
# ## Two accuracies
#
# - **Training accuracy**: next-token accuracy on training sentences, fed as
#   in training (the whole sentence at once, with the mask used in training).
# - **Generation accuracy**: the same predictions when the model can only see
#   the words before, as when it writes: for each position $t$ we feed the
#   prefix $0..t$ alone and read the last output.

# %%
evaluation = data[:300]
inputs, targets = evaluation[:, :-1], evaluation[:, 1:]
real = targets != PAD_ID


def training_accuracy(model, causal: bool) -> float:
    with no_grad():
        predicted = model(inputs, make_mask(inputs, causal)).numpy().argmax(axis=-1)
    return float((predicted == targets)[real].mean())


def generation_accuracy(model, causal: bool) -> float:
    correct = total = 0
    with no_grad():
        for t in range(1, inputs.shape[1] + 1):
            rows = real[:, t - 1]  # sentences that still have a word to predict
            if not rows.any():
                continue
            prefix = inputs[rows, :t]  # only what was written so far
            predicted = (
                model(prefix, make_mask(prefix, causal)).numpy()[:, -1].argmax(-1)
            )
            correct += int((predicted == targets[rows, t - 1]).sum())
            total += int(rows.sum())
    return correct / total


accuracy = {
    kind: {
        "training": training_accuracy(models[kind], kind == "causal"),
        "generation": generation_accuracy(models[kind], kind == "causal"),
    }
    for kind in models
}
for kind, acc in accuracy.items():
    print(f"{kind:>8}: training accuracy {acc['training']:.1%}, "
          f"generation accuracy {acc['generation']:.1%}")  # fmt: skip


# %%
def generate(model, causal: bool, start: str, max_words: int = 10) -> str:
    ids = [BOS_ID, *vocab.encode(start)]
    with no_grad():
        while len(ids) < max_words and ids[-1] != EOS_ID:
            prefix = np.array([ids])
            ids.append(
                int(model(prefix, make_mask(prefix, causal)).numpy()[0, -1].argmax())
            )
    return vocab.decode(ids)


for kind in models:
    print(f"{kind:>8} writes: {generate(models[kind], kind == 'causal', 'o gato')!r}")

# %% [markdown]
# ### Check
#
# The leaking model looks nearly perfect in training: at position $t$ it simply
# reads token $t+1$, which it can see. That skill is useless when writing,
# where token $t+1$ does not exist yet, and its accuracy collapses. The causal
# model's training accuracy is much lower (the toy sentences are random
# choices of nouns, verbs and adjectives: nobody can predict them all), but
# it is *honest*: its generation accuracy is the same number, because the
# mask made training see exactly what generation sees.

# %%
leak, causal = accuracy["leaking"], accuracy["causal"]
assert leak["training"] > 0.85, leak
assert leak["training"] - leak["generation"] > 0.5, leak
assert abs(causal["training"] - causal["generation"]) < 1e-9, causal
assert causal["generation"] > leak["generation"], accuracy

# %% [markdown]
# ## Where each model looks
#
# The attention of the second (last) layer, mean of the two heads, on a
# training sentence. The causal model's weights are confined to the diagonal
# and below. The leaking model learned to look one step *ahead*, at the
# answer.

# %%
example = np.array([vocab.encode("o gato dorme no tapete", bos=True)])
labels = ["<s>", "o", "gato", "dorme", "no", "tapete"]
attention, ahead = {}, {}
for kind in models:
    with no_grad():
        models[kind](example, make_mask(example, kind == "causal"))
    w = models[kind].layers[-1].self_attn.attn_weights.numpy()[0].mean(axis=0)  # (L, L)
    attention[kind] = w
    ahead[kind] = float(np.mean(np.diag(w, k=1)))  # weight on position t+1
    print(f"{kind:>8}: mean weight on the next position (t+1): {ahead[kind]:.3f}")
assert ahead["causal"] == 0.0 and ahead["leaking"] > 0.5

# %%
fig = figure(14, 4.6)
ax_mask, ax_causal, ax_leak = fig.subplots(1, 3)
heatmap(ax_mask, masked_weights_demo, sentence, sentence, vmin=0, vmax=1,
        title="Causal mask: weights of random q, k\n(exactly 0 above the diagonal)",
        xlabel="key (word looked at)", ylabel="query (position predicting next)")  # fmt: skip
for ax, kind in ((ax_causal, "causal"), (ax_leak, "leaking")):
    acc = accuracy[kind]
    heatmap(ax, attention[kind], labels, labels, vmin=0, vmax=1,
            title=f"{kind} model, layer 2 (mean of heads)\ntraining acc "
                  f"{acc['training']:.0%}, generation acc {acc['generation']:.0%}",
            xlabel="key (word looked at)", ylabel="query (position predicting next)")  # fmt: skip
for ax in (ax_mask, ax_causal, ax_leak):
    ax.title.set_fontsize(10)
save_figure(fig, OUT / "causal_vs_leaking.png")

# %%
save_results(
    OUT,
    {
        "masked_weights_above_diagonal": above,
        "max_masked_weight": float(above.max()),
        "accuracy": accuracy,
        "weight_on_next_position": ahead,
        "steps": STEPS,
        "final_loss": losses,
    },
)

# %% [markdown]
# ## What we built
#
# - The causal mask, with weights above the diagonal exactly 0.
# - Proof by experiment of what it is for: without it, the same model reaches
#   near-perfect training accuracy by reading the next word, looks one step
#   ahead in its attention, and fails when it must write on its own.
# - A check worth keeping: a correctly masked model scores the same whether
#   it is fed the whole sentence or only the prefix.
#
# **Exercises**
#
# 1. Graded: `causal_mask` (the causal mask and the decoder mask that also
#    hides padding): `python cli.py exercise check causal_mask`.
# 2. Make the off-by-one bug instead: `tril(..., k=1)` lets position $t$ see
#    $t+1$. Train again: what do the two accuracies do?
# 3. Draw where the mask enters the graph (a red octagon):
#    `python cli.py render-graph attention --format png`.
