# %% [markdown]
# # Lesson 5: Embeddings
#
# _Words become ids, ids become vectors: a vocabulary, the lookup that is a
# one-hot product in disguise, and vectors that learn that "castle" is closer
# to "crown" than to "plane"._
#
# **Goals**
#
# - Turn a sentence into token ids with a vocabulary ("abandon" has id 9).
# - See that an embedding lookup is the product of a one-hot vector with a
#   matrix, done without ever building the one-hot vector.
# - See which rows of the table a gradient reaches.
# - Train embeddings on a tiny corpus and measure the similarity between words
#   that share contexts (castle, crown) and words that do not (castle, plane).

# %%
import numpy as np

import tinygrad_tx
from lessons.utils import FAST, figure, heatmap, output_dir, save_figure, save_results
from tinygrad_tx import Tensor, nn, no_grad, optim
from tinygrad_tx import functional as F
from transformer.data import Vocab

OUT = output_dir(5)

# %% [markdown]
# ## A vocabulary: words to ids
#
# A network computes with numbers, so each word (each *token*) gets an
# integer id: its position in a list. The project's `Vocab` reserves the
# first four ids for special tokens: `<pad>` (0) fills short sentences,
# `<s>` (1) starts one, `</s>` (2) ends one, `<unk>` (3) stands for any word
# the vocabulary does not know. A dictionary-like list puts "abandon" at 9:

# %%
vocab = Vocab(["a", "aardvark", "aback", "abacus", "abaft", "abandon", "abase",
               "abate", "abbey", "abbot", "i", "love", "books"])  # fmt: skip
for token in ("<pad>", "<s>", "a", "abandon", "books"):
    print(f"{token:>8} -> {vocab.stoi[token]}")
ids = vocab.encode("I love books", bos=True, eos=True)
print(f'"I love books" -> {ids} = {[vocab.itos[i] for i in ids]}')
print(f'an unknown word: "zebra" -> {vocab.encode("zebra")} (<unk>)')

# %%
assert vocab.stoi["abandon"] == 9
assert vocab.decode(ids) == "i love books"

# %% [markdown]
# ## An embedding is a one-hot product, done as a lookup
#
# The embedding table $E$ has one row of $d$ numbers per token: shape
# $(V, d)$. Writing token $i$ as a one-hot vector $e_i$ (all zeros but a 1 at
# position $i$), its embedding is
#
# $$e_i^\top E = E[i],$$
#
# row $i$ of the table. Multiplying by a vector that is almost all zeros
# wastes $V \times d$ multiplications, so `F.embedding` (and `nn.Embedding`)
# picks the rows directly: "the one-hot encoding is implicit". The rows start
# random and small, and training moves them.

# %%
tinygrad_tx.manual_seed(0)
V, d = len(vocab), 4
table = nn.Embedding(V, d)
one_hot = np.eye(V, dtype=np.float32)[9]  # (V,): a 1 at "abandon"
by_product = Tensor(one_hot) @ table.weight  # (d,)
by_lookup = table(np.array([9]))[0]  # (d,)
print(f"one-hot @ E: {np.round(by_product.numpy(), 4)}")
print(f"E[9]       : {np.round(by_lookup.numpy(), 4)}")

# %%
np.testing.assert_array_equal(by_product.numpy(), by_lookup.numpy())

# %% [markdown]
# ## Which rows learn: the gradient of a lookup
#
# Looking up rows copies them, so backward sends each position's gradient to
# the row it came from, and *adds* when a token appears twice (the same rule
# as a value used twice, lesson 2). Rows of tokens that were not in the
# batch get exactly zero: they do not move this step.

# %%
sentence = np.array(vocab.encode("i love books i love"))  # "i" and "love" twice
vectors = table(sentence)  # (5, d)
upstream = np.arange(5 * d, dtype=np.float32).reshape(5, d)  # a distinct dL/dvector
vectors.backward(upstream)
rows_touched = sorted({int(i) for i in np.nonzero(table.weight.grad.any(axis=1))[0]})
print(f"ids {sentence.tolist()}; rows with a gradient: {rows_touched}")
i_id = vocab.stoi["i"]
print(
    f"gradient of row {i_id} ('i') = upstream[0] + upstream[3] = {table.weight.grad[i_id]}"
)

# %%
np.testing.assert_array_equal(table.weight.grad[i_id], upstream[0] + upstream[3])
assert rows_touched == sorted(set(sentence.tolist()))

# %% [markdown]
# ## Vectors that learn meaning from company
#
# "You shall know a word by the company it keeps" (J. R. Firth). We write a
# tiny corpus about two topics: a kingdom (a king rules the *castle*, guards
# the *crown*, inherits the *wealth*, defends the *country*) and everyday
# things (I buy a *plane*, use a *computer*, lose a *slipper*, clean my
# *glasses*). Then we train each word's embedding to predict the words around
# it (the "skip-gram" task of word2vec): a word's vector times an output
# matrix gives logits over the vocabulary, and cross-entropy scores the
# neighbour that was really there.
#
# No sentence puts "castle" next to "crown". They only share their company,
# and that is enough.

