# %% [markdown]
# # Lesson 6: Attention as a weighted sum
#
# _Attention's output is a weighted average of vectors. We start from the
# slides' table of values and weights, make the weights with a softmax, and
# let "manga" (mango or sleeve?) take its meaning from the sentence._
#
# **Goals**
#
# - Compute a weighted sum and a weighted average by hand (the slides' table).
# - Turn arbitrary scores into weights that are positive and sum to 1: softmax.
# - Build each word's new vector as a weighted sum of all the words' vectors,
#   with weights from dot products: $Y = \text{softmax}(X X^\top) X$.
# - Watch an ambiguous word move towards the meaning its sentence gives it.

# %%
import numpy as np

from lessons.utils import figure, heatmap, output_dir, save_figure, save_results
from tinygrad_tx import Tensor

OUT = output_dir(6)

# %% [markdown]
# ## The table
#
# Five values $y_j$ and a weight $w_j$ for each. Weighting multiplies them
# pair by pair; summing gives one number in which the heavy values count more.

# %%
y = Tensor([3.0, 4.0, 5.0, 6.0, 5.0])
w = Tensor([2.0, 1.7, 1.5, 1.0, 0.8])
weighted = y * w
print(" y  weight  y·weight")
for yj, wj, pj in zip(y.numpy(), w.numpy(), weighted.numpy()):
    print(f"{yj:2.0f}  {wj:6.1f}  {pj:8.1f}")
total = weighted.sum().item()
average = (weighted.sum() / w.sum()).item()
print(f"Σ y·w = {total:.1f};  Σ w = {w.sum().item():.1f};  weighted average "
      f"Σ y·w / Σ w = {average:.4f} (plain average {y.mean().item():.1f})")  # fmt: skip

# %%
np.testing.assert_allclose(weighted.numpy(), [6.0, 6.8, 7.5, 6.0, 4.0], rtol=1e-6)
assert abs(total - 30.3) < 1e-5

# %% [markdown]
# Dividing by $\sum_j w_j$ turns the weighted sum into a weighted *average*:
# the weights become fractions that add up to 1, and the result stays in the
# range of the values (here between 3 and 6). Attention always uses weights
# like that.
#
# ## Softmax: from any scores to weights
#
# Attention does not get its weights from a table: it computes a *score*
# $s_j$ for each value, which can be any real number, and turns the scores
# into weights with the softmax
#
# $$w_j = \frac{e^{s_j}}{\sum_k e^{s_k}}.$$
#
# The exponential makes every weight positive, the division makes them sum to
# 1, and a larger score always gets a larger weight. (The slides' weights are
# the softmax of their logarithms: $e^{\ln w_j} / \sum_k e^{\ln w_k} = w_j /
# \sum_k w_k$.)

# %%
scores = Tensor([2.0, 1.0, 0.1, -1.0, -3.0])
weights = scores.softmax(axis=-1)
print(f"scores  {scores.numpy()}")
print(f"softmax {np.round(weights.numpy(), 4)}  (sum {weights.sum().item():.4f})")
from_logs = w.log().softmax(axis=-1)
print(f"softmax(ln w) = {np.round(from_logs.numpy(), 4)} = w / Σ w")

# %%
assert abs(weights.sum().item() - 1) < 1e-6 and (weights.numpy() > 0).all()
np.testing.assert_allclose(from_logs.numpy(), (w / w.sum()).numpy(), rtol=1e-6)

# %% [markdown]
# ## A word takes its meaning from the sentence
#
# In Portuguese "manga" is a mango and also a sleeve. "A manga da minha
# camiseta" (the sleeve of my T-shirt) and "a manga está madura" (the mango is
# ripe) use the same word, and an embedding table (lesson 5) gives it the same
# vector in both. To make the vectors easy to read we write them by hand,
# with two features, "fruit" and "clothing": "manga" is half of each,
# "camiseta" is clothing, "madura" is fruit, and the little words ("a", "da",
# "minha", "está") are near zero.
#
# The *contextualised* vector of word $i$ is a weighted average of all the
# word vectors of its sentence, with weights from how similar each word is to
# word $i$ (its dot product):
#
# $$y_i = \sum_j w_{ij}\, x_j, \qquad w_{ij} = \text{softmax}_j(x_i \cdot x_j).$$
#
# For the whole sentence at once, with the vectors as rows of $X$:
# $Y = \text{softmax}(X X^\top)\, X$.

# %%
FEATURES = ("fruit", "clothing")
VECTORS = {
    "manga": [1.0, 1.0],
    "camiseta": [0.0, 2.0],
    "madura": [2.0, 0.0],
    "a": [0.1, 0.1],
    "da": [0.1, 0.1],
    "minha": [0.1, 0.1],
    "está": [0.1, 0.1],
}


