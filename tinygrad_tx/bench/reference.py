"""The benchmark's yardstick: an MLP written by hand in plain NumPy (or CuPy).

No graph, no Tensor: the forward pass keeps what backward needs in local
variables and backward is the chain rule written out, layer by layer. It is what
a careful student would write without an autograd engine, and the engine's
training step is timed against it.

For one Linear layer y = x Wᵀ + b with upstream gradient g = dL/dy:
    dL/dW = gᵀ x,   dL/db = Σ_rows g,   dL/dx = g W
ReLU a = max(h, 0):  dL/dh = dL/da * (h > 0)
Mean cross-entropy over B rows, p = softmax(z):  dL/dz = (p - onehot(y)) / B
"""

from __future__ import annotations


class NumpyMLP:
    """Linear-ReLU-...-Linear with weights (out, in) and biases, as nn.Linear."""

    def __init__(self, weights: list, biases: list, xp):
        self.weights = [w.copy() for w in weights]
        self.biases = [b.copy() for b in biases]
        self.xp = xp

    def loss_and_grads(self, x, y):
        """Forward, then backward by hand: (loss, [dW...], [db...])."""
        xp = self.xp
        inputs, pre = [], []  # per layer: its input a, and (hidden) its h
        a = x
        n_layers = len(self.weights)
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            inputs.append(a)
            h = a @ w.T
            h += b
            if i < n_layers - 1:
                pre.append(h)
                a = xp.maximum(h, 0)
            else:
                a = h  # the logits z, (B, C)
        loss, g = _cross_entropy_and_grad(a, y, xp)
        grads_w, grads_b = [None] * n_layers, [None] * n_layers
        for i in reversed(range(n_layers)):
            grads_w[i] = g.T @ inputs[i]
            grads_b[i] = g.sum(axis=0)
            if i > 0:
                g = g @ self.weights[i]
                g *= pre[i - 1] > 0
        return loss, grads_w, grads_b

    def sgd_step(self, x, y, lr: float) -> float:
        """One training step: forward, backward, p ← p - lr · dp. Returns the loss."""
        loss, grads_w, grads_b = self.loss_and_grads(x, y)
        for p, g in zip(self.weights + self.biases, grads_w + grads_b):
            p -= lr * g
        return loss


def _cross_entropy_and_grad(z, y, xp):
    """Mean cross-entropy of logits z (B, C) for labels y (B,), and dL/dz."""
    batch = z.shape[0]
    shifted = z - z.max(axis=1, keepdims=True)
    exp = xp.exp(shifted)
    sums = exp.sum(axis=1, keepdims=True)
    rows = xp.arange(batch)
    loss = float(xp.log(sums[:, 0]).sum() - shifted[rows, y].sum()) / batch
    grad = exp / sums  # softmax
    grad[rows, y] -= 1
    grad /= batch
    return loss, grad
