# %% [markdown] key="goals"

# %%
import math

import numpy as np

import tinygrad_tx
from lessons.i18n import lesson_text
from lessons.utils import (
    FAST,
    figure,
    output_dir,
    save_figure,
    save_results,
    show_graph,
)
from tinygrad_tx import Tensor, nn, no_grad, optim
from tinygrad_tx import functional as F
from transformer import EncoderLayer, PositionalEncoding, PositionwiseFeedForward

text = lesson_text(12)  # this lesson's printed labels, in the course's language
OUT = output_dir(12)
rng = np.random.default_rng(0)

# %% [markdown] key="ffn"

# %%
tinygrad_tx.manual_seed(0)
ffn = PositionwiseFeedForward(d_model=8, d_ff=32, dropout=0.0)
x = rng.standard_normal((1, 5, 8))
x_changed = x.copy()
x_changed[0, 3] += 10.0  # change token 3 only
with no_grad():
    out = ffn(Tensor(x, dtype=np.float32)).numpy()
    out_changed = ffn(Tensor(x_changed, dtype=np.float32)).numpy()
moved = np.abs(out_changed - out).max(axis=-1)[0]  # per position
text.say("slide_ffn")
text.say("course_ffn", moved=", ".join(f"{m:.4f}" for m in moved))
assert (moved[[0, 1, 2, 4]] == 0).all() and moved[3] > 0

# %% [markdown] key="layer_norm"

# %%
norm = nn.LayerNorm(8)
tokens = Tensor(rng.standard_normal((3, 8)) * 5 + 2, dtype=np.float32)
normed = norm(tokens).numpy()
before = tokens.numpy()
text.say("before", means=np.round(before.mean(-1), 4), stds=np.round(before.std(-1), 4))
text.say("after", means=np.round(normed.mean(-1), 4), stds=np.round(normed.std(-1), 4))
np.testing.assert_allclose(normed.mean(-1), 0, atol=1e-5)
np.testing.assert_allclose(normed.std(-1), 1, atol=1e-3)

# %% [markdown] key="residuals"


# %%
class Block(nn.Module):
    def __init__(self, d: int):
        self.linear = nn.Linear(d, d)

    def forward(self, x: Tensor) -> Tensor:
        return self.linear(x).tanh()


class Stack(nn.Module):
    def __init__(self, n_blocks: int, d: int, residual: bool):
        self.residual = residual
        self.blocks = nn.ModuleList([Block(d) for _ in range(n_blocks)])

    def forward(self, x: Tensor) -> Tensor:
        for block in self.blocks:
            x = x + block(x) if self.residual else block(x)
        return x


N_BLOCKS, WIDTH = 24, 32
x = Tensor(rng.standard_normal((16, WIDTH)), dtype=np.float32)
upstream = rng.standard_normal((16, WIDTH)).astype(np.float32)
grad_norms = {}
for residual in (False, True):
    tinygrad_tx.manual_seed(0)  # the same weights for both
    stack = Stack(N_BLOCKS, WIDTH, residual)
    stack(x).backward(upstream)
    key = "with" if residual else "without"
    grad_norms[key] = [
        float(np.linalg.norm(b.linear.weight.grad)) for b in stack.blocks
    ]
NAMES = {"without": text("without_residuals"), "with": text("with_residuals")}
for key, norms in grad_norms.items():
    text.say("grad_norms", name=NAMES[key], first=norms[0], middle=norms[11],
             last=norms[-1], spread=max(norms) / min(norms))  # fmt: skip

# %% [markdown] key="check_residuals"

# %%
plain, res = grad_norms["without"], grad_norms["with"]
assert plain[-1] / plain[0] > 1e3, plain
assert max(res) / min(res) < 10, res
assert res[0] > 1e3 * plain[0]

# %% [markdown] key="residual_graph"

# %%
panels = {}
for residual in (False, True):
    tinygrad_tx.manual_seed(0)
    small = Stack(6, 8, residual)
    inputs = Tensor(rng.standard_normal((4, 8)), dtype=np.float32, name="x")
    out = small(inputs)
    out.name = "out"
    out.backward(rng.standard_normal(out.shape).astype(np.float32), retain_grads=True)
    panels[NAMES["with" if residual else "without"]] = out
graph_path = show_graph(
    panels, OUT / "residual_gradients", color_by_grad=True, compact=True,
    title=text("title_graph"),
)  # fmt: skip

# %%
fig = figure(7, 4.2)
ax = fig.subplots()
for key, norms in grad_norms.items():
    ax.semilogy(range(1, N_BLOCKS + 1), norms, "o-", label=NAMES[key])
ax.set(xlabel=text("axis_block"), ylabel=text("axis_block_grad"),
       title=text("title_blocks", blocks=N_BLOCKS))  # fmt: skip
ax.grid(alpha=0.3)
ax.legend()
save_figure(fig, OUT / "residual_gradient_norms.png")

# %% [markdown] key="add_norm"

# %%
V, L, D = 10, 8, 32
N_LAYERS = 6
STEPS = 100 if FAST else 200


