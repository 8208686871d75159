# %% [markdown] key="goals"

# %%
import math

import numpy as np

import tinygrad_tx
from lessons.i18n import lesson_text
from lessons.utils import FAST, figure, heatmap, output_dir, save_figure, save_results
from tinygrad_tx import Tensor, nn, no_grad, optim
from tinygrad_tx import functional as F
from transformer import (
    MultiHeadAttention,
    PositionalEncoding,
    scaled_dot_product_attention,
)

text = lesson_text(10)  # this lesson's printed labels, in the course's language
OUT = output_dir(10)
rng = np.random.default_rng(0)

# %% [markdown] key="split_attend"

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
loop_gap = float(np.abs(out - by_loop).max())
print(f"x {x.shape} -> {n_heads} x d_k = {d_k} -> weights {mha.attn_weights.shape} "
      f"-> out {out.shape}")  # fmt: skip
text.say("loop_gap", gap=loop_gap)
np.testing.assert_allclose(out, by_loop, rtol=1e-4, atol=1e-5)

# %% [markdown] key="sum_over_heads"

# %%
W_O = mha.w_o.weight.numpy().T  # (d_model, d_model): Concat(heads) @ W_O, as written
b_O = mha.w_o.bias.numpy()  # (nn.Linear stores Wᵀ: its output is x Wᵀ + b)
shares = [heads[h] @ W_O[h * d_k : (h + 1) * d_k] for h in range(n_heads)]  # (B, L, d)
by_sum = sum(shares) + b_O  # Σ_h head_h W_O^(h), and the bias once
sum_gap = float(np.abs(out - by_sum).max())
text.say("slide_sum")
text.say("course_sum", gap=sum_gap, h=n_heads, d_k=d_k, d_model=d_model)
terms = [s[0, 0, 0] for s in shares]  # the first token's first feature, per head
text.say("token_shares", terms=" + ".join(f"({t:.4f})" for t in terms),
         bias=b_O[0], total=sum(terms) + b_O[0], module=out[0, 0, 0])  # fmt: skip
assert sum_gap < 1e-5, sum_gap

# %% [markdown] key="heads_are_free"

# %%
counts = {h: MultiHeadAttention(32, h).num_parameters() for h in (1, 2, 4, 8)}
text.say("parameters", counts=counts, formula=4 * (32**2 + 32))
assert set(counts.values()) == {4 * (32**2 + 32)}

# %% [markdown] key="two_directions"

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
    """Embeddings and positions, one multi-head attention layer, and a linear
    layer with two outputs per position: the previous and the next symbol."""

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


def train(n_heads: int, steps: int) -> NeighbourModel:
    """A NeighbourModel with `n_heads` heads, trained with Adam from seed 0."""
    tinygrad_tx.manual_seed(0)
    model = NeighbourModel(n_heads)
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    for _ in range(steps):
        x, previous, following = make_batch(64)
        optimizer.zero_grad()
        logits = model(x)
        loss = F.cross_entropy(logits[:, :, 0], previous) + F.cross_entropy(
            logits[:, :, 1], following
        )
        loss.backward()
        optimizer.step()
    return model


def measure(model: NeighbourModel) -> dict:
    """On 1000 new sequences: the accuracies at the inner positions (two real
    neighbours), and each head's mean weight on t-1 and on t+1 there."""
    x, previous, following = make_batch(1000)
    with no_grad():
        guess = model(x).numpy().argmax(axis=-1)  # (1000, L, 2)
    inner = slice(1, L - 1)
    prev_ok = guess[:, inner, 0] == previous[:, inner]
    next_ok = guess[:, inner, 1] == following[:, inner]
    w = model.attn.attn_weights.numpy().mean(axis=0)  # (H, L, L), mean over the batch
    return {
        "previous_accuracy": float(prev_ok.mean()),
        "next_accuracy": float(next_ok.mean()),
        "both_accuracy": float((prev_ok & next_ok).mean()),
        "weight_on_previous": [float(np.diag(wh, k=-1)[:-1].mean()) for wh in w],
        "weight_on_next": [float(np.diag(wh, k=1)[1:].mean()) for wh in w],
    }


