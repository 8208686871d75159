# %% [markdown] key="goals"

# %%
import math

import numpy as np

import tinygrad_tx
from lessons.i18n import lesson_text
from lessons.utils import FAST, figure, output_dir, save_figure, save_results
from tinygrad_tx import Tensor, nn, no_grad, optim
from tinygrad_tx import functional as F

text = lesson_text(4)  # this lesson's printed labels, in the course's language
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
text.say("data", train=len(x_train), test=len(x_test), counts=np.bincount(y_train))

# %% [markdown] key="network_and_loss"


# %%
def make_network() -> nn.Module:
    tinygrad_tx.manual_seed(0)  # the same starting weights for every optimizer
    return nn.Sequential(
        nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 2)
    )


network = make_network()
with no_grad():
    first_loss = F.cross_entropy(network(Tensor(x_train)), y_train).item()
text.say("first_loss", parameters=network.num_parameters(), loss=first_loss,
         ln2=math.log(2))  # fmt: skip

# %%
assert abs(first_loss - math.log(2)) < 0.2, "an untrained network should be near chance"

# %% [markdown] key="training_loop"


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
    text.say("run", name=name, first=losses[0], last=losses[-1],
             train=runs[name]["train_accuracy"], test=runs[name]["test_accuracy"])

# %% [markdown] key="check"

# %%
final = {name: run["losses"][-1] for name, run in runs.items()}
sgd, momentum, adam = (final[name] for name in optimizers)
assert all(run["losses"][-1] < 0.5 * run["losses"][0] for run in runs.values())
assert adam < sgd and momentum < sgd, final
assert runs["Adam (lr 0.02)"]["test_accuracy"] > 0.95
text.say("final", sgd=sgd, momentum=momentum, adam=adam)

# %% [markdown] key="boundaries"

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
                   label=text("legend_class", label=label))  # fmt: skip
    ax.set(title=text("panel_title", name=name, test=run["test_accuracy"]),
           xlabel=text("axis_feature", i=1), ylabel=text("axis_feature", i=2))
    ax.title.set_fontsize(9)
axes[1].legend(loc="lower left", fontsize=7)
fig.colorbar(image, ax=list(axes[1:]), label=text("colorbar"), shrink=0.85)
for name, run in runs.items():
    axes[0].plot(run["losses"], label=name)
axes[0].set(yscale="log", xlabel=text("axis_step"), ylabel=text("axis_loss"),
            title=text("title_loss"))  # fmt: skip
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

# %% [markdown] key="what_we_built"

