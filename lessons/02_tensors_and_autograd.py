# %% [markdown]
# # Lesson 2: Tensors and autograd
#
# _One neuron, its computation graph, and its gradients: first by hand with
# the chain rule, then by the engine, then drawn with values and gradients._
#
# **Goals**
#
# - Know what a `Tensor` holds: `data`, `grad`, and a link to the operation
#   that made it.
# - Compute the gradients of a neuron by hand with the chain rule.
# - Let the engine do the same with `backward()`, and check it agrees.
# - Read the computation graph, drawn with every value and gradient.
# - See why gradients are *added* (`+=`) into `.grad`: a value used twice.

# %%
import math

import numpy as np

from lessons.utils import output_dir, save_results
from tinygrad_tx import Tensor
from tinygrad_tx.viz import print_graph, render_graph

OUT = output_dir(2)

# %% [markdown]
# ## A neuron
#
# A neuron weighs its inputs, adds a bias and squashes the sum:
#
# $$n = x_1 w_1 + x_2 w_2 + b, \qquad o = \tanh(n).$$
#
# We take the numbers of Andrej Karpathy's micrograd lecture, chosen so that
# the output is exactly $1/\sqrt{2}$. Each tensor gets a name so the drawing
# can say which is which; `requires_grad=True` asks the engine to compute
# $\partial o / \partial(\text{that tensor})$.

# %%
x1 = Tensor(2.0, requires_grad=True, name="x1")
x2 = Tensor(0.0, requires_grad=True, name="x2")
w1 = Tensor(-3.0, requires_grad=True, name="w1")
w2 = Tensor(1.0, requires_grad=True, name="w2")
b = Tensor(6.8813735870195432, requires_grad=True, name="b")

x1w1 = x1 * w1
x2w2 = x2 * w2
n = x1w1 + x2w2 + b
o = n.tanh()
for t, name in ((x1w1, "x1*w1"), (x2w2, "x2*w2"), (n, "n"), (o, "o")):
    t.name = name
print(f"n = {n.item():.4f}, o = tanh(n) = {o.item():.4f}")
print("o was made by:", type(o._ctx).__name__, "from", [p.name for p in o._ctx.parents])

# %%
assert math.isclose(o.item(), 1 / math.sqrt(2), rel_tol=1e-6), o.item()

# %% [markdown]
# `o._ctx` is the operation that produced `o` (here `Tanh`) and
# `o._ctx.parents` are its inputs. These links, from each result back to
# what it was made of, are the whole computation graph: nothing else is
# stored.
#
# ## Backward by hand
#
# The chain rule walks the graph from the output back to the inputs. Each
# operation only needs its *local* derivative, multiplied by the gradient
# that arrives from above:
#
# - $\dfrac{do}{dn} = 1 - \tanh^2(n) = 1 - o^2$
# - an addition passes the gradient on unchanged: $\dfrac{do}{db} =
#   \dfrac{do}{d(x_1 w_1)} = \dfrac{do}{dn}$
# - a product sends each input the *other* input times the gradient:
#   $\dfrac{do}{dw_1} = x_1 \dfrac{do}{d(x_1 w_1)}$, $\dfrac{do}{dx_1} = w_1
#   \dfrac{do}{d(x_1 w_1)}$

# %%
o_value = math.tanh(2.0 * -3.0 + 0.0 * 1.0 + 6.8813735870195432)
do_dn = 1 - o_value**2
by_hand = {
    "x1": -3.0 * do_dn,  # w1 * do/dn
    "w1": 2.0 * do_dn,  # x1 * do/dn
    "x2": 1.0 * do_dn,  # w2 * do/dn
    "w2": 0.0 * do_dn,  # x2 * do/dn: x2 is 0, so w2 cannot change the output
    "b": do_dn,
}
print(f"do/dn = 1 - o² = {do_dn:.4f}")
for name, value in by_hand.items():
    print(f"  do/d{name:<2} = {value:+.4f}")

# %% [markdown]
# ## Backward by the engine
#
# `o.backward()` does the same walk: it sorts the graph so that a tensor is
# handled only after every tensor computed from it, seeds $do/do = 1$, and
# calls each operation's `backward` in that order. `retain_grads=True` keeps the
# gradients of the intermediate tensors too, for the drawing.

# %%
o.backward(retain_grads=True)
by_engine = {t.name: float(t.grad) for t in (x1, w1, x2, w2, b)}
for name in by_hand:
    print(
        f"  {name:<2}  by hand {by_hand[name]:+.6f}   by the engine {by_engine[name]:+.6f}"
    )

# %%
for name in by_hand:
    assert math.isclose(by_engine[name], by_hand[name], abs_tol=1e-6), name
