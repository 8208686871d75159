# %% [markdown] key="goals"

# %%
import math

import numpy as np

from lessons.i18n import lesson_text
from lessons.utils import output_dir, save_results, show_graph
from tinygrad_tx import Tensor
from tinygrad_tx.viz import show_graph_page

text = lesson_text(2)  # this lesson's printed labels, in the course's language
OUT = output_dir(2)

# %% [markdown] key="neuron"

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
text.say("forward", n=n.item(), o=o.item())
text.say("made_by", op=type(o._ctx).__name__, parents=[p.name for p in o._ctx.parents])

# %%
assert math.isclose(o.item(), 1 / math.sqrt(2), rel_tol=1e-6), o.item()

# %% [markdown] key="by_hand"

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

# %% [markdown] key="page"

# %%
page = show_graph_page(o, OUT / "neuron_page.html", lang=text.language,
                       title=text("page_title"))  # fmt: skip

# %% [markdown] key="by_engine"

# %%
o.backward(retain_grads=True)
by_engine = {t.name: float(t.grad) for t in (x1, w1, x2, w2, b)}
for name in by_hand:
    text.say("compare", name=name, hand=by_hand[name], engine=by_engine[name])

# %%
for name in by_hand:
    assert math.isclose(by_engine[name], by_hand[name], abs_tol=1e-6), name
assert math.isclose(float(n.grad), do_dn, rel_tol=1e-6)

# %% [markdown] key="nudging"


# %%
def neuron(w1_value: float) -> float:
    return math.tanh(2.0 * w1_value + 0.0 * 1.0 + 6.8813735870195432)


h = 1e-6
numerical = (neuron(-3.0 + h) - neuron(-3.0 - h)) / (2 * h)
text.say("numerical", numerical=numerical, engine=by_engine["w1"])
assert math.isclose(numerical, by_engine["w1"], abs_tol=1e-5)

# %% [markdown] key="graph"

# %%
path = show_graph(o, OUT / "neuron", show_data=True, show_grad=True,
                  title=text("graph_title"))  # fmt: skip

# %% [markdown] key="used_twice"

# %%
a = Tensor(3.0, requires_grad=True, name="a")
y = a * a + a
y.backward()
text.say("used_twice", grad=float(a.grad), expected=2 * 3.0 + 1)
assert float(a.grad) == 7.0

y = a * a + a  # a second backward without resetting: the gradients pile up
y.backward()
text.say("piled_up", grad=float(a.grad))
assert float(a.grad) == 14.0

# %% [markdown] key="tensors"

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

# %% [markdown] key="what_we_built"
