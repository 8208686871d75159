# %% [markdown]
# # Lesson 7: Scaled dot-product attention
#
# _"Thinking Machines": scores 112 and 96, divided by √64 = 8, softmax 0.88
# and 0.12, then the weighted sum of the values. And why the division by √d_k
# is there: without it the softmax saturates and stops learning._
#
# **Goals**
#
# - Follow one query through the formula of the paper, number by number:
#   $$\text{Attention}(Q, K, V) = \text{softmax}\!\left(\frac{QK^\top}{\sqrt{d_k}}\right)V.$$
# - Check the library's `scaled_dot_product_attention` against those numbers.
# - Measure what goes wrong without $\sqrt{d_k}$: the scores grow with the
#   dimension, the softmax puts almost all its weight on one key, and the
#   gradient through it shrinks.

# %%
import math

import numpy as np

from lessons.utils import FAST, figure, output_dir, save_figure, save_results
from tinygrad_tx import Tensor
from transformer import scaled_dot_product_attention

OUT = output_dir(7)
rng = np.random.default_rng(0)

# %% [markdown]
# ## "Thinking Machines", one query at a time
#
# Two words, "Thinking" and "Machines". Each has a query, a key and a value
# vector of size $d_k = 64$ (lesson 8 shows where they come from). We follow
# the query of "Thinking", $q_1$. Its dot products with the two keys are the
# slides' scores, $q_1 \cdot k_1 = 112$ and $q_1 \cdot k_2 = 96$. We draw
# random vectors and adjust each key along $q_1$ so that the dot products are
# exactly those numbers.

# %%
d_k = 64
q1 = rng.standard_normal(d_k)


def key_with_score(score: float) -> np.ndarray:
    """A random key k with q1 · k == score (move k along q1 by what is missing)."""
    k = rng.standard_normal(d_k)
    return k + (score - q1 @ k) / (q1 @ q1) * q1


k1, k2 = key_with_score(112.0), key_with_score(96.0)
v1, v2 = rng.standard_normal(d_k), rng.standard_normal(d_k)

raw = np.array([q1 @ k1, q1 @ k2])  # 1) dot products
scaled = raw / math.sqrt(d_k)  # 2) divide by √d_k = 8
weights = np.exp(scaled) / np.exp(scaled).sum()  # 3) softmax
z1 = weights[0] * v1 + weights[1] * v2  # 4) weighted sum of the values
print(f"1) scores    q1·k1 = {raw[0]:.0f}, q1·k2 = {raw[1]:.0f}")
print(f"2) / √{d_k} = {math.sqrt(d_k):.0f}:  {scaled[0]:.0f} and {scaled[1]:.0f}")
print(f"3) softmax:   {weights[0]:.4f} and {weights[1]:.4f}  (≈ 0.88 and 0.12)")
print(f"4) z1 = {weights[0]:.2f}·v1 + {weights[1]:.2f}·v2, first entries "
      f"{np.round(z1[:4], 4)}")  # fmt: skip

# %%
np.testing.assert_allclose(raw, [112.0, 96.0])
np.testing.assert_allclose(scaled, [14.0, 12.0])
assert round(weights[0], 2) == 0.88 and round(weights[1], 2) == 0.12
np.testing.assert_allclose(weights[0], 1 / (1 + math.exp(-2)))  # softmax of (14, 12)

# %% [markdown]
# The softmax of (14, 12) depends only on the gap of 2:
# $e^{14}/(e^{14}+e^{12}) = 1/(1+e^{-2}) = 0.8808$. Dividing by 8 shrank the
# gap from 16 to 2; without it the weights would be
# $1/(1+e^{-16}) \approx 0.9999999$ and $10^{-7}$: "Machines" would be
# ignored entirely.
#
# ## The same with the library, for every query at once
#
# `scaled_dot_product_attention(q, k, v)` takes matrices: one row per word.
# Row 1 of its output must be $z_1$ and row 1 of its weights (0.88, 0.12).
# It runs as one fused operation by default (`fused=True`, with a
# hand-derived backward); `fused=False` composes the same formula from
# matmul, divide and softmax. Both must agree.

