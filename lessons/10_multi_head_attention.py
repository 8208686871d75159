# %% [markdown]
# # Lesson 10: Multi-head attention
#
# _One softmax can only look in one direction at a time. Split the model into
# h heads, let each attend on its own, concatenate, mix with W_O. On a task
# that needs two directions at once, two heads learn one each._
#
# **Goals**
#
# - Split $d_{model}$ into $h$ heads of size $d_k = d_{model}/h$, attend in
#   each, concatenate and project:
#   $$\text{MultiHead}(Q,K,V) = \text{Concat}(\text{head}_1, \dots,
#   \text{head}_h)\,W^O, \quad \text{head}_i = \text{Attention}(QW_i^Q, KW_i^K, VW_i^V).$$
# - Check `MultiHeadAttention` against a plain loop over heads.
# - See that more heads cost no extra parameters.
# - Train one head and two heads on a task that needs two relations at once,
#   and look at what each head learned.

# %%
import math

import numpy as np

import tinygrad_tx
from lessons.utils import FAST, figure, heatmap, output_dir, save_figure, save_results
from tinygrad_tx import Tensor, nn, no_grad, optim
from tinygrad_tx import functional as F
from transformer import (
    MultiHeadAttention,
    PositionalEncoding,
    scaled_dot_product_attention,
)

OUT = output_dir(10)
rng = np.random.default_rng(0)

# %% [markdown]
# ## Split, attend, concatenate, project
#
# The $h$ projections of size $d_k$ are stored as one `Linear` of size
# $d_{model}$ each for queries, keys and values: its output is *reshaped* into
# heads, so no loop over heads is needed.
#
# 1. project: $(B, L, d_{model})$ with `w_q`, `w_k`, `w_v`;
# 2. split: reshape to $(B, L, h, d_k)$, then transpose to $(B, h, L, d_k)$;
# 3. attend: every head at once, weights $(B, h, L, L)$;
# 4. concatenate: transpose back to $(B, L, h, d_k)$ and reshape to
#    $(B, L, d_{model})$;
# 5. mix: `w_o`, a $d_{model} \times d_{model}$ matrix that lets the heads'
#    results combine.
#
# We check the module against the same computation written as a loop, one
# head at a time, each using its own slice of the projection matrices.

# %%
tinygrad_tx.manual_seed(0)
d_model, n_heads = 16, 4
d_k = d_model // n_heads
mha = MultiHeadAttention(d_model, n_heads)
x = Tensor(rng.standard_normal((2, 5, d_model)), dtype=np.float32)  # (B, L, d_model)
with no_grad():
    out = mha(x, x, x).numpy()  # (2, 5, 16)


def linear(x: np.ndarray, layer: nn.Linear, rows: slice) -> np.ndarray:
    """x W[rows]ᵀ + b[rows]: the part of a projection that feeds one head."""
    return x @ layer.weight.numpy()[rows].T + layer.bias.numpy()[rows]


heads = []
for h in range(n_heads):
    rows = slice(h * d_k, (h + 1) * d_k)  # head h owns features h·d_k .. (h+1)·d_k - 1
    q, k, v = (Tensor(linear(x.numpy(), w, rows)) for w in (mha.w_q, mha.w_k, mha.w_v))
    heads.append(scaled_dot_product_attention(q, k, v)[0].numpy())  # (B, L, d_k)
concatenated = np.concatenate(heads, axis=-1)  # (B, L, d_model)
by_loop = concatenated @ mha.w_o.weight.numpy().T + mha.w_o.bias.numpy()
print(f"input {x.shape} -> {n_heads} heads of d_k = {d_k}: weights "
      f"{mha.attn_weights.shape} -> output {out.shape}")  # fmt: skip
print(f"largest difference module vs loop: {np.abs(out - by_loop).max():.2e}")

# %%
np.testing.assert_allclose(out, by_loop, rtol=1e-4, atol=1e-5)

# %% [markdown]
# ## Heads are free
#
# Splitting does not add parameters: whatever $h$, the four matrices are
# $d_{model} \times d_{model}$ with their biases, $4(d_{model}^2 + d_{model})$
# numbers. The heads share the width; each one only sees $d_k$ features.

# %%
counts = {h: MultiHeadAttention(32, h).num_parameters() for h in (1, 2, 4, 8)}
print(f"parameters of MultiHeadAttention(d_model = 32, h): {counts} "
      f"(4 (32² + 32) = {4 * (32**2 + 32)})")  # fmt: skip
assert set(counts.values()) == {4 * (32**2 + 32)}

# %% [markdown]
# ## A task that needs two directions at once
#
# Sequences of 8 random symbols (a to j). At every position the model must
# name **both** neighbours: the symbol before it and the symbol after it (or
# "none" at the ends). The model: embeddings scaled by $\sqrt{d_{model}}$
# plus sinusoidal positions (lesson 11), one multi-head attention layer, and
# a linear layer with two outputs per position, "previous" and "next".
#
# With one head the output at position $t$ is *one* weighted average of the
# values. Putting weight on both $t-1$ and $t+1$ gives
# $w\,v_{t-1} + w'\,v_{t+1}$: the two symbols are added together, and which one
# came first is hard to recover. With two heads, one can look back and the
# other forward, and the concatenation keeps them apart.

# %%
SYMBOLS = list("abcdefghij")
V, L, D_MODEL = len(SYMBOLS), 8, 32
NONE = V  # the extra class "no neighbour"


