"""Small modules for the graph-drawing tests: a nested tree of module calls
(Tower > blocks.i > mix > mix.q) with a masked op, and micrograd's neuron."""

from __future__ import annotations

import numpy as np

from tinygrad_tx import Tensor, nn


class Mix(nn.Module):
    """A one-head attention in miniature: q kᵀ, masked, softmax, times x."""

    def __init__(self, d: int):
        self.q = nn.Linear(d, d)
        self.k = nn.Linear(d, d)

    def forward(self, x: Tensor, mask) -> Tensor:
        scores = self.q(x) @ self.k(x).swapaxes(-1, -2)  # (B, T, T)
        return scores.masked_fill(~mask, -1e9).softmax(axis=-1) @ x


class Block(nn.Module):
    def __init__(self, d: int):
        self.mix = Mix(d)
        self.ffn = nn.Sequential(nn.Linear(d, 2 * d), nn.ReLU(), nn.Linear(2 * d, d))
        self.norm = nn.LayerNorm(d)

    def forward(self, x: Tensor, mask) -> Tensor:
        x = x + self.mix(x, mask)
        return self.norm(x + self.ffn(x))


class Tower(nn.Module):
    def __init__(self, d: int = 4, n_blocks: int = 2):
        self.blocks = nn.ModuleList([Block(d) for _ in range(n_blocks)])
        self.head = nn.Linear(d, 3)

    def forward(self, x: Tensor, mask) -> Tensor:
        for block in self.blocks:
            x = block(x, mask)
        return self.head(x)


def tower_loss(n_blocks=2, batch=2, length=5, d=4, backward=True):
    """(loss, model): mean of the Tower's outputs on seeded inputs, after backward."""
    model = Tower(d, n_blocks)
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((batch, length, d)), dtype=np.float32, name="x")
    mask = np.tril(np.ones((length, length), dtype=bool))  # causal
    loss = model(x, mask).mean()
    if backward:
        loss.backward()
    return loss, model