class Reverser(nn.Module):
    def __init__(self, norm_first: bool):
        self.embed = nn.Embedding(V, D)
        self.positions = PositionalEncoding(D, max_len=16, dropout=0.0)
        self.layers = nn.ModuleList(
            [EncoderLayer(D, 4, 2 * D, dropout=0.0, norm_first=norm_first)
             for _ in range(N_LAYERS)]
        )  # fmt: skip
        self.final_norm = nn.LayerNorm(D) if norm_first else None
        self.out = nn.Linear(D, V)
        for p in self.parameters():  # Xavier, as the Transformer initialises
            if p.ndim > 1:
                nn.init.xavier_uniform_(p)

    def forward(self, ids: np.ndarray) -> Tensor:
        x = self.positions(self.embed(ids) * math.sqrt(D))
        for layer in self.layers:
            x = layer(x)
        return self.out(self.final_norm(x) if self.final_norm is not None else x)


def train_reverser(norm_first: bool, lr: float, warmup: int = 0) -> dict:
    tinygrad_tx.manual_seed(0)
    data = np.random.default_rng(1)  # the same batches for every run
    model = Reverser(norm_first)
    optimizer = optim.Adam(model.parameters(), lr=lr, betas=(0.9, 0.98), eps=1e-9)
    losses = []
    for step in range(STEPS):
        optimizer.lr = lr * min(1.0, (step + 1) / warmup) if warmup else lr
        ids = data.integers(0, V, (32, L))
        optimizer.zero_grad()
        loss = F.cross_entropy(model(ids), ids[:, ::-1].copy())
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    test = np.random.default_rng(2).integers(0, V, (500, L))
    with no_grad():
        accuracy = float((model(test).numpy().argmax(-1) == test[:, ::-1]).mean())
    return {
        "losses": losses,
        "final_loss": float(np.mean(losses[-10:])),
        "accuracy": accuracy,
    }


WARMUP = STEPS // 2
SETTINGS = {  # name: (norm_first, learning rate, warm-up steps)
    "post-norm, lr 1e-2": (False, 1e-2, 0),
    "pre-norm,  lr 1e-2": (True, 1e-2, 0),
    f"post-norm, lr 1e-2, warm-up {WARMUP}": (False, 1e-2, WARMUP),
    "post-norm, lr 1e-3": (False, 1e-3, 0),
    "pre-norm,  lr 1e-3": (True, 1e-3, 0),
}
runs = {name: train_reverser(*setting) for name, setting in SETTINGS.items()}
labels = {
    name: text(
        "run_name",
        norm="pre-norm" if first else "post-norm",
        lr=f"1e{round(math.log10(lr))}",
    )
    + (text("run_warmup", steps=warmup) if warmup else "")
    for name, (first, lr, warmup) in SETTINGS.items()
}
text.say("reverser", layers=N_LAYERS, steps=STEPS)
for name, run in runs.items():
    text.say("run", name=labels[name], first=run["losses"][0],
             last=run["final_loss"], accuracy=run["accuracy"])  # fmt: skip

# %% [markdown] key="check_norms"

# %%
post_hi, pre_hi = runs["post-norm, lr 1e-2"], runs["pre-norm,  lr 1e-2"]
post_lo, pre_lo = runs["post-norm, lr 1e-3"], runs["pre-norm,  lr 1e-3"]
warm = runs[f"post-norm, lr 1e-2, warm-up {WARMUP}"]
assert pre_hi["accuracy"] > 0.8 and post_hi["accuracy"] < 0.2, (pre_hi, post_hi)
assert pre_hi["final_loss"] < 0.5 * post_hi["final_loss"]
assert abs(pre_lo["accuracy"] - post_lo["accuracy"]) < 0.1  # close at a low rate
assert max(pre_lo["accuracy"], post_lo["accuracy"]) < pre_hi["accuracy"] - 0.3
assert warm["accuracy"] < pre_hi["accuracy"] - 0.3  # no rescue in this budget

# %%
fig = figure(7.5, 4.4)
ax = fig.subplots()
for name, run in runs.items():
    ax.plot(run["losses"], label=text("legend_run", name=labels[name],
                                      accuracy=run["accuracy"]))  # fmt: skip
ax.set(yscale="log", xlabel=text("axis_step"), ylabel=text("axis_loss"),
       title=text("title_norms", layers=N_LAYERS))  # fmt: skip
ax.grid(alpha=0.3)
ax.legend(fontsize=8)
save_figure(fig, OUT / "post_vs_pre_norm.png")

# %%
save_results(
    OUT,
    {
        "ffn_change_per_position": moved,
        "grad_norms": grad_norms,
        "plain_last_over_first": plain[-1] / plain[0],
        "residual_max_over_min": max(res) / min(res),
        "norm_runs": {
            n: {k: v for k, v in r.items() if k != "losses"} for n, r in runs.items()
        },
        "steps": STEPS,
        "graph": str(graph_path),
    },
)

# %% [markdown] key="what_we_built"
