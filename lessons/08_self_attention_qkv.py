# %% [markdown] key="goals"

# %%
import math

import numpy as np
from matplotlib.patches import Rectangle

import tinygrad_tx
from lessons.i18n import lesson_text
from lessons.utils import FAST, figure, heatmap, output_dir, save_figure, save_results
from tinygrad_tx import Tensor, nn, no_grad, optim
from tinygrad_tx import functional as F
from transformer import scaled_dot_product_attention

text = lesson_text(8)  # this lesson's printed labels, in the course's language
OUT = output_dir(8)
rng = np.random.default_rng(0)

# %% [markdown] key="roles"


# %%
class SelfAttention(nn.Module):
    """Embedding, one self-attention layer, and a classifier read at the last
    word: logits over the vocabulary for "which word is the last one about?".
    No positional encoding: the layer sees which words there are, not where."""

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


# %% [markdown] key="task"

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
text.say("example", sentence=" ".join(words[i] for i in example[0]),
         answer=words[answer[0]])  # fmt: skip

# %% [markdown] key="shapes"

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

# %% [markdown] key="training"

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
name_ids = [stoi[n] for n in WOMEN + MEN]
names_per_sentence = sorted({int(np.isin(row, name_ids).sum()) for row in test_ids})
always_woman = float(np.isin(test_answers, [stoi[w] for w in WOMEN]).mean())
text.say("trained", first=losses[0], last=losses[-1], accuracy=test_accuracy)
text.say("baseline", names=names_per_sentence[0], always_woman=always_woman)

# %% [markdown] key="reading"

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
        "logits": logits.numpy()[0],
        "prediction": words[int(logits.numpy().argmax())],
        "weight_on_ana": float(last_row[sentence.index("ana")]),
        "weight_on_pedro": float(last_row[sentence.index("pedro")]),
    }
    text.say("showcase", sentence=" ".join(sentence),
             prediction=showcase[pronoun]["prediction"], ana=last_row[0],
             pedro=last_row[6], primo=last_row[9])  # fmt: skip

# %% [markdown] key="no_positions"

# %%
text.say("slide_proximity")
sentence = showcase["dela"]["sentence"]  # the same words, "ana" moved next to "dela"
shuffled = [w for w in sentence if w not in ("ana", "dela")] + ["ana", "dela"]
with no_grad():
    shuffled_logits = model(np.array([[stoi[w] for w in shuffled]])).numpy()[0]
shuffled_row = model.weights.numpy()[0, -1]
order_gap = float(np.abs(shuffled_logits - showcase["dela"]["logits"]).max())
text.say("course_proximity", sentence=" ".join(shuffled), gap=order_gap,
         before=showcase["dela"]["weight_on_ana"],
         after=float(shuffled_row[shuffled.index("ana")]))  # fmt: skip

# %% [markdown] key="check"

# %%
assert names_per_sentence == [2], names_per_sentence  # every sentence: 2 names
assert test_accuracy > 0.95, test_accuracy
assert 0.45 < always_woman < 0.55, always_woman
assert (
    showcase["dela"]["prediction"] == "ana"
    and showcase["dele"]["prediction"] == "pedro"
)
assert showcase["dela"]["weight_on_ana"] > 0.9
assert showcase["dele"]["weight_on_pedro"] > 0.9
assert sorted(shuffled) == sorted(showcase["dela"]["sentence"])
assert order_gap < 1e-4, order_gap  # float32 rounding only: the order is invisible

# %% [markdown] key="heatmaps"

# %%
fig = figure(13, 5.6)
for ax, pronoun in zip(fig.subplots(1, 2), ("dela", "dele")):
    sentence = showcase[pronoun]["sentence"]
    title = text("title_heatmap", sentence=" ".join(sentence),
                 prediction=showcase[pronoun]["prediction"])  # fmt: skip
    heatmap(ax, showcase[pronoun]["weights"], sentence, sentence, vmin=0, vmax=1,
            annotate=False, title=title, xlabel=text("axis_key"),
            ylabel=text("axis_query"), colorbar_label=text("colorbar"))  # fmt: skip
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
        "names_per_sentence": names_per_sentence,
        "always_woman_accuracy": always_woman,
        "dela_weight_on_ana": showcase["dela"]["weight_on_ana"],
        "dele_weight_on_pedro": showcase["dele"]["weight_on_pedro"],
        "predictions": {p: s["prediction"] for p, s in showcase.items()},
        "shuffled_logit_gap": order_gap,
        "d_k": 16,
        "scale": math.sqrt(16),
    },
)

# %% [markdown] key="what_we_built"
