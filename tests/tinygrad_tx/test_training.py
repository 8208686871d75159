"""End to end: small MLPs learn XOR and two moons to 100% training accuracy
with SGD and with Adam, and a small learning rate lowers the loss at every step."""

import itertools

import numpy as np
import pytest

import tinygrad_tx
from tinygrad_tx import Tensor, nn, no_grad, optim
from tinygrad_tx import functional as F


def xor():
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float32)
    return x, np.array([0, 1, 1, 0])


def two_moons(n=100, noise=0.1, seed=0):
    """Two interleaved half circles (as sklearn.datasets.make_moons)."""
    rng = np.random.default_rng(seed)
    t = rng.uniform(0, np.pi, n)
    label = np.arange(n) % 2
    x = np.where(
        label[:, None] == 0,
        np.stack([np.cos(t), np.sin(t)], 1),
        np.stack([1 - np.cos(t), 0.5 - np.sin(t)], 1),
    )
    return (x + rng.normal(0, noise, x.shape)).astype(np.float32), label


def mlp(hidden=16):
    return nn.Sequential(
        nn.Linear(2, hidden),
        nn.Tanh(),
        nn.Linear(hidden, hidden),
        nn.ReLU(),
        nn.Linear(hidden, 2),
    )


def train(model, opt, x, y, steps):
    xs, losses = Tensor(x), []
    for _ in range(steps):
        loss = F.cross_entropy(model(xs), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    with no_grad():
        accuracy = (model(xs).argmax(axis=1).numpy() == y).mean()
    return losses, accuracy


@pytest.mark.parametrize("data", [xor, two_moons])
@pytest.mark.parametrize(
    ("make_opt", "steps"),
    [
        (lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9), 600),
        (lambda ps: optim.Adam(ps, lr=0.01), 600),
    ],
    ids=["sgd_momentum", "adam"],
)
def test_mlp_reaches_full_training_accuracy(data, make_opt, steps):
    tinygrad_tx.manual_seed(0)
    x, y = data()
    model = mlp()
    losses, accuracy = train(model, make_opt(model.parameters()), x, y, steps)
    assert accuracy == 1.0, f"accuracy {accuracy}, final loss {losses[-1]:.4f}"
    assert losses[-1] < 0.1 * losses[0]


@pytest.mark.parametrize(
    "make_opt",
    [lambda ps: optim.SGD(ps, lr=0.01), lambda ps: optim.Adam(ps, lr=1e-3)],
    ids=["sgd", "adam"],
)
def test_small_lr_loss_decreases_at_every_step(make_opt):
    tinygrad_tx.manual_seed(1)
    x, y = two_moons()
    model = mlp()
    losses, _ = train(model, make_opt(model.parameters()), x, y, 30)
    assert all(b < a for a, b in itertools.pairwise(losses)), losses
