# %% [markdown]
# # Lesson 3: Broadcasting, matrix products and gradient checking
#
# _Why backward must sum over broadcast axes, the two gradients of a matrix
# product, and a numerical check that catches a wrong backward._
#
# **Goals**
#
# - Broadcasting copies a tensor along axes; its backward must *sum* the
#   copies' gradients back to the original shape ("unbroadcast").
# - The matrix product $C = AB$ has gradients $G B^\top$ and $A^\top G$.
# - A numerical gradient check (central differences in float64) confirms a
#   backward pass, and catches one that is wrong.
# - Why the check needs float64: the error of a finite difference, measured.

# %%
import numpy as np

from lessons.utils import figure, output_dir, save_figure, save_results
from tinygrad_tx import Tensor
from tinygrad_tx.function import Function, unbroadcast
from tinygrad_tx.gradcheck import gradcheck

OUT = output_dir(3)
rng = np.random.default_rng(0)


def randn(*shape, requires_grad=True):
    return Tensor(rng.standard_normal(shape), requires_grad=requires_grad)  # float64


# %% [markdown]
# ## Broadcasting, and the sum it owes backward
#
# Adding a bias $b$ of shape (3,) to a batch $x$ of shape (4, 3) adds $b$ to
# every row: NumPy *broadcasts* $b$, as if it were copied 4 times. Each copy
# sends a gradient back, and $b$ receives all of them:
#
# $$y_{ij} = x_{ij} + b_j \quad\Rightarrow\quad
# \frac{\partial L}{\partial b_j} = \sum_i \frac{\partial L}{\partial y_{ij}}.$$
#
# "The adjoint of broadcasting is summing." We drive backward with a random
# upstream gradient $G = \partial L / \partial y$ (a plain `.sum()` would send
# all ones, which hides mistakes in how a gradient is spread).

# %%
x, bias = randn(4, 3), randn(3)
y = x + bias  # (4, 3): bias broadcast over the 4 rows
G = rng.standard_normal(y.shape)
y.backward(G)
print(f"x {x.shape} + bias {bias.shape} -> y {y.shape}")
print(f"bias.grad {bias.grad.shape} = G summed over rows: {np.round(bias.grad, 4)}")

# %%
np.testing.assert_allclose(bias.grad, G.sum(axis=0))
np.testing.assert_allclose(x.grad, G)  # x was not broadcast: G passes unchanged

# %% [markdown]
# The rule is general. A shape (3, 1) broadcast to (2, 3, 4) gains a leading
# axis and is stretched along its last axis, so its gradient is summed over
# axis 0 and over axis 2 (keeping it). `unbroadcast` does exactly that, and
# every operation of the engine calls it in backward.

# %%
g = rng.standard_normal((2, 3, 4))
reduced = unbroadcast(g, (3, 1))
print(f"unbroadcast {g.shape} -> {reduced.shape}")
np.testing.assert_allclose(reduced, g.sum(axis=(0, 2))[:, None])

# %% [markdown]
# ## The matrix product
#
# For $C = AB$ with $A$ of shape $(n, k)$ and $B$ of shape $(k, m)$,
# $C_{ij} = \sum_p A_{ip} B_{pj}$. Entry $A_{ip}$ touches the whole row $i$
# of $C$, through $B_{pj}$:
#
# $$\frac{\partial L}{\partial A} = G B^\top, \qquad
# \frac{\partial L}{\partial B} = A^\top G, \qquad G = \frac{\partial L}{\partial C}.$$
#
# The shapes confirm it: $(n, m)(m, k) = (n, k)$ and $(k, n)(n, m) = (k, m)$.

# %%
A, B = randn(4, 3), randn(3, 5)
C = A @ B
G = rng.standard_normal(C.shape)
C.backward(G)
print(
    f"A {A.shape} @ B {B.shape} = C {C.shape}; A.grad {A.grad.shape}, B.grad {B.grad.shape}"
)
np.testing.assert_allclose(A.grad, G @ B.data.T)
np.testing.assert_allclose(B.grad, A.data.T @ G)

# %% [markdown]
# With a batch of matrices and one shared matrix, $(2, 4, 3) @ (3, 5)$, the
# shared matrix is broadcast over the batch, so its gradient is the sum over
# the batch of $A_b^\top G_b$: matrix products and broadcasting combine.