# %%
rng = np.random.default_rng(0)
TOPICS = {
    "kingdom": (["king", "queen", "prince"], ["rules", "guards", "inherits", "defends"],
                ["castle", "country", "wealth", "crown"]),
    "things": (["i", "you", "we"], ["buy", "use", "lose", "clean"],
               ["plane", "computer", "slipper", "glasses"]),
}  # fmt: skip
corpus = []
for _ in range(400):
    subjects, verbs, nouns = TOPICS[rng.choice(list(TOPICS))]
    corpus.append([rng.choice(subjects), rng.choice(verbs), rng.choice(nouns)])
words = Vocab.build(corpus)
pairs = np.array(
    [
        (words.stoi[s[i]], words.stoi[s[j]])
        for s in corpus
        for i in range(3)
        for j in range(3)
        if i != j
    ]
)  # (N, 2): (word, a neighbour)
print(f"{len(corpus)} three-word sentences such as {' '.join(corpus[0])!r}; "
      f"{len(words) - 4} words; {len(pairs)} (word, neighbour) pairs")  # fmt: skip

# %% [markdown]
# The best possible loss is not zero: "castle" is followed by "king",
# "queen", "rules" and others, each some of the time. Its floor is the
# entropy of a word's neighbours given the word, computed from the counts.

# %%
counts = np.zeros((len(words), len(words)))
np.add.at(counts, (pairs[:, 0], pairs[:, 1]), 1)
row_totals = counts.sum(axis=1, keepdims=True)
p_neighbour = counts / np.where(row_totals > 0, row_totals, 1)  # P(neighbour | word)
seen = counts > 0
floor = -(counts[seen] * np.log(p_neighbour[seen])).sum() / len(pairs)

tinygrad_tx.manual_seed(0)
embed = nn.Embedding(len(words), 16)
to_logits = nn.Linear(16, len(words), bias=False)
optimizer = optim.Adam(embed.parameters() + to_logits.parameters(), lr=0.05)
losses = []
for _ in range(60 if FAST else 120):
    optimizer.zero_grad()
    loss = F.cross_entropy(to_logits(embed(pairs[:, 0])), pairs[:, 1])
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
print(
    f"loss {losses[0]:.3f} -> {losses[-1]:.3f} (the floor, from the counts: {floor:.3f})"
)

# %% [markdown]
# ## Cosine similarity
#
# Two vectors point the same way when the cosine of their angle,
# $\cos(a, b) = \dfrac{a \cdot b}{\lVert a \rVert\, \lVert b \rVert}$, is
# near 1; unrelated vectors give a cosine near 0.

# %%
shown = [
    "castle",
    "country",
    "wealth",
    "crown",
    "plane",
    "computer",
    "slipper",
    "glasses",
]
with no_grad():
    W = embed.weight.numpy()[[words.stoi[w] for w in shown]]
unit = W / np.linalg.norm(W, axis=1, keepdims=True)
cosine = unit @ unit.T  # (8, 8)


def cos(a: str, b: str) -> float:
    return float(cosine[shown.index(a), shown.index(b)])


kingdom, things = shown[:4], shown[4:]
within = np.mean([cos(a, b) for g in (kingdom, things) for a in g for b in g if a != b])
across = np.mean([cos(a, b) for a in kingdom for b in things])
for a, b in (("castle", "crown"), ("plane", "slipper"), ("castle", "plane"),
             ("crown", "slipper")):  # fmt: skip
    print(f"cos({a}, {b}) = {cos(a, b):+.3f}")
print(f"mean cosine within a topic {within:+.3f}, across topics {across:+.3f}")

# %%
assert losses[-1] < floor + 0.05, (losses[-1], floor)
assert cos("castle", "crown") > cos("castle", "plane") + 0.3
assert cos("plane", "slipper") > cos("crown", "slipper") + 0.3
assert within > across + 0.4

# %%
fig = figure(6.6, 5.6)
ax = fig.subplots()
heatmap(ax, cosine, shown, shown, vmin=-1, vmax=1, cmap="RdBu_r",
        title="Cosine similarity of learned embeddings\n"
              "(kingdom words: first four; everyday things: last four)",
        xlabel="word", ylabel="word", colorbar_label="cosine similarity")  # fmt: skip
save_figure(fig, OUT / "embedding_similarity.png")

# %%
save_results(
    OUT,
    {
        "abandon_id": vocab.stoi["abandon"],
        "final_loss": losses[-1],
        "loss_floor": floor,
        "cos_castle_crown": cos("castle", "crown"),
        "cos_castle_plane": cos("castle", "plane"),
        "cos_plane_slipper": cos("plane", "slipper"),
        "mean_cos_within": within,
        "mean_cos_across": across,
    },
)

# %% [markdown]
# ## What we built
#
# - A vocabulary that maps words to ids, with four special tokens first.
# - An embedding lookup, checked equal to the one-hot product, whose gradient
#   reaches only the rows that were looked up (and adds for repeated tokens).
# - Embeddings trained to predict neighbours: words of one topic end up
#   pointing the same way although they never appear side by side.
#
# These vectors are still context-free: "manga" would get one vector whether
# it means a mango or a sleeve. Attention, from the next lesson on, makes each
# word's vector depend on the sentence around it.
#
# **Exercises**
#
# 1. Graded: `embedding_backward` (the backward of the lookup, repeated ids
#    included): `python cli.py exercise check embedding_backward`.
# 2. Add a sentence pattern that mixes the topics ("the king buys a plane").
#    How do the cosines change?
# 3. Shrink the embedding size to 2 and plot the eight words as points.
