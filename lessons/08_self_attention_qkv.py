# %% [markdown]
# # Lesson 8: Self-attention with queries, keys and values
#
# _Each word asks a question (query), offers a label (key) and holds some
# content (value), all three learned. A pronoun learns to find the name it
# refers to, however far away it is._
#
# **Goals**
#
# - Make queries, keys and values from the same word vectors with three
#   learned matrices: $Q = XW^Q$, $K = XW^K$, $V = XW^V$.
# - See why separate projections matter: a word can look for words that are
#   *not* like itself.
# - Train one self-attention layer to resolve "dela" (her) and "dele" (his)
#   to the right name, and read the attention matrix as a heatmap.

# %%
import math

import numpy as np
from matplotlib.patches import Rectangle

import tinygrad_tx
from lessons.utils import FAST, figure, heatmap, output_dir, save_figure, save_results
from tinygrad_tx import Tensor, nn, no_grad, optim
from tinygrad_tx import functional as F
from transformer import scaled_dot_product_attention

OUT = output_dir(8)
rng = np.random.default_rng(0)

# %% [markdown]
# ## Three roles for every word
#
# In lesson 6 the score between two words was the dot product of their
# vectors, so a word could only look for words that resemble it. Self-attention
# gives each word three vectors, each a learned linear projection of its
# embedding $x_i$:
#
# | | intuition | computed as |
# |---|---|---|
# | **query** $q_i$ | the question word $i$ asks: "what am I looking for?" | $x_i W^Q$ |
# | **key** $k_j$ | the label on a locker door: a good match opens it | $x_j W^K$ |
# | **value** $v_j$ | what is inside the locker: the information word $j$ hands over | $x_j W^V$ |
#
# The slides' YouTube analogy: the video you are watching is the query, the
# title and description of each recommended video are its key, and the video
# itself is the value. Then, exactly as before,
#
# $$\text{Attention}(Q, K, V) = \text{softmax}\!\left(\frac{QK^\top}{\sqrt{d_k}}\right)V.$$
#
# Because $W^Q \neq W^K$, a pronoun's question can match a *name's* label:
# the two words need not be similar at all.


# %%
class SelfAttention(nn.Module):
    """Embedding, one self-attention layer, and a classifier read at the last
    word: logits over the vocabulary for "which word is the last one about?"."""

    def __init__(self, vocab_size: int, d: int):
        self.embed = nn.Embedding(vocab_size, d)
        self.w_q, self.w_k, self.w_v = nn.Linear(d, d), nn.Linear(d, d), nn.Linear(d, d)
        self.classify = nn.Linear(d, vocab_size)
        self.weights = None  # the last attention matrix, for plots

    def forward(self, ids) -> Tensor:
        x = self.embed(ids)  # (B, L, d)
        q, k, v = self.w_q(x), self.w_k(x), self.w_v(x)  # (B, L, d) each
        z, self.weights = scaled_dot_product_attention(q, k, v)  # (B, L, d), (B, L, L)
        return self.classify(z[:, -1])  # (B, vocab): read at the last word


# %% [markdown]
# ## A task where closeness is misleading
#
# "Ela é a minha amiga e as outras são as primas dela": the last word, "dela"
# (hers), refers to "Ela", at the other end of the sentence; meaning is not
# decided by proximity. We make sentences of 10 words from a handful of
# filler words, with one woman's name and one man's name at random places,
# ending with "dela" (hers) or "dele" (his). The model must answer, at the
# last word, which name the pronoun refers to. The loss is scored there only.

# %%
WOMEN = ["ana", "maria", "julia", "clara", "sofia"]
MEN = ["pedro", "joão", "carlos", "lucas", "tiago"]
FILLERS = ["é", "a", "minha", "amiga", "e", "o", "primo", "as", "outras", "são",
           "primas", "meu", "amigo"]  # fmt: skip
words = [*WOMEN, *MEN, "dela", "dele", *FILLERS]
stoi = {w: i for i, w in enumerate(words)}