# %%
q2 = rng.standard_normal(d_k)  # the query of "Machines", for a full matrix
Q = Tensor(np.stack([q1, q2])[None])  # (1, 2, d_k): batch of 1, two words
K = Tensor(np.stack([k1, k2])[None])
V = Tensor(np.stack([v1, v2])[None])
out, attn = scaled_dot_product_attention(Q, K, V)
out_composed, attn_composed = scaled_dot_product_attention(Q, K, V, fused=False)
print(f"weights of 'Thinking': {np.round(attn.numpy()[0, 0], 4)}")
print(f"weights of 'Machines': {np.round(attn.numpy()[0, 1], 4)}")

# %%
np.testing.assert_allclose(attn.numpy()[0, 0], weights, rtol=1e-12)
np.testing.assert_allclose(out.numpy()[0, 0], z1, rtol=1e-10)
np.testing.assert_allclose(out.numpy(), out_composed.numpy(), rtol=1e-10)
np.testing.assert_allclose(attn.numpy().sum(axis=-1), 1.0)

# %% [markdown]
# ## Why divide by $\sqrt{d_k}$?
#
# If the entries of $q$ and $k$ are independent with mean 0 and variance 1,
# the dot product $q \cdot k = \sum_{i=1}^{d_k} q_i k_i$ is a sum of $d_k$
# terms of variance 1: its variance is $d_k$, its typical size $\sqrt{d_k}$.
# Dividing by $\sqrt{d_k}$ brings the scores back to variance 1, whatever the
# dimension.
#
# Why care? Large scores make the softmax *saturate*: one key gets nearly all
# the weight. And a saturated softmax has almost no gradient, since
# $\partial w_i / \partial s_j = w_i(\delta_{ij} - w_j)$ is close to 0 when
# every $w$ is close to 0 or 1. Training moves the scores through that
# gradient, so a saturated attention stops learning.
#
# We measure it: for each $d_k$, 2000 random queries against 10 random keys
# each; the variance of the raw scores, the mean of the largest weight, the
# fraction of queries with one weight above 0.99, and the size of the
# gradient that reaches the scores (for a random upstream gradient), with and
# without the division.

# %%
N_QUERIES, N_KEYS = (500 if FAST else 2000), 10
dims = [4, 16, 64, 256, 1024]
rows = []
for dim in dims:
    q = rng.standard_normal((N_QUERIES, 1, dim))
    k = rng.standard_normal((N_QUERIES, N_KEYS, dim))
    raw_scores = (q @ k.transpose(0, 2, 1))[:, 0, :]  # (N, 10)
    upstream = rng.standard_normal(raw_scores.shape)
    row = {"d_k": dim, "score_variance": float(raw_scores.var())}
    for name, divisor in (("unscaled", 1.0), ("scaled", math.sqrt(dim))):
        s = Tensor(raw_scores / divisor, requires_grad=True)
        w = s.softmax(axis=-1)
        (w * Tensor(upstream)).sum().backward()
        largest = w.numpy().max(axis=-1)
        row[f"{name}_max_weight"] = float(largest.mean())
        row[f"{name}_saturated"] = float((largest > 0.99).mean())
        row[f"{name}_grad"] = float(np.linalg.norm(s.grad, axis=-1).mean())
    rows.append(row)

print(f"{'d_k':>5} {'var(q·k)':>9} | {'largest weight':>15} | {'share > 0.99':>13} | "
      f"{'|grad at scores|':>17}")  # fmt: skip
print(
    f"{'':>15} | {'raw':>7} {'/√d_k':>7} | {'raw':>6} {'/√d_k':>6} | {'raw':>8} {'/√d_k':>8}"
)
for r in rows:
    print(f"{r['d_k']:>5} {r['score_variance']:>9.1f} | {r['unscaled_max_weight']:>7.3f} "
          f"{r['scaled_max_weight']:>7.3f} | {r['unscaled_saturated']:>6.1%} "
          f"{r['scaled_saturated']:>6.1%} | {r['unscaled_grad']:>8.4f} "
          f"{r['scaled_grad']:>8.4f}")  # fmt: skip

