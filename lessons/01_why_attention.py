# %% [markdown]
# # Lesson 1: Why attention
#
# _An RNN reads a sentence one word after another; attention looks at all the
# words at once. We count the steps, time them, and measure how far the first
# word is from the last._
#
# **Goals**
#
# - See why a recurrent network (RNN) cannot process a sentence in parallel.
# - Count the operations that must run one after another, for an RNN and for
#   self-attention, as the sentence grows; then time both.
# - Measure the path from the first word to the last output: it grows with
#   the sentence in an RNN and stays the same in attention.
# - Measure how much the first word still moves the RNN's last state.
#
# We use `tinygrad_tx`, the small autograd engine this course is built on.
# Lesson 2 opens it up; here we only need tensors, `@` and `tanh`.

# %%
import os

# One BLAS thread: on a busy machine, multi-threaded matrix products spend more
# time waking threads than computing, which would blur the timings below.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from collections import deque

import numpy as np

from lessons.utils import (
    FAST,
    best_time,
    figure,
    machine_note,
    output_dir,
    save_figure,
    save_results,
)
from tinygrad_tx import Tensor, no_grad

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


# %% [markdown]
# ## A recurrent network walks the sentence
#
# An RNN keeps one state vector $h$ and updates it once per word:
#
# $$h_t = \tanh(x_t W_x + h_{t-1} W_h + b), \qquad h_0 = 0.$$
#
# Step $t$ needs $h_{t-1}$, so step $t$ cannot start before step $t-1$ ends:
# a sentence of $L$ words is $L$ steps in a row, however many processors we
# have. Everything the first word says must pass through all the later states
# to reach the end.

# %%
W_x = Tensor(rng.standard_normal((D, D)) / np.sqrt(D), dtype=np.float32)
W_h = Tensor(rng.standard_normal((D, D)) / np.sqrt(D), dtype=np.float32)
b = Tensor(np.zeros(D), dtype=np.float32)


def rnn(words: list[Tensor]) -> Tensor:
    """The last state h_L of the recurrence above."""
    h = Tensor(np.zeros((1, D)), dtype=np.float32)
    for x in words:  # one step per word, in order
        h = (x @ W_x + h @ W_h + b).tanh()  # (1, D)
    return h


# %% [markdown]
# ## Attention looks at every word at once
#
# Self-attention (lessons 6 to 8 build it properly) compares every word with
# every other word in one matrix product, turns the scores into weights with a
# softmax, and mixes the words with those weights:
#
# $$\text{out} = \text{softmax}\!\left(\frac{X X^\top}{\sqrt{D}}\right) X,
# \qquad X \in \mathbb{R}^{L \times D}.$$
#
# The number of operations does not depend on $L$: only their size does.
# Each of them is one big array operation that a BLAS library or a GPU splits
# over many cores.


# %%
def self_attention(words: list[Tensor]) -> Tensor:
    """The output of the last word, after one round of self-attention."""
    X = Tensor.cat(words, axis=0)  # (L, D): the whole sentence
    weights = (X @ X.T / np.sqrt(D)).softmax(axis=-1)  # (L, L): every pair at once
    return (weights @ X)[-1:]  # (1, D): the last word's output


# %% [markdown]
# ## Counting the steps in the graph
#
# Each tensor made by an operation remembers that operation (`t._ctx`, the
# link lesson 2 explains), and the operation remembers its inputs (`parents`).
# Following those links backwards gives two numbers:
#
# - **sequential steps**: the longest chain of operations from an input to
#   the output. Operations on one chain must run one after another; this is
#   the time the computation takes even with unlimited processors.
# - **path from the first word**: the fewest operations between the first
#   word and the output. A signal (and a gradient) must cross all of them.


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


# %% [markdown]
# ## Measuring as the sentence grows
#
# For each length $L$ we build both graphs on the same random words, count
# their steps, and time a forward pass (the fastest of five runs, without
# building the graph). We also ask how strongly the first word still moves
# the last output: the size of the gradient $\lVert \partial\, \Sigma\,
# \text{out} / \partial x_1 \rVert$.

# %%
lengths = [8, 16, 32, 64, 128] if FAST else [8, 16, 32, 64, 128, 256, 512]
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
    }
    for name, out in (("rnn", h_last), ("attention", att_last)):
        words[0].grad = None
        out.sum().backward()
        row[f"{name}_first_word_grad"] = float(np.linalg.norm(words[0].grad))
    with no_grad():
        row["rnn_ms"] = 1e3 * best_time(lambda w=words: rnn(w))
        row["attention_ms"] = 1e3 * best_time(lambda w=words: self_attention(w))
    rows.append(row)

print(machine_note())
print(f"{'L':>5} | {'sequential steps':>17} | {'path from word 1':>17} | "
      f"{'|grad wrt word 1|':>21} | {'forward time (ms)':>17}")  # fmt: skip