def contextualise(words: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(weights (L, L), new vectors Y (L, 2)) for one sentence."""
    X = Tensor(np.array([VECTORS[word] for word in words]))  # (L, 2)
    weights = (X @ X.T).softmax(axis=-1)  # (L, L): row i = how word i weighs each word
    return weights.numpy(), (weights @ X).numpy()


sentences = {
    "sleeve": ["a", "manga", "da", "minha", "camiseta"],
    "mango": ["a", "manga", "está", "madura"],
}
results = {}
for meaning, words in sentences.items():
    W, Y = contextualise(words)
    i = words.index("manga")
    results[meaning] = {"words": words, "weights": W, "manga": Y[i]}
    print(f"{' '.join(words)!r}: manga {VECTORS['manga']} -> "
          f"{np.round(Y[i], 3).tolist()}  (fruit, clothing)")  # fmt: skip
    print("   weights of manga's row: "
          + ", ".join(f"{w_}: {v:.3f}" for w_, v in zip(words, W[i])))  # fmt: skip

# %% [markdown]
# ### Check
#
# Every row of weights sums to 1. Next to "camiseta", manga's new vector has
# more clothing than fruit; next to "madura", more fruit than clothing. The
# same word, two vectors: the sentence decided.

# %%
for r in results.values():
    np.testing.assert_allclose(r["weights"].sum(axis=1), 1.0, rtol=1e-6)
sleeve, mango = results["sleeve"]["manga"], results["mango"]["manga"]
assert sleeve[1] > sleeve[0] and mango[0] > mango[1], (sleeve, mango)

# %%
fig = figure(12, 4.6)
ax_vec, ax_sleeve, ax_mango = fig.subplots(1, 3, width_ratios=[1.1, 1, 0.9])
for word in ("manga", "camiseta", "madura"):
    ax_vec.scatter(*VECTORS[word], s=40, color="gray")
    ax_vec.annotate(word, VECTORS[word], textcoords="offset points", xytext=(6, 4))
for meaning, color in (("sleeve", "tab:blue"), ("mango", "tab:orange")):
    ax_vec.annotate("", results[meaning]["manga"], VECTORS["manga"],
                    arrowprops=dict(arrowstyle="->", color=color, lw=2))  # fmt: skip
    ax_vec.scatter(*results[meaning]["manga"], color=color, zorder=3,
                   label=f"manga in {' '.join(sentences[meaning])!r}")  # fmt: skip
ax_vec.set(xlabel="feature 1: fruit", ylabel="feature 2: clothing", xlim=(-0.2, 2.4),
           ylim=(-0.2, 2.4), title="manga's vector, moved by its sentence")  # fmt: skip
ax_vec.set_aspect("equal")
ax_vec.grid(alpha=0.3)
ax_vec.legend(fontsize=8, loc="lower left")
for ax, meaning in ((ax_sleeve, "sleeve"), (ax_mango, "mango")):
    words = results[meaning]["words"]
    heatmap(ax, results[meaning]["weights"], words, words, vmin=0, vmax=1,
            title=f"weights w_ij: {' '.join(words)!r}", xlabel="word j (being looked at)",
            ylabel="word i (getting a new vector)")  # fmt: skip
    ax.title.set_fontsize(10)
save_figure(fig, OUT / "manga_in_context.png")

# %%
save_results(
    OUT,
    {
        "table_products": weighted.numpy(),
        "table_sum": total,
        "table_weighted_average": average,
        "manga_sleeve": sleeve,
        "manga_mango": mango,
    },
)

# %% [markdown]
# ## What we built
#
# - The slides' weighted sum: 3·2 + 4·1.7 + 5·1.5 + 6·1 + 5·0.8 = 30.3, and
#   the weighted average 30.3 / 7 ≈ 4.33.
# - Softmax, which turns any scores into positive weights that sum to 1.
# - $Y = \text{softmax}(X X^\top) X$: every word's new vector is a weighted
#   average of the sentence, with weights from dot products. "manga" leans to
#   clothing in one sentence and to fruit in the other.
#
# One thing is missing: here a word can only look for words that *resemble*
# it, because the score is the dot product of the two word vectors. Lesson 8
# gives each word a separate "question" and "key", learned, so that a
# pronoun can look for a name. First, lesson 7 fixes the scale of the scores.
#
# **Exercises**
#
# 1. Graded: `softmax` (its forward and backward as a Function):
#    `python cli.py exercise check softmax`.
# 2. Multiply all the vectors by 3. What happens to manga's weights, and to
#    its new vector? (Lesson 7 is about exactly this.)
# 3. Add the word "verde" (green, [1.5, 0.0]) to the sleeve sentence. Which
#    meaning wins now?