# %% [markdown]
# ### Check
#
# The variance of the raw scores tracks $d_k$. Without the division, the
# largest weight creeps towards 1, most queries end up saturated at
# $d_k = 1024$, and the gradient shrinks several-fold between $d_k = 4$
# and $d_k = 1024$ (the factor is printed below). With the division, all three stay where they
# were at $d_k = 4$.

# %%
for r in rows:
    assert 0.8 < r["score_variance"] / r["d_k"] < 1.25, r
big, small = rows[-1], rows[0]
assert big["unscaled_max_weight"] > 0.9 and big["unscaled_saturated"] > 0.5
assert big["unscaled_grad"] < 0.25 * small["unscaled_grad"]
scaled_grads = [r["scaled_grad"] for r in rows]
assert max(scaled_grads) < 1.2 * min(scaled_grads)
assert all(r["scaled_saturated"] < 0.05 for r in rows)
print(f"at d_k = 1024 without √d_k: mean largest weight {big['unscaled_max_weight']:.3f}, "
      f"{big['unscaled_saturated']:.0%} of queries saturated, gradient "
      f"{small['unscaled_grad'] / big['unscaled_grad']:.1f}x smaller than at d_k = 4")  # fmt: skip

# %%
fig = figure(12, 3.9)
ax_var, ax_max, ax_grad = fig.subplots(1, 3)
ds = [r["d_k"] for r in rows]
ax_var.loglog(ds, [r["score_variance"] for r in rows], "o-", label="measured var(q·k)")
ax_var.loglog(ds, ds, "k:", label="d_k")
ax_var.set(title="Raw scores grow with d_k", xlabel="d_k", ylabel="variance of q·k")
for name, label in (("unscaled", "softmax(QKᵀ)"), ("scaled", "softmax(QKᵀ / √d_k)")):
    ax_max.semilogx(ds, [r[f"{name}_max_weight"] for r in rows], "o-", label=label)
    ax_grad.loglog(ds, [r[f"{name}_grad"] for r in rows], "o-", label=label)
ax_max.set(title="Largest weight (10 keys)", xlabel="d_k", ylabel="mean largest weight",
           ylim=(0, 1.02))  # fmt: skip
ax_grad.set(title="Gradient reaching the scores", xlabel="d_k",
            ylabel="mean |∂L/∂scores|")  # fmt: skip
for ax in (ax_var, ax_max, ax_grad):
    ax.set_xticks(ds, [str(d) for d in ds])
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
save_figure(fig, OUT / "softmax_saturation.png")

# %%
save_results(
    OUT,
    {
        "scores": raw,
        "scaled_scores": scaled,
        "weights": weights,
        "library_weights": attn.numpy()[0, 0],
        "saturation": rows,
    },
)

# %% [markdown]
# ## What we built
#
# - The paper's formula, step by step on "Thinking Machines": 112 and 96,
#   divided by 8, give 14 and 12, and the softmax gives 0.88 and 0.12; the
#   output is $0.88\, v_1 + 0.12\, v_2$.
# - `scaled_dot_product_attention` reproduces those numbers, fused or composed.
# - The reason for $\sqrt{d_k}$, measured: without it the scores' variance is
#   $d_k$, the softmax saturates and its gradient shrinks as $d_k$ grows.
#
# **Exercises**
#
# 1. Graded: `scaled_dot_product_attention` (write it with Tensor ops, mask
#    included): `python cli.py exercise check scaled_dot_product_attention`.
# 2. Divide by $d_k$ instead of $\sqrt{d_k}$. What happens to the weights at
#    $d_k = 1024$? Is that better or worse?
# 3. Draw the graph of the composed attention:
#    `python cli.py render-graph attention --format png`.