STEPS = 300 if FAST else 600
models, results = {}, {}
for n_heads in (1, 2, 4):
    models[n_heads] = train(n_heads, STEPS)
    results[n_heads] = r = measure(models[n_heads])
    text.say("run", heads=n_heads, previous=r["previous_accuracy"],
             next=r["next_accuracy"], both=r["both_accuracy"])  # fmt: skip
    for h in range(n_heads):
        text.say("head_weights", head=h + 1, previous=r["weight_on_previous"][h],
                 next=r["weight_on_next"][h])  # fmt: skip

# %% [markdown] key="check_two_heads"

# %%
one, two = results[1], results[2]
assert two["both_accuracy"] > 0.95, two
assert one["both_accuracy"] < 0.75, one
back = int(np.argmax(two["weight_on_previous"]))
forward = 1 - back
assert two["weight_on_previous"][back] > 0.5 and two["weight_on_next"][forward] > 0.5, (
    two
)
text.say("who_does_what", back=back + 1, forward=forward + 1)

# %% [markdown] key="four_heads"

# %%
four = results[4]
previous_w = np.array(four["weight_on_previous"])
next_w = np.array(four["weight_on_next"])
back4, forward4 = int(previous_w.argmax()), int(next_w.argmax())
spare = [h for h in range(4) if h not in (back4, forward4)]
on_neighbours = {h + 1: float(previous_w[h] + next_w[h]) for h in spare}
even = 2 / L  # the weight an even spread over the L positions puts on two of them
text.say("four_roles", both=four["both_accuracy"], back=back4 + 1, forward=forward4 + 1,
         spare_heads=", ".join(str(h) for h in on_neighbours),
         spare=", ".join(f"{w:.2f}" for w in on_neighbours.values()),
         even=even)  # fmt: skip

# %% [markdown] key="check_four_heads"

# %%
assert four["both_accuracy"] > 0.95, four
assert previous_w[back4] > 0.5 and next_w[forward4] > 0.5 and back4 != forward4, four
main = [float(previous_w[h] + next_w[h]) for h in (back4, forward4)]
assert even + 0.05 < min(on_neighbours.values()), on_neighbours  # part of the work
assert max(on_neighbours.values()) < min(main), (on_neighbours, main)  # less sharply

# %%
x, _, _ = make_batch(1)
labels = [f"{t}:{SYMBOLS[s]}" for t, s in enumerate(x[0])]
weights = {}
with no_grad():
    for n_heads, model in models.items():
        model(x)
        weights[n_heads] = model.attn.attn_weights.numpy()[0]  # (H, L, L)
fig = figure(16, 9.6)
top, bottom = fig.subfigures(2, 1)
panels = [
    (weights[1][0], text("panel_one", both=one["both_accuracy"])),
    (weights[2][back], text("panel_two_back", head=back + 1)),
    (weights[2][forward], text("panel_two_forward", head=forward + 1)),
]
for ax, (matrix, title) in zip(top.subplots(1, 3), panels):
    heatmap(ax, matrix, labels, labels, vmin=0, vmax=1, fmt="{:.1f}", title=title,
            xlabel=text("axis_key"), ylabel=text("axis_query"))  # fmt: skip
for h, ax in enumerate(bottom.subplots(1, 4)):
    heatmap(ax, weights[4][h], labels, labels, vmin=0, vmax=1, fmt="{:.1f}",
            title=text("panel_four", head=h + 1, previous=previous_w[h],
                       next=next_w[h]),
            xlabel=text("axis_key"), ylabel=text("axis_query") if h == 0 else "")  # fmt: skip
top.suptitle(text("title_heads"))
bottom.suptitle(text("title_four", both=four["both_accuracy"]))
save_figure(fig, OUT / "heads.png")

# %% [markdown] key="trained_heads"

# %%
save_results(
    OUT,
    {
        "module_vs_loop": loop_gap,
        "sum_over_heads_gap": sum_gap,
        "parameters_by_heads": counts,
        "steps": STEPS,
        "results": results,
        "four_heads": {
            "back": back4 + 1,
            "forward": forward4 + 1,
            "spare_weight_on_neighbours": on_neighbours,
            "main_weight_on_neighbours": main,
        },
    },
)

# %% [markdown] key="what_we_built"
