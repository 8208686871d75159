# %% [markdown] key="goals"

# %%
import math

import numpy as np

from lessons.i18n import lesson_text
from lessons.utils import FAST, figure, output_dir, save_figure, save_results, table
from tinygrad_tx import Tensor
from transformer import scaled_dot_product_attention
from transformer.pages import show_example_page

text = lesson_text(7)  # this lesson's printed labels, in the course's language
OUT = output_dir(7)
rng = np.random.default_rng(0)

# %% [markdown] key="thinking"

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
text.say("step_scores", first=raw[0], second=raw[1])
text.say("step_scaled", d_k=d_k, root=math.sqrt(d_k), first=scaled[0], second=scaled[1])
text.say("step_softmax", first=weights[0], second=weights[1])
text.say("step_output", first=weights[0], second=weights[1], start=np.round(z1[:4], 4))
text.say("slide_thinking")
text.say("course_thinking", first=weights[0], second=weights[1])

# %%
np.testing.assert_allclose(raw, [112.0, 96.0])
np.testing.assert_allclose(scaled, [14.0, 12.0])
assert round(weights[0], 2) == 0.88 and round(weights[1], 2) == 0.12
np.testing.assert_allclose(weights[0], 1 / (1 + math.exp(-2)))  # softmax of (14, 12)

# %% [markdown] key="page"

# %%
page = show_example_page("thinking-machines", OUT / "thinking_machines.html",
                         lang=text.language)  # fmt: skip

# %% [markdown] key="library"

# %%
q2 = rng.standard_normal(d_k)  # the query of "Machines", for a full matrix
Q = Tensor(np.stack([q1, q2])[None])  # (1, 2, d_k): batch of 1, two words
K = Tensor(np.stack([k1, k2])[None])
V = Tensor(np.stack([v1, v2])[None])
out, attn = scaled_dot_product_attention(Q, K, V)
out_composed, attn_composed = scaled_dot_product_attention(Q, K, V, fused=False)
text.say("library_row", word="Thinking", weights=np.round(attn.numpy()[0, 0], 4))
text.say("library_row", word="Machines", weights=np.round(attn.numpy()[0, 1], 4))

# %%
np.testing.assert_allclose(attn.numpy()[0, 0], weights, rtol=1e-12)
np.testing.assert_allclose(out.numpy()[0, 0], z1, rtol=1e-10)
np.testing.assert_allclose(out.numpy(), out_composed.numpy(), rtol=1e-10)
np.testing.assert_allclose(attn.numpy().sum(axis=-1), 1.0)

# %% [markdown] key="why_scale"

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

raw_, div_ = "QKᵀ", "/√d_k"
print(table(
    ["d_k", "var(q·k)", f"{text('col_largest')} {raw_}", f"{text('col_largest')} {div_}",
     f"{text('col_saturated')} {raw_}", f"{text('col_saturated')} {div_}",
     f"|grad| {raw_}", f"|grad| {div_}"],
    [[r["d_k"], f"{r['score_variance']:.1f}", f"{r['unscaled_max_weight']:.3f}",
      f"{r['scaled_max_weight']:.3f}", f"{r['unscaled_saturated']:.1%}",
      f"{r['scaled_saturated']:.1%}", f"{r['unscaled_grad']:.4f}",
      f"{r['scaled_grad']:.4f}"] for r in rows],
))  # fmt: skip

# %% [markdown] key="check_saturation"

# %%
for r in rows:
    assert 0.8 < r["score_variance"] / r["d_k"] < 1.25, r
big, small = rows[-1], rows[0]
assert big["unscaled_max_weight"] > 0.9 and big["unscaled_saturated"] > 0.5
assert big["unscaled_grad"] < 0.25 * small["unscaled_grad"]
scaled_grads = [r["scaled_grad"] for r in rows]
assert max(scaled_grads) < 1.2 * min(scaled_grads)
assert all(r["scaled_saturated"] < 0.05 for r in rows)
shrink = small["unscaled_grad"] / big["unscaled_grad"]
text.say("saturation_summary", largest=big["unscaled_max_weight"],
         saturated=big["unscaled_saturated"], shrink=shrink)  # fmt: skip

# %% [markdown] key="stability"

# %%
huge = np.array([1000.0, 990.0], dtype=np.float32)  # scores far larger than ours
with np.errstate(over="ignore", invalid="ignore"):
    naive = np.exp(huge) / np.exp(huge).sum()  # e^1000 overflows float32: inf / inf
stable = Tensor(huge).softmax(axis=-1).numpy()  # e^(s - max s): no overflow
text.say("overflow", naive=naive, stable=stable)
text.say("slide_scale")
text.say("course_scale", d_k=big["d_k"], variance=big["score_variance"],
         scaled=big["score_variance"] / big["d_k"], saturated=big["unscaled_saturated"],
         shrink=shrink, spread=max(scaled_grads) / min(scaled_grads))  # fmt: skip

# %%
assert np.isnan(naive).all() and np.isfinite(stable).all()
np.testing.assert_allclose(stable, [1 / (1 + math.exp(-10)), 1 / (1 + math.exp(10))],
                           rtol=1e-5)  # fmt: skip

# %%
fig = figure(12, 3.9)
ax_var, ax_max, ax_grad = fig.subplots(1, 3)
ds = [r["d_k"] for r in rows]
ax_var.loglog(ds, [r["score_variance"] for r in rows], "o-", label=text("legend_var"))
ax_var.loglog(ds, ds, "k:", label="d_k")
ax_var.set(title=text("title_var"), xlabel="d_k", ylabel=text("axis_var"))
for name, label in (("unscaled", "softmax(QKᵀ)"), ("scaled", "softmax(QKᵀ / √d_k)")):
    ax_max.semilogx(ds, [r[f"{name}_max_weight"] for r in rows], "o-", label=label)
    ax_grad.loglog(ds, [r[f"{name}_grad"] for r in rows], "o-", label=label)
ax_max.set(title=text("title_max"), xlabel="d_k", ylabel=text("axis_max"),
           ylim=(0, 1.02))  # fmt: skip
ax_grad.set(title=text("title_grad"), xlabel="d_k", ylabel=text("axis_grad"))
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
        "naive_softmax_of_1000_990": naive,
        "softmax_of_1000_990": stable,
    },
)

# %% [markdown] key="what_we_built"
