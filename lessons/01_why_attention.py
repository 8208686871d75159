# %% [markdown] key="goals"

# %%
import os

# One BLAS thread: on a busy machine, multi-threaded matrix products spend more
# time waking threads than computing, which would blur the timings below.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from collections import deque

import numpy as np

from lessons.i18n import lesson_text
from lessons.utils import (
    FAST,
    best_time,
    figure,
    machine_note,
    output_dir,
    save_figure,
    save_results,
    table,
)
from tinygrad_tx import Tensor, no_grad

text = lesson_text(1)  # this lesson's printed labels, in the course's language
OUT = output_dir(1)
D = 32  # the size of each word vector
rng = np.random.default_rng(0)


def random_words(length: int, requires_grad: bool = False) -> list[Tensor]:
    """`length` random word vectors, each a (1, D) tensor of its own."""
    return [
        Tensor(
            rng.standard_normal((1, D)), dtype=np.float32, requires_grad=requires_grad
        )
        for _ in range(length)
    ]


# %% [markdown] key="rnn"

# %%
W_x = Tensor(rng.standard_normal((D, D)) / np.sqrt(D), dtype=np.float32)
W_h = Tensor(rng.standard_normal((D, D)) / np.sqrt(D), dtype=np.float32)
b = Tensor(np.zeros(D), dtype=np.float32)


def rnn(words: list[Tensor], W_h: Tensor = W_h) -> Tensor:
    """The last state h_L of the recurrence above."""
    h = Tensor(np.zeros((1, D)), dtype=np.float32)
    for x in words:  # one step per word, in order
        h = (x @ W_x + h @ W_h + b).tanh()  # (1, D)
    return h


# %% [markdown] key="attention"


# %%
def self_attention(words: list[Tensor]) -> Tensor:
    """The output of the last word, after one round of self-attention."""
    X = Tensor.cat(words, axis=0)  # (L, D): the whole sentence
    weights = (X @ X.T / np.sqrt(D)).softmax(axis=-1)  # (L, L): every pair at once
    return (weights @ X)[-1:]  # (1, D): the last word's output


# %% [markdown] key="counting"


# %%
def sequential_steps(out: Tensor) -> int:
    """Operations on the longest chain from any input to `out`."""
    depth: dict[int, int] = {}
    stack = [(out, False)]
    while stack:  # depth-first, without recursion (the RNN graph is deep)
        t, inputs_done = stack.pop()
        if id(t) in depth:
            continue
        if t._ctx is None:  # an input: no operation made it
            depth[id(t)] = 0
        elif inputs_done:
            depth[id(t)] = 1 + max(depth[id(p)] for p in t._ctx.parents)
        else:
            stack.append((t, True))
            stack += [(p, False) for p in t._ctx.parents if id(p) not in depth]
    return depth[id(out)]


def path_length(out: Tensor, source: Tensor) -> int:
    """The fewest operations between `source` and `out` (breadth-first search)."""
    queue, seen = deque([(out, 0)]), {id(out)}
    while queue:
        t, hops = queue.popleft()
        if t is source:
            return hops
        for p in t._ctx.parents if t._ctx is not None else ():
            if id(p) not in seen:
                seen.add(id(p))
                queue.append((p, hops + 1))
    raise ValueError("source is not an input of out")


# %% [markdown] key="measuring"


# %%
def first_word_gradient(out: Tensor, words: list[Tensor]) -> float:
    """|∂ Σ out / ∂ x_1|, the norm taken in float64 (a float32 sum of squares
    would overflow before the gradient does)."""
    words[0].grad = None
    out.sum().backward()
    return float(np.linalg.norm(words[0].grad.astype(np.float64)))


lengths = [8, 16, 32, 64, 128] if FAST else [8, 16, 32, 64, 128, 256, 512]
W_h_times_3 = Tensor(3 * W_h.numpy(), dtype=np.float32)  # for the last column
rows = []
for L in lengths:
    words = random_words(L, requires_grad=True)
    h_last, att_last = rnn(words), self_attention(words)
    row = {
        "length": L,
        "rnn_steps": sequential_steps(h_last),
        "attention_steps": sequential_steps(att_last),
        "rnn_path": path_length(h_last, words[0]),
        "attention_path": path_length(att_last, words[0]),
        "rnn_first_word_grad": first_word_gradient(h_last, words),
        "attention_first_word_grad": first_word_gradient(att_last, words),
    }
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is the point
        row["rnn_x3_first_word_grad"] = first_word_gradient(
            rnn(words, W_h_times_3), words
        )
    with no_grad():
        row["rnn_ms"] = 1e3 * best_time(lambda w=words: rnn(w))
        row["attention_ms"] = 1e3 * best_time(lambda w=words: self_attention(w))
    rows.append(row)