def make_sentences(n: int, length: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """(ids (n, length), answer ids (n,)): fillers, two names, then a pronoun."""
    ids, answers = np.zeros((n, length), dtype=np.int64), np.zeros(n, dtype=np.int64)
    for b in range(n):
        tokens = list(rng.choice(FILLERS, length - 1))
        woman, man = rng.choice(WOMEN), rng.choice(MEN)
        i, j = rng.choice(length - 1, size=2, replace=False)
        tokens[i], tokens[j] = woman, man
        pronoun = rng.choice(["dela", "dele"])
        ids[b] = [stoi[t] for t in [*tokens, pronoun]]
        answers[b] = stoi[woman if pronoun == "dela" else man]
    return ids, answers


example, answer = make_sentences(1)
print(" ".join(words[i] for i in example[0]), "->", words[answer[0]])

# %% [markdown]
# ## Shapes, and the projections by hand
#
# Before training, check that the module computes what the formula says: the
# queries are the embeddings times $W^Q$ (a `Linear` stores its matrix as
# (out, in), so $q = x W^\top + b$).

# %%
tinygrad_tx.manual_seed(0)
model = SelfAttention(len(words), d=16)
with no_grad():
    x = model.embed(example)  # (1, 10, 16)
    q = model.w_q(x)
    by_hand = x.numpy() @ model.w_q.weight.numpy().T + model.w_q.bias.numpy()
    model(example)
print(f"ids {example.shape} -> embeddings {x.shape} -> queries {q.shape}; "
      f"attention weights {model.weights.shape}")  # fmt: skip

# %%
np.testing.assert_allclose(q.numpy(), by_hand, rtol=1e-5, atol=1e-6)
np.testing.assert_allclose(model.weights.numpy().sum(axis=-1), 1.0, rtol=1e-5)

# %% [markdown]
# ## Training
#
# Adam, batches of 64 fresh sentences, cross-entropy on the answer.

# %%
optimizer = optim.Adam(model.parameters(), lr=0.01)
losses = []
for _ in range(150 if FAST else 300):
    ids, answers = make_sentences(64)
    optimizer.zero_grad()
    loss = F.cross_entropy(model(ids), answers)
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
test_ids, test_answers = make_sentences(1000)
with no_grad():
    test_accuracy = float(
        (model(test_ids).numpy().argmax(axis=-1) == test_answers).mean()
    )
print(f"loss {losses[0]:.3f} -> {losses[-1]:.4f}; accuracy on 1000 new sentences "
      f"{test_accuracy:.1%} (guessing among 10 names: 10%)")  # fmt: skip

# %% [markdown]
# ## Reading the attention
#
# Now the slide's kind of sentence, which the model never saw (it has 11
# words): "ana é a minha amiga e pedro é o primo dela" (Ana is my friend and
# Pedro is her cousin). "pedro" and "primo" are close to "dela"; the
# answer, "ana", is ten words back. We also swap the pronoun to "dele".

# %%
showcase = {}
for pronoun in ("dela", "dele"):
    sentence = f"ana é a minha amiga e pedro é o primo {pronoun}".split()
    with no_grad():
        logits = model(np.array([[stoi[w] for w in sentence]]))
    weights = model.weights.numpy()[0]  # (11, 11)
    last_row = weights[-1]
    showcase[pronoun] = {
        "sentence": sentence,
        "weights": weights,
        "prediction": words[int(logits.numpy().argmax())],
        "weight_on_ana": float(last_row[sentence.index("ana")]),
        "weight_on_pedro": float(last_row[sentence.index("pedro")]),
    }
    print(f"{' '.join(sentence)!r} -> {showcase[pronoun]['prediction']}; the last word's "
          f"weights: ana {last_row[0]:.3f}, pedro {last_row[6]:.3f}, "
          f"primo {last_row[9]:.3f}")  # fmt: skip

# %% [markdown]
# ### Check
#
# The model answers new sentences almost always right; "dela" puts nearly all
# its weight on "ana" and "dele" on "pedro", although "pedro" is the nearer
# name for both. One layer of attention reached ten words back in one step.

# %%
assert test_accuracy > 0.95, test_accuracy
assert (
    showcase["dela"]["prediction"] == "ana"
    and showcase["dele"]["prediction"] == "pedro"
)
assert showcase["dela"]["weight_on_ana"] > 0.9
assert showcase["dele"]["weight_on_pedro"] > 0.9

# %% [markdown]
# In the heatmaps, row $i$ is word $i$ asking its question and column $j$ is
# the weight it gives to word $j$. Only the **last row** was trained (the
# loss is read at the pronoun); the other rows show whatever the learned
# projections happen to do for words that were never scored.

# %%
fig = figure(13, 5.6)
for ax, pronoun in zip(fig.subplots(1, 2), ("dela", "dele")):
    sentence = showcase[pronoun]["sentence"]
    heatmap(ax, showcase[pronoun]["weights"], sentence, sentence, vmin=0, vmax=1,
            annotate=False, title=f"{' '.join(sentence)!r} -> "
            f"{showcase[pronoun]['prediction']}\n(last row: the pronoun's attention)",
            xlabel="key: word looked at", ylabel="query: word asking",
            colorbar_label="attention weight")  # fmt: skip
    ax.title.set_fontsize(10)
    last = len(sentence) - 1  # outline the trained row
    ax.add_patch(Rectangle((-0.5, last - 0.5), last + 1, 1, fill=False, ec="red", lw=2))
save_figure(fig, OUT / "pronoun_attention.png")

# %%
save_results(
    OUT,
    {
        "final_loss": losses[-1],
        "test_accuracy": test_accuracy,
        "dela_weight_on_ana": showcase["dela"]["weight_on_ana"],
        "dele_weight_on_pedro": showcase["dele"]["weight_on_pedro"],
        "predictions": {p: s["prediction"] for p, s in showcase.items()},
        "d_k": 16,
        "scale": math.sqrt(16),
    },
)

# %% [markdown]
# ## What we built
#
# - Queries, keys and values as three learned projections of the same
#   embeddings, checked against $xW^\top + b$ by hand.
# - One self-attention layer that learned pronoun reference: "dela" looks at
#   the woman's name and "dele" at the man's, wherever they are.
# - The attention matrix as a heatmap, read row by row.
#
# Next: a decoder must not look at words it has not written yet (lesson 9),
# and one attention pattern per layer is not enough (lesson 10).
#
# **Exercises**
#
# 1. Replace $W^K$ by $W^Q$ (the same matrix for queries and keys). Does the
#    model still learn? Why is it harder for "dela" to match "ana" then?
# 2. Put two women's names in a sentence. What does the pronoun's row do?
# 3. Graded exercises for the next lessons: `python cli.py exercise list`.