assert math.isclose(float(n.grad), do_dn, rel_tol=1e-6)

# %% [markdown]
# A third opinion, with no calculus at all: nudge $w_1$ by a small $h$ and
# watch $o$ move. $(o(w_1 + h) - o(w_1 - h)) / 2h$ should match
# $do/dw_1$. (Lesson 3 turns this into a check of every gradient.)


# %%
def neuron(w1_value: float) -> float:
    return math.tanh(2.0 * w1_value + 0.0 * 1.0 + 6.8813735870195432)


h = 1e-6
numerical = (neuron(-3.0 + h) - neuron(-3.0 - h)) / (2 * h)
print(f"numerical do/dw1 = {numerical:.6f}, engine {by_engine['w1']:.6f}")
assert math.isclose(numerical, by_engine["w1"], abs_tol=1e-5)

# %% [markdown]
# ## The graph, drawn
#
# Boxes are tensors (name, value, gradient), ellipses are operations. Read it
# from left to right for the forward pass, and from right to left for the
# gradients. Look at `w2`: its gradient is 0 because its input `x2` is 0.

# %%
path = render_graph(
    o, OUT / "neuron", format="png", show_data=True, show_grad=True,
    title="o = tanh(x1·w1 + x2·w2 + b): values and gradients",
)  # fmt: skip
print(f"graph: {path}")
print_graph(o, show_data=True, show_grad=True)

# %% [markdown]
# ## A value used twice: why gradients add up
#
# Take $y = a \cdot a + a$. The tensor $a$ feeds two operations, so two
# gradients flow back into it, $2a$ from the product and $1$ from the sum,
# and the total is $dy/da = 2a + 1$. That is why every `backward` *adds* into
# `.grad` (`+=`) instead of overwriting it: with `=`, one path would erase
# the other. It is also why you reset gradients (`zero_grad()`) between
# training steps.

# %%
a = Tensor(3.0, requires_grad=True, name="a")
y = a * a + a
y.backward()
print(f"y = a·a + a at a = 3: dy/da = {float(a.grad)} (2a + 1 = {2 * 3.0 + 1})")
assert float(a.grad) == 7.0

y = a * a + a  # a second backward without resetting: the gradients pile up
y.backward()
print(f"after a second backward without zeroing: a.grad = {float(a.grad)}")
assert float(a.grad) == 14.0

# %% [markdown]
# ## Tensors, not just numbers
#
# Everything above works the same on arrays: the neuron becomes a layer
# $o = \tanh(x W^\top + b)$ for a batch of inputs, and `.grad` has the shape
# of its tensor. Lesson 3 looks at what that requires of `backward`.

# %%
rng = np.random.default_rng(0)
# a batch of 4 inputs with 3 features each, through a layer of 2 neurons
x = Tensor(rng.standard_normal((4, 3)), dtype=np.float32, name="x")
W = Tensor(rng.standard_normal((2, 3)), dtype=np.float32, requires_grad=True, name="W")
bias = Tensor(np.zeros(2), dtype=np.float32, requires_grad=True, name="bias")
out = (x @ W.T + bias).tanh()  # (4, 2)
out.sum().backward()
print(f"out {out.shape}, W.grad {W.grad.shape}, bias.grad {bias.grad.shape}")
assert W.grad.shape == W.shape and bias.grad.shape == bias.shape

# %%
save_results(
    OUT,
    {
        "o": o.item(),
        "do_dn": do_dn,
        "grads_by_hand": by_hand,
        "grads_by_engine": by_engine,
        "numerical_dw1": numerical,
        "graph": str(path),
    },
)

# %% [markdown]
# ## What we built
#
# - A neuron from tensors, and its gradients three ways: by hand with the
#   chain rule, by `backward()`, and by nudging a weight. All three agree:
#   $do/dn = 0.5$, $do/dw_1 = 1$, $do/dx_1 = -1.5$, $do/dw_2 = 0$.
# - The computation graph is the chain of `_ctx` links; `backward()` visits
#   it in reverse order and each operation applies its local derivative.
# - Gradients accumulate with `+=`, which is right for a value used twice
#   and is why training loops reset them every step.
#
# **Exercises**
#
# 1. Replace `tanh` by `sigmoid`; work out $do/dn = \sigma(n)(1 - \sigma(n))$
#    by hand and check it against the engine.
# 2. Graded exercise `sigmoid_tanh_backward` (lesson 2): write the backward
#    passes of Sigmoid and Tanh as Functions. `python cli.py exercise list`,
#    then `python cli.py exercise check sigmoid_tanh_backward`.
# 3. `python cli.py render-graph mlp` draws a small network's graph; find the
#    tensor with the largest gradient.
