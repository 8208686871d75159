# %% [markdown]
# # Lesson 4: Training a small network
#
# _A loss, its gradient, and an optimizer that follows it: a two-layer network
# learns to separate two interleaved half-moons, with SGD, momentum and Adam._
#
# **Goals**
#
# - Write the training loop: forward, loss, `backward()`, optimizer step,
#   reset the gradients.
# - Read the cross-entropy loss as "minus the log of the probability given to
#   the right answer".
# - Compare plain SGD, SGD with momentum and Adam (the optimizer of the
#   Transformer) on the same network, from the same starting weights.
# - Draw what the network learned: its decision boundary.

# %%
import math

import numpy as np

import tinygrad_tx
from lessons.utils import FAST, figure, output_dir, save_figure, save_results
from tinygrad_tx import Tensor, nn, no_grad, optim
from tinygrad_tx import functional as F

OUT = output_dir(4)
STEPS = 150 if FAST else 300


def two_moons(n: int, noise: float, rng) -> tuple[np.ndarray, np.ndarray]:
    """n points on two interleaved half-circles, labels 0 and 1."""
    angle = rng.uniform(0, np.pi, n)
    label = rng.integers(0, 2, n)
    upper = np.c_[np.cos(angle), np.sin(angle)]
    lower = np.c_[1 - np.cos(angle), 0.5 - np.sin(angle)]
    points = np.where(label[:, None] == 0, upper, lower)
    return (points + noise * rng.standard_normal((n, 2))).astype(np.float32), label


rng = np.random.default_rng(0)
x_train, y_train = two_moons(200, 0.15, rng)
x_test, y_test = two_moons(1000, 0.15, rng)  # fresh points from the same shapes
print(f"train {x_train.shape}, test {x_test.shape}, classes {np.bincount(y_train)}")

# %% [markdown]
# ## The network and the loss
#
# A multilayer perceptron: two hidden layers of 16 units with tanh, and two
# outputs, one *logit* per class. Softmax turns logits into probabilities,
# and the cross-entropy loss of one example with correct class $y$ is
#
# $$\ell = -\log p_y = -\log \frac{e^{z_y}}{\sum_c e^{z_c}}.$$
#
# It is 0 when the network gives the right class probability 1, and large
# when it is confidently wrong. Guessing at random between two classes gives
# $-\log \tfrac{1}{2} = \ln 2 \approx 0.693$.


# %%
def make_network() -> nn.Module:
    tinygrad_tx.manual_seed(0)  # the same starting weights for every optimizer
    return nn.Sequential(
        nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 2)
    )


network = make_network()
with no_grad():
    first_loss = F.cross_entropy(network(Tensor(x_train)), y_train).item()
print(f"{network.num_parameters()} parameters; loss before training {first_loss:.4f}"
      f" (random guessing: ln 2 = {math.log(2):.4f})")  # fmt: skip

# %%
assert abs(first_loss - math.log(2)) < 0.2, "an untrained network should be near chance"

# %% [markdown]
# ## The training loop
#
# Every step: compute the loss on the training points, let `backward()` fill
# each parameter's `.grad`, and let the optimizer move the parameters.
#
# - **SGD**: $p \leftarrow p - \eta\, g$, straight downhill.
# - **SGD with momentum**: $v \leftarrow \mu v + g$, $p \leftarrow p - \eta
#   v$: a running sum of past gradients, which speeds up along directions
#   where they agree.
# - **Adam**: running means of $g$ and $g^2$; each parameter steps by
#   $\eta\, \hat m / (\sqrt{\hat v} + \epsilon)$, so steps have about the same
#   size whatever the scale of the gradient. The Transformer is trained with
#   Adam.
#
# The gradients must be reset before each `backward()`: they accumulate
# (lesson 2).


# %%
def train(make_optimizer) -> tuple[nn.Module, list[float]]:
    network = make_network()
    optimizer = make_optimizer(network.parameters())
    inputs = Tensor(x_train)
    losses = []
    for _ in range(STEPS):
        optimizer.zero_grad()  # 1) forget the last step's gradients
        loss = F.cross_entropy(network(inputs), y_train)  # 2) forward
        loss.backward()  # 3) gradients of the loss
        optimizer.step()  # 4) move the parameters
        losses.append(loss.item())
    return network, losses


def accuracy(network, x, y) -> float:
    with no_grad():
        return float((network(Tensor(x)).numpy().argmax(axis=-1) == y).mean())


