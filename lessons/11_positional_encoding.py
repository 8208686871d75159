# %% [markdown] key="goals"

# %%
import math

import numpy as np

import tinygrad_tx
from lessons.i18n import lesson_text
from lessons.utils import figure, output_dir, save_figure, save_results
from tinygrad_tx import Tensor, nn, no_grad
from transformer import EncoderLayer, PositionalEncoding, sinusoidal_table

text = lesson_text(11)  # this lesson's printed labels, in the course's language
OUT = output_dir(11)
rng = np.random.default_rng(0)

# %% [markdown] key="blind_to_order"

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
text.say("without_positions", gap=gap_without, cat=cat_without)

# %% [markdown] key="check_permutation"

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
text.say("random_permutations", gap=max(permutation_gaps))
assert max(permutation_gaps) < 1e-5

# %% [markdown] key="sinusoidal_table"

# %%
max_len, d = 60, 64
table = sinusoidal_table(max_len, d)  # (60, 64)
pos, i = 7, 5
by_formula = (
    math.sin(pos / 10000 ** (2 * i / d)),
    math.cos(pos / 10000 ** (2 * i / d)),
)
print(f"PE[{pos}, {2 * i}] = {table[pos, 2 * i]:.6f}, PE[{pos}, {2 * i + 1}] = "
      f"{table[pos, 2 * i + 1]:.6f}")  # fmt: skip
text.say("by_formula", sin=by_formula[0], cos=by_formula[1])
nearest = min(
    np.linalg.norm(table[p] - table[q]) for p in range(max_len) for q in range(p)
)
text.say("slide_unique")
text.say("course_unique", positions=max_len, nearest=nearest)

# %%
np.testing.assert_allclose(table[pos, 2 * i : 2 * i + 2], by_formula, rtol=1e-12)
assert nearest > 0.1  # every position is distinguishable

# %% [markdown] key="rotation"

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
text.say("rotation_error", k=k, error=rotation_error)
text.say("offset_spread", spread=offset_spread)

# %%
assert rotation_error < 1e-10 and offset_spread < 1e-9
np.testing.assert_allclose(np.diag(dots), d / 2)  # sin² + cos² = 1, d/2 times

# %% [markdown] key="with_positions"

# %%
ids = np.array([[words.index(w) for w in a.split()]])
scaled = embed(ids) * math.sqrt(d_model)  # the scaled embeddings, (1, 5, d_model)
added = add_positions(scaled).numpy()[0] - scaled.numpy()[0]  # what it added
added_gap = float(np.abs(added - sinusoidal_table(len(added), d_model)).max())
text.say("added", gap=added_gap)
assert added_gap < 1e-5
pe_a, pe_b = encode(a, positions=True), encode(b, positions=True)
gap_with = np.abs(pe_a[swap] - pe_b).max()
cat_with = np.abs(pe_a[1] - pe_b[4]).max()
text.say("with_positions", gap=gap_with, cat=cat_with)
assert gap_with > 0.1 and cat_with > 0.1

# %%
fig = figure(13, 4.4)
ax_table, ax_dots = fig.subplots(1, 2, width_ratios=[1.5, 1])
image = ax_table.imshow(table, cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto")
ax_table.set(title=text("title_table", d=d), xlabel=text("axis_feature"),
             ylabel=text("axis_position"))  # fmt: skip
fig.colorbar(image, ax=ax_table, label=text("colorbar_value"))
for p in (0, 10, 30):
    ax_dots.plot(range(max_len), dots[p], label=f"PE({p}) · PE(q)")
ax_dots.set(title=text("title_dots"), xlabel=text("axis_q"),
            ylabel=text("axis_dot", peak=d // 2))  # fmt: skip
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
        "peak_dot": float(dots.max()),
        "added_is_the_table": added_gap,
    },
)

# %% [markdown] key="what_we_built"