print(f"{'':>5} | {'RNN':>8} {'attn':>8} | {'RNN':>8} {'attn':>8} | "
      f"{'RNN':>10} {'attn':>10} | {'RNN':>8} {'attn':>8}")  # fmt: skip
for r in rows:
    print(
        f"{r['length']:>5} | {r['rnn_steps']:>8} {r['attention_steps']:>8} | "
        f"{r['rnn_path']:>8} {r['attention_path']:>8} | "
        f"{r['rnn_first_word_grad']:>10.2e} {r['attention_first_word_grad']:>10.2e} | "
        f"{r['rnn_ms']:>8.2f} {r['attention_ms']:>8.2f}"
    )

# %% [markdown]
# ### Check: what the table says
#
# The RNN's sequential steps and its path from the first word grow in
# proportion to $L$ (four operations per word on the chain: the product
# $h_{t-1} W_h$, two additions and the tanh; the product $x_t W_x$ can run
# beside them); attention's stay fixed. The
# gradient that reaches the first word through the RNN shrinks by orders of
# magnitude as the sentence grows (it underflows to zero in float32 for the
# longest ones): this is the "vanishing gradient" that makes RNNs forget the
# start of long sentences. Through attention it does not shrink that way.

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
assert rows[-1]["rnn_ms"] > 4 * rows[0]["rnn_ms"], "RNN time did not grow with L"
print(f"RNN: {steps_per_word:.0f} sequential operations per word; attention: "
      f"{rows[0]['attention_steps']} in all, at every length")  # fmt: skip
print(f"the RNN's gradient at word 1 fell from {rnn_grads[0]:.2e} (L={lengths[0]}) "
      f"to {rnn_grads[-1]:.2e} (L={lengths[-1]})")  # fmt: skip

# %% [markdown]
# A word on the timings. The RNN's time grows in proportion to $L$: it runs
# $4L$ small operations, one after another. Attention runs a fixed number of
# operations, but the score matrix has $L \times L$ entries, so its work grows
# as $L^2$ (lesson 16 measures that). On one CPU thread the few large
# operations still win here (checked below). A GPU runs the $L^2$ products of
# one large operation side by side, which is exactly the kind of work it is
# built for, while the RNN's steps would still wait for each other: that is
# why the Transformer trains so much faster than recurrent models.

# %%
longest = rows[-1]
assert longest["attention_ms"] < longest["rnn_ms"], longest
print(f"at L = {longest['length']}: attention {longest['attention_ms']:.2f} ms, "
      f"RNN {longest['rnn_ms']:.2f} ms")  # fmt: skip

# %%
fig = figure(11, 3.8)
ax_steps, ax_grad, ax_time = fig.subplots(1, 3)
Ls = [r["length"] for r in rows]
for ax, key, label in (
    (ax_steps, "steps", "sequential operations"),
    (ax_grad, "first_word_grad", "|gradient| at word 1"),
    (ax_time, "ms", "forward time (ms)"),
):
    ax.plot(Ls, [r[f"rnn_{key}"] for r in rows], "o-", label="RNN")
    ax.plot(Ls, [r[f"attention_{key}"] for r in rows], "s-", label="self-attention")
    ax.set(xscale="log", yscale="log", xlabel="sentence length L (words)", ylabel=label)
    ax.set_xticks(Ls, [str(L) for L in Ls])
    ax.grid(alpha=0.3)
    ax.legend()
ax_steps.set_title("Steps that must run in order")
ax_grad.set_title("How much word 1 moves the last output")
ax_time.set_title("Time of one forward pass (CPU)")
ax_grad.set_ylim(bottom=1e-12)
zeros = [r["length"] for r in rows if r["rnn_first_word_grad"] == 0.0]
if zeros:  # a log axis cannot show 0: say so on the plot
    ax_grad.text(0.03, 0.03, f"RNN: exactly 0 (float32 underflow)\nfor L = "
                 f"{', '.join(map(str, zeros))}", transform=ax_grad.transAxes,
                 fontsize=8, va="bottom")  # fmt: skip
    ax_grad.legend(loc="center right")
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
    },
)

# %% [markdown]
# ## What we built
#
# - An RNN and a one-line self-attention from the same engine, and two
#   measurements read straight off their computation graphs.
# - The RNN needs $4L$ operations in a row and its first word is $4L$
#   operations from the end; attention needs a handful, whatever $L$.
# - The gradient from the last RNN state to the first word shrinks by many
#   orders of magnitude with the length; through attention the first word
#   is three operations from every output.
#
# This is the argument of "Attention is all you need": drop the recurrence,
# keep only attention, and every word reaches every other word in one step.
#
# **Exercises**
#
# 1. Make the RNN's weights larger (multiply `W_h` by 3). Does the gradient
#    at word 1 still vanish, or does it explode? Why can tanh not explode?
# 2. Change `self_attention` so that the last word only sees the last 8
#    words (a window). How do the path length and the steps change?
# 3. In the next lesson you open the engine: `python cli.py exercise list`
#    shows the graded exercises, starting with `sigmoid_tanh_backward`.