def make_batch(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(symbols (n, L), previous (n, L), next (n, L)), with NONE at the ends."""
    x = rng.integers(0, V, (n, L))
    ends = np.full((n, 1), NONE)
    return x, np.concatenate([ends, x[:, :-1]], 1), np.concatenate([x[:, 1:], ends], 1)


class NeighbourModel(nn.Module):
    def __init__(self, n_heads: int):
        self.embed = nn.Embedding(V, D_MODEL)
        nn.init.xavier_uniform_(self.embed.weight)  # as the Transformer initialises it
        self.positions = PositionalEncoding(D_MODEL, max_len=16, dropout=0.0)
        self.attn = MultiHeadAttention(D_MODEL, n_heads)
        self.out = nn.Linear(D_MODEL, 2 * (V + 1))

    def forward(self, ids: np.ndarray) -> Tensor:
        h = self.positions(self.embed(ids) * math.sqrt(D_MODEL))  # (B, L, d)
        z = self.attn(h, h, h)  # (B, L, d)
        return self.out(z).reshape(len(ids), L, 2, V + 1)  # previous and next logits


STEPS = 300 if FAST else 600
models, results = {}, {}
for n_heads in (1, 2):
    tinygrad_tx.manual_seed(0)
    model = NeighbourModel(n_heads)
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    for _ in range(STEPS):
        x, previous, following = make_batch(64)
        optimizer.zero_grad()
        logits = model(x)
        loss = F.cross_entropy(logits[:, :, 0], previous) + F.cross_entropy(
            logits[:, :, 1], following
        )
        loss.backward()
        optimizer.step()
    x, previous, following = make_batch(1000)
    with no_grad():
        guess = model(x).numpy().argmax(axis=-1)  # (1000, L, 2)
    inner = slice(1, L - 1)  # positions with two real neighbours
    prev_ok = guess[:, inner, 0] == previous[:, inner]
    next_ok = guess[:, inner, 1] == following[:, inner]
    w = model.attn.attn_weights.numpy().mean(axis=0)  # (H, L, L), mean over the batch
    models[n_heads] = model
    results[n_heads] = {
        "previous_accuracy": float(prev_ok.mean()),
        "next_accuracy": float(next_ok.mean()),
        "both_accuracy": float((prev_ok & next_ok).mean()),
        "weight_on_previous": [
            float(np.diag(w[h], k=-1)[:-1].mean()) for h in range(n_heads)
        ],
        "weight_on_next": [
            float(np.diag(w[h], k=1)[1:].mean()) for h in range(n_heads)
        ],
    }
    r = results[n_heads]
    print(f"{n_heads} head(s): previous {r['previous_accuracy']:.1%}, next "
          f"{r['next_accuracy']:.1%}, both right {r['both_accuracy']:.1%} (chance 1%)")  # fmt: skip
    for h in range(n_heads):
        print(f"   head {h + 1}: mean weight on t-1 {r['weight_on_previous'][h]:.2f}, "
              f"on t+1 {r['weight_on_next'][h]:.2f}")  # fmt: skip

# %% [markdown]
# ### Check
#
# Two heads solve the task; one head of the same total width does not. And
# the two heads divided the work: one puts most of its weight on the previous
# position, the other on the next.

# %%
one, two = results[1], results[2]
assert two["both_accuracy"] > 0.95, two
assert one["both_accuracy"] < 0.75, one
back = int(np.argmax(two["weight_on_previous"]))
forward = 1 - back
assert two["weight_on_previous"][back] > 0.5 and two["weight_on_next"][forward] > 0.5, (
    two
)
print(f"head {back + 1} looks back, head {forward + 1} looks forward")

# %%
x, _, _ = make_batch(1)
labels = [f"{t}:{SYMBOLS[s]}" for t, s in enumerate(x[0])]
with no_grad():
    models[2](x)
    two_heads = models[2].attn.attn_weights.numpy()[0]  # (2, L, L)
    models[1](x)
    one_head = models[1].attn.attn_weights.numpy()[0]  # (1, L, L)
fig = figure(15, 4.8)
panels = [
    (one_head[0], f"1 head (both right {one['both_accuracy']:.0%})"),
    (two_heads[back], f"2 heads: head {back + 1} (looks back)"),
    (two_heads[forward], f"2 heads: head {forward + 1} (looks forward)"),
]
for ax, (weights, title) in zip(fig.subplots(1, 3), panels):
    heatmap(ax, weights, labels, labels, vmin=0, vmax=1, fmt="{:.1f}", title=title,
            xlabel="key: position:symbol", ylabel="query: position:symbol")  # fmt: skip
fig.suptitle("Attention weights on one sequence: name both neighbours of every symbol")
save_figure(fig, OUT / "heads.png")

# %%
save_results(OUT, {"parameters_by_heads": counts, "steps": STEPS, "results": results})

# %% [markdown]
# ## What we built
#
# - Multi-head attention as reshape, attend, reshape back, project, checked
#   against a loop over heads.
# - The parameter count does not depend on the number of heads.
# - A measured reason for several heads: one head blends the two neighbours
#   into one average and gets both right only part of the time; two heads
#   specialise, one backwards and one forwards, and get both right.
#
# In the translator, heads specialise the same way on relations such as
# adjective-noun or subject-verb (lesson 15 shows its cross-attention).
#
# **Exercises**
#
# 1. Graded: `split_merge_heads` (the reshapes that split $d_{model}$ into
#    heads and merge them back): `python cli.py exercise check split_merge_heads`.
# 2. Train with 4 heads. Do two heads do the work and two idle, or do they
#    share it?
# 3. Ask for three relations (previous, next, and two steps back). How many
#    heads do you need?
