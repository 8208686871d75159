"""Optimizers (SGD with momentum, Adam, AdamW) and the Noam learning-rate schedule.

The update rules are PyTorch's, step for step, so a model trained here and in
PyTorch from the same weights follows the same path. Updates are written in
place on the parameters' arrays and run outside the graph.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from .backend import get_array_module, to_device, to_numpy, uses_host_memory
from .tensor import Tensor


class Optimizer:
    """Holds the parameters and the per-parameter state; `step()` updates them."""

    def __init__(self, params, lr: float):
        self.params = list(params)
        name = type(self).__name__
        if not self.params:
            raise ValueError(f"{name}: got an empty list of parameters")
        for p in self.params:
            if not isinstance(p, Tensor) or not p.requires_grad:
                raise TypeError(
                    f"{name}: expected tensors with requires_grad=True (such as "
                    f"model.parameters()), got {type(p).__name__}"
                )
        if len({id(p) for p in self.params}) != len(self.params):
            raise ValueError(
                f"{name}: a parameter appears twice in the list (a shared weight?) "
                "and would be updated twice per step; pass each tensor once "
                "(model.parameters() already does)"
            )
        _check_number(name, "lr", lr)
        self.lr = lr
        self.steps = 0
        self.state: dict[int, dict] = {}  # index of a parameter -> its buffers

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    def step(self) -> None:
        self.steps += 1
        for i, p in enumerate(self.params):
            if p.grad is not None:
                self.update(i, p._data, p.grad)
                p._changed()  # a new version: graphs that saved p are stale

    def update(self, i: int, param, grad) -> None:
        raise NotImplementedError

    def _buffer(self, i: int, name: str, like):
        state = self.state.setdefault(i, {})
        if name not in state:
            state[name] = get_array_module(like).zeros_like(like)
        return state[name]

    def state_dict(self) -> dict:
        """The step count, lr and every buffer as host arrays (for checkpoints)."""
        state = {
            i: {k: _host_copy(v) for k, v in s.items()} for i, s in self.state.items()
        }
        return {"steps": self.steps, "lr": self.lr, "state": state}

    def load_state_dict(self, saved: dict) -> None:
        """Restore what state_dict returned (buffers go to each parameter's device)."""
        self.steps, self.lr = int(saved["steps"]), float(saved["lr"])
        self.state = {}
        for i, buffers in saved["state"].items():
            if not 0 <= int(i) < len(self.params):
                raise ValueError(
                    f"{type(self).__name__}.load_state_dict: state for parameter "
                    f"{i}, but this optimizer has {len(self.params)} parameters"
                )
            device = self.params[int(i)].device
            self.state[int(i)] = {
                k: to_device(v, device) if hasattr(v, "shape") else v
                for k, v in buffers.items()
            }


def _check_number(optimizer: str, name: str, value, below: float = math.inf) -> None:
    """A hyperparameter: a finite number >= 0 (and < `below` when given).
    NaN fails every comparison, so it is refused too (it would silently turn
    every weight into NaN at the first step)."""
    if not (isinstance(value, numbers.Real) and 0 <= value < below):
        bound = "a finite number >= 0" if below == math.inf else f"in [0, {below})"
        raise ValueError(f"{optimizer}: {name} must be {bound}, got {value!r}")


def _host_copy(value):
    """An optimizer buffer as a host array (a copy), or a step count as it is."""
    return to_numpy(value).copy() if hasattr(value, "shape") else value


class SGD(Optimizer):
    """p ← p - lr · b, with b ← momentum · b + g (b = g at the first step).

    momentum = 0 is plain gradient descent. weight_decay adds wd · p to g.
    """

    def __init__(
        self, params, lr: float = 0.01, momentum: float = 0.0, weight_decay: float = 0.0
    ):
        super().__init__(params, lr)
        _check_number("SGD", "momentum", momentum)
        _check_number("SGD", "weight_decay", weight_decay)
        self.momentum, self.weight_decay = momentum, weight_decay

    def update(self, i, param, grad):
        if self.weight_decay:
            grad = grad + self.weight_decay * param
        if self.momentum:
            state = self.state.setdefault(i, {})
            if "momentum" not in state:
                state["momentum"] = grad.copy()
            else:
                state["momentum"] *= self.momentum
                state["momentum"] += grad
            grad = state["momentum"]
        param -= self.lr * grad


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015), with t the step number:

        m ← β₁ m + (1 - β₁) g            (running mean of gradients)
        v ← β₂ v + (1 - β₂) g²           (running mean of squared gradients)
        p ← p - lr · m̂ / (√v̂ + eps),    m̂ = m / (1 - β₁ᵗ), v̂ = v / (1 - β₂ᵗ)

    weight_decay adds wd · p to g (L2 regularisation, as torch.optim.Adam).
    The paper's Transformer used β = (0.9, 0.98), eps = 1e-9.
    """

    decoupled = False

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas=(0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ):
        super().__init__(params, lr)
        name = type(self).__name__
        for i, beta in enumerate(betas):
            _check_number(name, f"betas[{i}]", beta, below=1)
        _check_number(name, "eps", eps)
        _check_number(name, "weight_decay", weight_decay)
        self.betas, self.eps, self.weight_decay = tuple(betas), eps, weight_decay

    def update(self, i, param, grad):
        xp = get_array_module(param)
        beta1, beta2 = self.betas
        if self.weight_decay and self.decoupled:
            param *= 1 - self.lr * self.weight_decay
        elif self.weight_decay:
            grad = grad + self.weight_decay * param
        m = self._buffer(i, "m", param)
        v = self._buffer(i, "v", param)
        # t counts this parameter's own updates (as PyTorch): a parameter that
        # got no gradient at some step does not advance its bias correction.
        t = self.state[i]["step"] = self.state[i].get("step", 0) + 1
        # lr m̂ / (√v̂ + eps) = lr √(1-β₂ᵗ)/(1-β₁ᵗ) · m / (√v + eps √(1-β₂ᵗ))
        root = math.sqrt(1 - beta2**t)
        step_size, eps = self.lr * root / (1 - beta1**t), self.eps * root
        for p, g, m_, v_ in _slices(param, grad, m, v):
            tmp = self._scratch(p)
            xp.subtract(g, m_, out=tmp)
            tmp *= 1 - beta1
            m_ += tmp  # m ← m + (1 - β₁)(g - m) = β₁ m + (1 - β₁) g
            xp.multiply(g, g, out=tmp)
            tmp *= 1 - beta2
            v_ *= beta2
            v_ += tmp  # v ← β₂ v + (1 - β₂) g²
            xp.sqrt(v_, out=tmp)
            tmp += eps
            xp.divide(m_, tmp, out=tmp)
            tmp *= step_size
            p -= tmp

    def _scratch(self, like):
        """A temporary of like's shape. On the CPU one buffer serves every
        slice of every step: no new array, so no fresh memory to fault in."""
        if not uses_host_memory(like) or like.size > _SLICE:
            return get_array_module(like).empty_like(like)
        if getattr(self, "_scratch_buffer", None) is None:
            self._scratch_buffer = np.empty(_SLICE, dtype=np.float64)
        return self._scratch_buffer.view(like.dtype)[: like.size].reshape(like.shape)


# Adam updates long arrays in slices of this many elements: the arrays of one
# slice (p, g, m, v and a temporary) stay in the CPU's cache through the
# twelve passes of the update instead of streaming from memory twelve times.
_SLICE = 32768


def _slices(param, grad, m, v):
    """(p, g, m, v) slices of at most _SLICE elements on the CPU; the whole
    arrays on a GPU, or when the parameter is not one contiguous block."""
    if not uses_host_memory(param) or not param.flags.c_contiguous:
        yield param, grad, m, v
        return
    flat = [a.reshape(-1) for a in (param, grad, m, v)]
    for start in range(0, param.size, _SLICE):
        yield tuple(a[start : start + _SLICE] for a in flat)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter, 2019): before the
    Adam step, p ← p (1 - lr · wd). Defaults as torch.optim.AdamW."""

    decoupled = True

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas=(0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.01,
    ):
        super().__init__(params, lr, betas, eps, weight_decay)


class NoamSchedule:
    """The learning rate of "Attention is all you need" (section 5.3):

        lr(step) = factor · d_model^-0.5 · min(step^-0.5, step · warmup^-1.5)

    It rises linearly for `warmup` steps, then decays as 1/√step. Call `step()`
    once per optimizer step, before `optimizer.step()`.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        d_model: int,
        warmup: int = 4000,
        factor: float = 1.0,
    ):
        if warmup < 1:
            raise ValueError(f"NoamSchedule: warmup must be >= 1, got {warmup}")
        self.optimizer, self.d_model, self.warmup, self.factor = (
            optimizer,
            d_model,
            warmup,
            factor,
        )
        self.steps = 0

    def rate(self, step: int) -> float:
        step = max(step, 1)
        return (
            self.factor * self.d_model**-0.5 * min(step**-0.5, step * self.warmup**-1.5)
        )

    def step(self) -> float:
        self.steps += 1
        self.optimizer.lr = self.rate(self.steps)
        return self.optimizer.lr

    def state_dict(self) -> dict:
        return {"steps": self.steps}

    def load_state_dict(self, saved: dict) -> None:
        self.steps = int(saved["steps"])