print(machine_note())
print(table(
    ["L", text("col_steps") + " RNN", text("col_steps") + " attn",
     text("col_path") + " RNN", text("col_path") + " attn",
     "|grad| RNN", "|grad| attn", "|grad| RNN×3", "ms RNN", "ms attn"],
    [[r["length"], r["rnn_steps"], r["attention_steps"], r["rnn_path"],
      r["attention_path"], f"{r['rnn_first_word_grad']:.2e}",
      f"{r['attention_first_word_grad']:.2e}", f"{r['rnn_x3_first_word_grad']:.2e}",
      f"{r['rnn_ms']:.2f}", f"{r['attention_ms']:.2f}"] for r in rows],
))  # fmt: skip

# %% [markdown] key="check_table"

# %%
steps_per_word = rows[-1]["rnn_steps"] / rows[-1]["length"]
assert all(r["rnn_steps"] == steps_per_word * r["length"] for r in rows), rows
assert len({r["attention_steps"] for r in rows}) == 1, "attention steps vary with L"
assert len({r["attention_path"] for r in rows}) == 1, "attention path varies with L"
assert all(r["rnn_path"] >= r["length"] for r in rows)
rnn_grads = [r["rnn_first_word_grad"] for r in rows]
shrink = rnn_grads[0] / max(rnn_grads[-1], 1e-45)
assert shrink > 1e6, f"the RNN's first-word gradient only shrank {shrink:.3g} times"
assert min(r["attention_first_word_grad"] for r in rows) > 1e-4
text.say("steps_summary", per_word=steps_per_word, attention=rows[0]["attention_steps"])
text.say("vanishing_summary", first=rnn_grads[0], L_first=lengths[0],
         last=rnn_grads[-1], L_last=lengths[-1])  # fmt: skip

# %% [markdown] key="exploding"

# %%
exploding = {r["length"]: r["rnn_x3_first_word_grad"] for r in rows}
long_sentence = random_words(1024, requires_grad=True)  # one more doubling, and more
with np.errstate(over="ignore", invalid="ignore"):
    long_out = rnn(long_sentence, W_h_times_3)
    exploding[1024] = first_word_gradient(long_out, long_sentence)
for L, grad in exploding.items():
    text.say("exploding_row", L=L, grad=grad)
finite = [g for g in exploding.values() if np.isfinite(g)]
growth = max(finite) / exploding[lengths[0]]
assert exploding[lengths[0]] > 10 * rnn_grads[0], exploding
assert growth > 1e6, f"with W_h × 3 the gradient only grew {growth:.3g} times"
assert np.isnan(exploding[1024]), "float32 should overflow into NaN at L = 1024"

# %% [markdown] key="timings"

# %%
longest = rows[-1]  # timings are printed, never asserted: they depend on the machine
text.say("timing_summary", L=longest["length"], attention=longest["attention_ms"],
         rnn=longest["rnn_ms"])  # fmt: skip

# %%
fig = figure(11, 3.8)
ax_steps, ax_grad, ax_time = fig.subplots(1, 3)
Ls = [r["length"] for r in rows]
for ax, key, label in (
    (ax_steps, "steps", text("axis_steps")),
    (ax_grad, "first_word_grad", text("axis_grad")),
    (ax_time, "ms", text("axis_time")),
):
    ax.plot(Ls, [r[f"rnn_{key}"] for r in rows], "o-", label="RNN")
    ax.plot(Ls, [r[f"attention_{key}"] for r in rows], "s-",
            label=text("legend_attention"))  # fmt: skip
    ax.set(xscale="log", yscale="log", xlabel=text("axis_length"), ylabel=label)
    ax.set_xticks(Ls, [str(L) for L in Ls])
    ax.grid(alpha=0.3)
ax_grad.plot(Ls, [r["rnn_x3_first_word_grad"] for r in rows], "^--",
             label=text("legend_rnn_x3"))  # fmt: skip
ax_steps.set_title(text("title_steps"))
ax_grad.set_title(text("title_grad"))
ax_time.set_title(text("title_time"))
ax_grad.set_ylim(bottom=1e-26)
zeros = [r["length"] for r in rows if r["rnn_first_word_grad"] == 0.0]
if zeros:  # a log axis cannot show 0: say so on the plot
    ax_grad.text(0.97, 0.2, text("note_zero", lengths=", ".join(map(str, zeros))),
                 transform=ax_grad.transAxes, fontsize=8, va="bottom",
                 ha="right")  # fmt: skip
for ax in (ax_steps, ax_grad, ax_time):
    ax.legend(fontsize=7, loc="upper left")
save_figure(fig, OUT / "rnn_vs_attention.png")

# %%
save_results(
    OUT,
    {
        "rows": rows,
        "rnn_steps_per_word": steps_per_word,
        "attention_steps": rows[0]["attention_steps"],
        "attention_path": rows[0]["attention_path"],
        "rnn_grad_shrink": shrink,
        "rnn_x3_grad": {str(L): g for L, g in exploding.items()},
        "rnn_x3_growth": growth,
    },
)

# %% [markdown] key="what_we_built"
