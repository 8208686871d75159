# %% [markdown]
# # Lesson 11: Positional encoding
#
# _Attention treats a sentence as a bag of words: shuffle the words and the
# outputs are shuffled the same way, nothing else changes. Adding a sine and
# cosine "position signal" to each embedding tells the model where each word
# is._
#
# **Goals**
#
# - Show that self-attention (a whole encoder layer, in fact) cannot tell
#   "the cat chased the dog" from "the dog chased the cat".
# - Build the sinusoidal table of the paper and draw it.
# - Check its two useful properties: each position gets a distinct pattern,
#   and the pattern of position $p + k$ is a fixed rotation of that of $p$.
# - Add it, and watch the permutation symmetry break.

# %%
import math

import numpy as np

import tinygrad_tx
from lessons.utils import figure, output_dir, save_figure, save_results
from tinygrad_tx import Tensor, nn, no_grad
from transformer import EncoderLayer, PositionalEncoding, sinusoidal_table

OUT = output_dir(11)
rng = np.random.default_rng(0)

# %% [markdown]
# ## Attention has no idea of order
#
# Take a sentence, embed its words, and run one encoder layer (self-attention
# and a feed-forward network, lesson 12). Then do the same with the words in
# another order. Each word's output depends only on its own vector and on the
# *set* of vectors it attends to, and the set is the same. So the outputs come
# out in the new order, with identical values:
#
# $$\text{Layer}(P X) = P\, \text{Layer}(X) \quad \text{for every permutation } P.$$

# %%
words = ["the", "cat", "chased", "dog"]
tinygrad_tx.manual_seed(0)
d_model = 32
embed = nn.Embedding(len(words), d_model)
layer = EncoderLayer(d_model, n_heads=4, d_ff=64, dropout=0.0)
add_positions = PositionalEncoding(d_model, max_len=64, dropout=0.0)


def encode(sentence: str, positions: bool) -> np.ndarray:
    """One encoder layer's output (L, d_model) for a sentence of known words."""
    ids = np.array([[words.index(w) for w in sentence.split()]])
    x = embed(ids) * math.sqrt(d_model)  # (1, L, d)
    if positions:
        x = add_positions(x)
    with no_grad():
        return layer(x).numpy()[0]


a, b = "the cat chased the dog", "the dog chased the cat"
swap = [0, 4, 2, 3, 1]  # sentence b is sentence a with positions 1 and 4 swapped
no_pe_a, no_pe_b = encode(a, positions=False), encode(b, positions=False)
gap_without = np.abs(no_pe_a[swap] - no_pe_b).max()
cat_without = np.abs(no_pe_a[1] - no_pe_b[4]).max()  # "cat" as chaser vs as chased
print(f"without positions: |output(a) permuted - output(b)| = {gap_without:.1e}")
print(f"  'cat' the chaser and 'cat' the chased get the same vector "
      f"(largest difference {cat_without:.1e})")  # fmt: skip

# %% [markdown]
# ### Check: the permutation claim, on random permutations too

# %%
assert gap_without < 1e-5
x = Tensor(rng.standard_normal((1, 7, d_model)), dtype=np.float32)
permutation_gaps = []
for _ in range(5):
    perm = rng.permutation(7)
    with no_grad():
        permuted_out = layer(x[:, perm]).numpy()
        out_permuted = layer(x).numpy()[:, perm]
    permutation_gaps.append(float(np.abs(permuted_out - out_permuted).max()))
print(
    f"5 random permutations of 7 random vectors: largest gap {max(permutation_gaps):.1e}"
)
assert max(permutation_gaps) < 1e-5

# %% [markdown]
# ## The sinusoidal table
#
# The paper adds to the embedding of the word at position $pos$ a vector
# whose feature $2i$ is a sine and feature $2i+1$ a cosine:
#
# $$PE_{(pos, 2i)} = \sin\!\left(\frac{pos}{10000^{2i/d_{model}}}\right), \qquad
# PE_{(pos, 2i+1)} = \cos\!\left(\frac{pos}{10000^{2i/d_{model}}}\right).$$
#
# Each pair of features is a clock hand turning at its own speed: the first
# pair turns by one radian per position (a wavelength of $2\pi$), the last
# pairs so slowly that their wavelength approaches $10000 \cdot 2\pi$. Read
# together, the hands give every position a distinct pattern, like the digits
# of a number.

# %%
max_len, d = 60, 64
table = sinusoidal_table(max_len, d)  # (60, 64)
pos, i = 7, 5
by_formula = (
    math.sin(pos / 10000 ** (2 * i / d)),
    math.cos(pos / 10000 ** (2 * i / d)),
)
print(f"PE[{pos}, {2 * i}] = {table[pos, 2 * i]:.6f}, PE[{pos}, {2 * i + 1}] = "
      f"{table[pos, 2 * i + 1]:.6f}; formula {by_formula[0]:.6f}, {by_formula[1]:.6f}")  # fmt: skip