# %%
A, B = randn(2, 4, 3), randn(3, 5)
C = A @ B  # (2, 4, 5)
G = rng.standard_normal(C.shape)
C.backward(G)
expected = sum(A.data[i].T @ G[i] for i in range(2))
np.testing.assert_allclose(B.grad, expected)
print(f"batched: B.grad {B.grad.shape} = Σ over the batch of A_bᵀ G_b")

# %% [markdown]
# ## Gradient checking
#
# How do we know a backward pass is right? Ask the definition of a
# derivative. For each input element $x_i$, the central difference
#
# $$\frac{\partial f}{\partial x_i} \approx
# \frac{f(x + \varepsilon e_i) - f(x - \varepsilon e_i)}{2\varepsilon}$$
#
# has an error of order $\varepsilon^2$. `gradcheck` computes it for every
# element of every input (in float64) and compares it with backward. Here is
# a small network layer, softmax of an affine map:

# %%
x, W, b = randn(5, 4), randn(3, 4), randn(3)
report = gradcheck(lambda x, W, b: (x @ W.T + b).softmax(axis=-1), [x, W, b])
print(report)
assert report.ok

# %% [markdown]
# ## Catching a wrong backward
#
# An operation is a `Function` with a `forward` on arrays, which saves what
# backward needs, and a `backward` that returns one gradient per input. Here
# are two multiplications. The first has the classic slip: each input gets
# its *own* value times the gradient, instead of the *other* input's. The
# shapes are right, so nothing crashes; only the numbers are wrong.


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
print("right: ", right)
print("wrong: ", wrong)

# %%
assert right.ok and not wrong.ok

# %% [markdown]
# Forgetting to unbroadcast is the other classic slip. That one gives the
# gradient the wrong *shape*, and the engine stops at once, naming the op:


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

# %% [markdown]
# ## Why float64: the error of a finite difference
#
# The central difference has two errors pulling in opposite directions. A
# large $\varepsilon$ gives a *truncation* error $\propto \varepsilon^2$; a
# small one divides the rounding error of $f$ (about the machine precision
# times $|f|$) by $\varepsilon$. We measure the total on
# $f(x) = \sum \tanh(x)\,x$, whose derivative is known exactly, in float32
# and in float64. (On the far left of the float32 curve the nudge is lost
# when $x + \varepsilon$ is rounded to float32: both evaluations are equal and
# the estimate is 0.)


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
    print(f"{name}: smallest error {err:.1e} at eps = {eps:.0e}")
at_1e6 = {name: float(e[np.argmin(abs(epsilons - 1e-6))]) for name, e in errors.items()}
print(f"at gradcheck's eps = 1e-6: float64 error {at_1e6['float64']:.1e}, "
      f"float32 error {at_1e6['float32']:.1e}")  # fmt: skip

# %%
assert best["float64"][1] < 1e-9 and best["float32"][1] > 1e-6
assert at_1e6["float64"] < 1e-8
assert at_1e6["float32"] > 1e3 * at_1e6["float64"]

# %%
fig = figure(6.4, 4.2)
ax = fig.subplots()
for name, e in errors.items():
    ax.loglog(epsilons, np.maximum(e, 1e-16), "o-", label=name)
ax.axvline(1e-6, color="gray", ls=":", label="gradcheck's eps = 1e-6")
ax.set(
    xlabel="step ε of the central difference",
    ylabel="largest |numerical − exact| derivative",
    title="Error of (f(x+ε) − f(x−ε)) / 2ε: rounding (left) vs truncation (right)",
)
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

# %% [markdown]
# ## What we built
#
# - Broadcasting's backward is a sum over the broadcast axes (`unbroadcast`),
#   checked against NumPy on a bias and on a batched matrix product.
# - The matrix product's two gradients, $G B^\top$ and $A^\top G$.
# - `gradcheck`: it passes a correct backward and fails one whose gradients
#   are swapped; a missing sum is caught even earlier, by its shape.
# - The measured error of a finite difference: float32's best is around
#   1e-4, and only at a large ε near 1e-2; float64 gets below 1e-9 for ε
#   between 1e-6 and 1e-5. That is why gradient checks run in float64.
#
# **Exercises**
#
# 1. Graded: `matmul_backward` (the backward of `@`, batched and
#    broadcasting) and `unbroadcast`: `python cli.py exercise check matmul_backward`.
# 2. Use `gradcheck` on `x.max(axis=0)` for an `x` with two equal entries in
#    a column. What happens, and why is the derivative not defined there?
