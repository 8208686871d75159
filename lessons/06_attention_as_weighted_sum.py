# %% [markdown] key="goals"

# %%
import numpy as np

from lessons.i18n import lesson_text
from lessons.utils import figure, heatmap, output_dir, save_figure, save_results, table
from tinygrad_tx import Tensor

text = lesson_text(6)  # this lesson's printed labels, in the course's language
OUT = output_dir(6)

# %% [markdown] key="table"

# %%
y = Tensor([3.0, 4.0, 5.0, 6.0, 5.0])
w = Tensor([2.0, 1.7, 1.5, 1.0, 0.8])
weighted = y * w
total = weighted.sum().item()
average = (weighted.sum() / w.sum()).item()
text.say("slide_table")
print(table(
    ["y", text("col_weight"), "y·" + text("col_weight")],
    [[f"{a:.0f}", f"{b:.1f}", f"{c:.1f}"]
     for a, b, c in zip(y.numpy(), w.numpy(), weighted.numpy())],
))  # fmt: skip
text.say("course_table", total=total, weights=w.sum().item(), average=average,
         plain=y.mean().item())  # fmt: skip

# %% [markdown] key="check_table"

# %%
np.testing.assert_allclose(weighted.numpy(), [6.0, 6.8, 7.5, 6.0, 4.0], rtol=1e-6)
assert abs(total - 30.3) < 1e-5 and abs(w.sum().item() - 7.0) < 1e-6
assert y.numpy().min() <= average <= y.numpy().max() < total

# %% [markdown] key="softmax"

# %%
scores = Tensor([2.0, 1.0, 0.1, -1.0, -3.0])
weights = scores.softmax(axis=-1)
text.say("scores", scores=scores.numpy())
text.say("softmax", weights=np.round(weights.numpy(), 4), total=weights.sum().item())
from_logs = w.log().softmax(axis=-1)
text.say("softmax_of_logs", weights=np.round(from_logs.numpy(), 4))

# %%
assert abs(weights.sum().item() - 1) < 1e-6 and (weights.numpy() > 0).all()
np.testing.assert_allclose(from_logs.numpy(), (w / w.sum()).numpy(), rtol=1e-6)

# %% [markdown] key="manga"

# %%
VECTORS = {  # (fruit, clothing), written by hand
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
    "sleeve": ["manga", "da", "minha", "camiseta"],  # the slide's sentence
    "mango": ["a", "manga", "está", "madura"],
}
results = {}
for meaning, words in sentences.items():
    W, Y = contextualise(words)
    i = words.index("manga")
    results[meaning] = {"words": words, "weights": W, "manga": Y[i]}
    text.say("moved", sentence=" ".join(words), before=VECTORS["manga"],
             after=np.round(Y[i], 3).tolist())  # fmt: skip
    print("   " + ", ".join(f"{w_}: {v:.3f}" for w_, v in zip(words, W[i])))

# %% [markdown] key="slide_formula"

# %%
W1, Y1 = results["sleeve"]["weights"][0], results["sleeve"]["manga"]
terms = " + ".join(f"{W1[j]:.3f}·V{j + 1}" for j in range(4))
text.say("slide_manga")
text.say("course_manga", terms=terms, y1=np.round(Y1, 3).tolist())

# %%
V = np.array([VECTORS[word] for word in sentences["sleeve"]])  # V1 .. V4
np.testing.assert_allclose(Y1, sum(W1[j] * V[j] for j in range(4)), rtol=1e-6)

# %% [markdown] key="check"

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
    label = text("legend_manga", sentence=" ".join(sentences[meaning]))
    ax_vec.scatter(*results[meaning]["manga"], color=color, zorder=3, label=label)
ax_vec.set(xlabel=text("axis_fruit"), ylabel=text("axis_clothing"), xlim=(-0.2, 2.4),
           ylim=(-0.2, 2.4), title=text("title_moved"))  # fmt: skip
ax_vec.set_aspect("equal")
ax_vec.grid(alpha=0.3)
ax_vec.legend(fontsize=8, loc="lower left")
for ax, meaning in ((ax_sleeve, "sleeve"), (ax_mango, "mango")):
    words = results[meaning]["words"]
    heatmap(ax, results[meaning]["weights"], words, words, vmin=0, vmax=1,
            title=text("title_weights", sentence=" ".join(words)),
            xlabel=text("axis_looked_at"), ylabel=text("axis_new_vector"))  # fmt: skip
    ax.title.set_fontsize(10)
save_figure(fig, OUT / "manga_in_context.png")

# %%
save_results(
    OUT,
    {
        "table_products": weighted.numpy(),
        "table_sum": total,
        "table_weight_sum": w.sum().item(),
        "table_weighted_average": average,
        "slide_sentence_weights": W1,
        "manga_sleeve": sleeve,
        "manga_mango": mango,
    },
)

# %% [markdown] key="what_we_built"