optimizers = {
    "SGD (lr 0.1)": lambda p: optim.SGD(p, lr=0.1),
    "SGD + momentum 0.9 (lr 0.1)": lambda p: optim.SGD(p, lr=0.1, momentum=0.9),
    "Adam (lr 0.02)": lambda p: optim.Adam(p, lr=0.02),
}
runs = {}
for name, make_optimizer in optimizers.items():
    trained, losses = train(make_optimizer)
    runs[name] = {
        "network": trained,
        "losses": losses,
        "train_accuracy": accuracy(trained, x_train, y_train),
        "test_accuracy": accuracy(trained, x_test, y_test),
    }
    print(f"{name:<28} loss {losses[0]:.3f} -> {losses[-1]:.4f}   train accuracy "
          f"{runs[name]['train_accuracy']:.1%}   test accuracy "
          f"{runs[name]['test_accuracy']:.1%}")  # fmt: skip

# %% [markdown]
# ### Check
#
# Every optimizer lowers the loss. In the same number of steps, momentum and
# Adam go much further than plain SGD, and the fresh test points are
# classified about as well as the training points: the network learned the
# shapes, not the 200 points.

# %%
final = {name: run["losses"][-1] for name, run in runs.items()}
sgd, momentum, adam = (final[name] for name in optimizers)
assert all(run["losses"][-1] < 0.5 * run["losses"][0] for run in runs.values())
assert adam < sgd and momentum < sgd, final
assert runs["Adam (lr 0.02)"]["test_accuracy"] > 0.95
print(f"final loss: SGD {sgd:.4f}, momentum {momentum:.4f}, Adam {adam:.4f}")

# %% [markdown]
# ## What the network learned
#
# Colour every point of the plane by the probability the network gives to
# class 1: the decision boundary is where that probability is 0.5.

# %%
grid = np.linspace(-1.6, 2.6, 160)
gx, gy = np.meshgrid(grid, np.linspace(-1.2, 1.7, 120))
plane = np.c_[gx.ravel(), gy.ravel()].astype(np.float32)

fig = figure(14, 3.9)
axes = fig.subplots(1, 4)
for ax, (name, run) in zip(axes[1:], runs.items()):
    with no_grad():
        p1 = run["network"](Tensor(plane)).softmax(axis=-1).numpy()[:, 1]
    image = ax.contourf(gx, gy, p1.reshape(gx.shape), levels=20, cmap="RdBu_r",
                        vmin=0, vmax=1, alpha=0.45)  # fmt: skip
    ax.contour(gx, gy, p1.reshape(gx.shape), levels=[0.5], colors="black")
    for label, marker, color in ((0, "o", "tab:blue"), (1, "^", "tab:red")):
        ax.scatter(*x_train[y_train == label].T, marker=marker, color=color,
                   edgecolors="black", linewidths=0.5, s=16,
                   label=f"class {label} (training)")  # fmt: skip
    ax.set(title=f"{name}\ntest accuracy {run['test_accuracy']:.1%}",
           xlabel="feature 1", ylabel="feature 2")  # fmt: skip
    ax.title.set_fontsize(9)
axes[1].legend(loc="lower left", fontsize=7)
fig.colorbar(image, ax=list(axes[1:]), label="P(class 1)", shrink=0.85)
for name, run in runs.items():
    axes[0].plot(run["losses"], label=name)
axes[0].set(yscale="log", xlabel="training step", ylabel="cross-entropy loss (log)",
            title="Training loss")  # fmt: skip
axes[0].grid(alpha=0.3)
axes[0].legend(fontsize=7)
save_figure(fig, OUT / "decision_boundaries.png")

# %%
save_results(
    OUT,
    {
        "steps": STEPS,
        "first_loss": first_loss,
        "final_loss": final,
        "train_accuracy": {n: r["train_accuracy"] for n, r in runs.items()},
        "test_accuracy": {n: r["test_accuracy"] for n, r in runs.items()},
    },
)

# %% [markdown]
# ## What we built
#
# - A training loop in four lines: zero the gradients, forward, backward, step.
# - Cross-entropy, which starts near $\ln 2$ for an untrained two-class
#   network and falls as the right class gets more probability.
# - Three optimizers from the same weights: momentum and Adam reach a far
#   lower loss than plain SGD in the same number of steps.
#
# **Exercises**
#
# 1. Graded: `adam_step` (one step of Adam, bias correction included):
#    `python cli.py exercise check adam_step`.
# 2. Raise SGD's learning rate until the loss curve stops falling smoothly.
#    What is the largest rate that still trains?
# 3. Replace `Tanh` with `ReLU` in the network. Do the boundaries change shape?
