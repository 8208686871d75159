# %% [markdown] key="goals"

# %%
import numpy as np

from lessons.i18n import lesson_text
from lessons.utils import figure, output_dir, save_figure, save_results
from tinygrad_tx import Tensor
from tinygrad_tx.function import Function, unbroadcast
from tinygrad_tx.gradcheck import gradcheck

text = lesson_text(3)  # this lesson's printed labels, in the course's language
OUT = output_dir(3)
rng = np.random.default_rng(0)


def randn(*shape, requires_grad=True):
    return Tensor(rng.standard_normal(shape), requires_grad=requires_grad)  # float64


# %% [markdown] key="broadcasting"

# %%
x, bias = randn(4, 3), randn(3)
y = x + bias  # (4, 3): bias broadcast over the 4 rows
G = rng.standard_normal(y.shape)
y.backward(G)
print(f"x {x.shape} + bias {bias.shape} -> y {y.shape}")
text.say("bias_grad", shape=bias.grad.shape, values=np.round(bias.grad, 4))

# %%
np.testing.assert_allclose(bias.grad, G.sum(axis=0))
np.testing.assert_allclose(x.grad, G)  # x was not broadcast: G passes unchanged

# %% [markdown] key="unbroadcast"

# %%
g = rng.standard_normal((2, 3, 4))
reduced = unbroadcast(g, (3, 1))
print(f"unbroadcast {g.shape} -> {reduced.shape}")
np.testing.assert_allclose(reduced, g.sum(axis=(0, 2))[:, None])

# %% [markdown] key="matmul"

# %%
A, B = randn(4, 3), randn(3, 5)
C = A @ B
G = rng.standard_normal(C.shape)
C.backward(G)
print(f"A {A.shape} @ B {B.shape} = C {C.shape}")
print(f"A.grad {A.grad.shape}, B.grad {B.grad.shape}")
np.testing.assert_allclose(A.grad, G @ B.data.T)
np.testing.assert_allclose(B.grad, A.data.T @ G)

# %% [markdown] key="batched_matmul"

# %%
A, B = randn(2, 4, 3), randn(3, 5)
C = A @ B  # (2, 4, 5)
G = rng.standard_normal(C.shape)
C.backward(G)
expected = sum(A.data[i].T @ G[i] for i in range(2))
np.testing.assert_allclose(B.grad, expected)
text.say("batched", shape=B.grad.shape)

# %% [markdown] key="gradcheck"

# %%
x, W, b = randn(5, 4), randn(3, 4), randn(3)
report = gradcheck(lambda x, W, b: (x @ W.T + b).softmax(axis=-1), [x, W, b])
print(report)
assert report.ok

# %% [markdown] key="wrong_backward"


# %%
class Multiply(Function):
    """z = x * y.  dz/dx = y, dz/dy = x."""

    def forward(self, x, y):
        self.x, self.y = x, y
        return x * y

    def backward(self, grad_out):
        return (
            unbroadcast(grad_out * self.y, self.x.shape),
            unbroadcast(grad_out * self.x, self.y.shape),
        )


class MultiplyWrong(Multiply):
    def backward(self, grad_out):  # swapped: x gets x, y gets y
        return (
            unbroadcast(grad_out * self.x, self.x.shape),
            unbroadcast(grad_out * self.y, self.y.shape),
        )


x, y = randn(3, 4), randn(4)
right = gradcheck(lambda x, y: Multiply.apply(x, y), [x, y])
wrong = gradcheck(lambda x, y: MultiplyWrong.apply(x, y), [x, y])
text.say("right", report=right)
text.say("wrong", report=wrong)

# %%
assert right.ok and not wrong.ok

# %% [markdown] key="missing_sum"


# %%
class MultiplyNoSum(Multiply):
    def backward(self, grad_out):  # y was broadcast, but its gradient is not summed
        return grad_out * self.y, grad_out * self.x


try:
    MultiplyNoSum.apply(x, y).sum().backward()
    shape_error = None
except Exception as exc:  # the engine's message, shown to the student
    shape_error = f"{type(exc).__name__}: {exc}"
print(shape_error)
assert shape_error is not None and "(4,)" in shape_error

# %% [markdown] key="float64"


# %%
def f(v: np.ndarray, dtype) -> float:
    t = Tensor(v, dtype=dtype)  # the input itself is rounded to `dtype` too
    return (t.tanh() * t).sum().item()


x0 = rng.standard_normal(8)
exact = np.tanh(x0) + x0 * (1 - np.tanh(x0) ** 2)
epsilons = np.logspace(-12, -1, 23)
errors = {}
for dtype in (np.float32, np.float64):
    errs = []
    for eps in epsilons:
        numerical = [
            (f(x0 + eps * e, dtype) - f(x0 - eps * e, dtype)) / (2 * eps)
            for e in np.eye(len(x0))
        ]
        errs.append(np.max(np.abs(np.array(numerical) - exact)))
    errors[np.dtype(dtype).name] = np.array(errs)
best = {name: (epsilons[e.argmin()], e.min()) for name, e in errors.items()}
for name, (eps, err) in best.items():
    text.say("best_eps", dtype=name, error=err, eps=eps)
at_1e6 = {name: float(e[np.argmin(abs(epsilons - 1e-6))]) for name, e in errors.items()}
text.say("at_1e6", float64=at_1e6["float64"], float32=at_1e6["float32"])

# %%
assert best["float64"][1] < 1e-9 and 1e-5 < best["float32"][1] < 1e-3
assert best["float32"][0] >= 1e-3 and 1e-6 <= best["float64"][0] <= 1e-5
assert at_1e6["float64"] < 1e-8
assert at_1e6["float32"] > 1e3 * at_1e6["float64"]

# %%
fig = figure(6.4, 4.2)
ax = fig.subplots()
for name, e in errors.items():
    ax.loglog(epsilons, np.maximum(e, 1e-16), "o-", label=name)
ax.axvline(1e-6, color="gray", ls=":", label=text("legend_gradcheck_eps"))
ax.set(xlabel=text("axis_eps"), ylabel=text("axis_error"), title=text("figure_title"))
ax.title.set_fontsize(10)
ax.grid(alpha=0.3)
ax.legend()
save_figure(fig, OUT / "finite_difference_error.png")

# %%
save_results(
    OUT,
    {
        "gradcheck_ok": right.ok,
        "wrong_backward_caught": not wrong.ok,
        "wrong_backward_message": wrong.message,
        "shape_error": shape_error,
        "best_eps": {k: float(v[0]) for k, v in best.items()},
        "best_error": {k: float(v[1]) for k, v in best.items()},
        "error_at_1e-6": at_1e6,
    },
)

# %% [markdown] key="what_we_built"