nearest = min(
    np.linalg.norm(table[p] - table[q]) for p in range(max_len) for q in range(p)
)
print(f"smallest distance between two positions' vectors: {nearest:.3f}")

# %%
np.testing.assert_allclose(table[pos, 2 * i : 2 * i + 2], by_formula, rtol=1e-12)
assert nearest > 0.1  # every position is distinguishable

# %% [markdown]
# ## Relative positions are a rotation
#
# For each pair of features with frequency $\omega_i$,
# $(\sin(\omega_i (p+k)), \cos(\omega_i (p+k)))$ is $(\sin \omega_i p,
# \cos \omega_i p)$ rotated by the angle $\omega_i k$. So one fixed matrix
# $R_k$, the same for every $p$, maps $PE(p)$ to $PE(p + k)$. A linear map
# (such as $W^Q$ or $W^K$) can therefore express "the word $k$ places back".
# And the dot product of two positions' vectors depends only on how far
# apart they are.

# %%
k = 3
omega = 1.0 / 10000 ** (np.arange(0, d, 2) / d)
R = np.zeros((d, d))
for j, w in enumerate(omega):
    c, s = math.cos(w * k), math.sin(w * k)
    R[2 * j : 2 * j + 2, 2 * j : 2 * j + 2] = [[c, s], [-s, c]]  # acts on (sin, cos)
rotated = table[:-k] @ R.T  # PE(p) rotated, for every p at once
rotation_error = np.abs(rotated - table[k:]).max()
dots = table @ table.T  # (60, 60)
offset_spread = max(np.ptp(np.diag(dots, k=off)) for off in range(1, 20))
print(f"|R_{k} PE(p) - PE(p+{k})| <= {rotation_error:.1e} for every p")
print(
    f"PE(p)·PE(p+k) depends only on k: spread along each diagonal <= {offset_spread:.1e}"
)

# %%
assert rotation_error < 1e-10 and offset_spread < 1e-9

# %% [markdown]
# ## With positions, order matters
#
# `PositionalEncoding` adds the table to the (scaled) embeddings. The same two
# sentences now give different vectors for "cat", and the outputs of the
# swapped sentence are no longer a reordering of the first one's.

# %%
pe_a, pe_b = encode(a, positions=True), encode(b, positions=True)
gap_with = np.abs(pe_a[swap] - pe_b).max()
cat_with = np.abs(pe_a[1] - pe_b[4]).max()
print(f"with positions: |output(a) permuted - output(b)| = {gap_with:.2f}; "
      f"'cat' chaser vs chased differ by up to {cat_with:.2f}")  # fmt: skip
assert gap_with > 0.1 and cat_with > 0.1

# %%
fig = figure(13, 4.4)
ax_table, ax_dots = fig.subplots(1, 2, width_ratios=[1.5, 1])
image = ax_table.imshow(table, cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto")
ax_table.set(title="Sinusoidal positional encoding (d_model = 64)",
             xlabel="feature (even: sine, odd: cosine; left turns fastest)",
             ylabel="position in the sentence")  # fmt: skip
fig.colorbar(image, ax=ax_table, label="value")
for p in (0, 10, 30):
    ax_dots.plot(range(max_len), dots[p], label=f"PE({p}) · PE(q)")
ax_dots.set(title="Similarity of positions", xlabel="position q",
            ylabel="dot product (peak 32 = d_model / 2 at q = p)")  # fmt: skip
ax_dots.grid(alpha=0.3)
ax_dots.legend(fontsize=8)
save_figure(fig, OUT / "positional_encoding.png")

# %%
save_results(
    OUT,
    {
        "permutation_gap_without_positions": float(gap_without),
        "random_permutation_gaps": permutation_gaps,
        "cat_difference_without_positions": float(cat_without),
        "permutation_gap_with_positions": float(gap_with),
        "cat_difference_with_positions": float(cat_with),
        "rotation_error": float(rotation_error),
        "nearest_positions_distance": float(nearest),
    },
)

# %% [markdown]
# ## What we built
#
# - A measurement of attention's blindness to order: permuting the input
#   permutes the output, to rounding error, so "cat" the chaser and "cat" the
#   chased are the same vector.
# - The paper's sinusoidal table, checked against the formula: distinct for
#   every position, with $PE(p+k)$ a fixed rotation of $PE(p)$.
# - With the table added, order changes the outputs.
#
# Learned position vectors (a trained table, as in BERT and GPT) are the
# common alternative: `PositionalEncoding(..., learned=True)`. The paper
# found both work about equally well and chose sinusoids because they might
# extend to sentences longer than those seen in training.
#
# **Exercises**
#
# 1. Graded: `positional_encoding` (the table, and adding it to embeddings):
#    `python cli.py exercise check positional_encoding`.
# 2. Why is the peak of `PE(p)·PE(q)` exactly $d_{model}/2$? (Hint:
#    $\sin^2 + \cos^2$.)
# 3. Add the table *without* scaling the embeddings by $\sqrt{d_{model}}$.
#    Which one dominates the sum now?
