"""NumPy oracles for the attention tests, and a gradcheck over a module's
parameters as well as its inputs."""

from __future__ import annotations

import numpy as np

from tinygrad_tx.gradcheck import gradcheck


def attention_oracle(q, k, v, mask=None):
    """softmax(q kᵀ / √d) v written directly in NumPy, zero rows where every key
    is masked: (out, weights)."""
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])
    allowed = (
        np.ones(scores.shape, bool)
        if mask is None
        else np.broadcast_to(mask, scores.shape)
    )
    scores = np.where(allowed, scores, -np.inf)
    row_max = scores.max(axis=-1, keepdims=True)
    row_max = np.where(np.isfinite(row_max), row_max, 0.0)
    e = np.where(allowed, np.exp(scores - row_max), 0.0)
    total = e.sum(axis=-1, keepdims=True)
    weights = e / np.where(total == 0, 1.0, total)
    return weights @ v, weights


def module_gradcheck(module, run, inputs, **tolerances):
    """gradcheck of `run(*inputs)` through `module`, checking the gradients of
    every parameter too: the float64 copies gradcheck makes of the parameters
    are put into the module (under each name of a shared one) before each call."""
    params = module.parameters()
    names_of = {id(p): [] for p in params}
    for name, p in module.named_parameters(remove_duplicate=False):
        names_of[id(p)].append(name)
    n_inputs = len(inputs)

    def fn(*tensors):
        for param, tensor in zip(params, tensors[n_inputs:]):
            for name in names_of[id(param)]:
                *path, attr = name.split(".")
                owner = module
                for part in path:
                    owner = getattr(owner, part)
                setattr(owner, attr, tensor)
        return run(*tensors[:n_inputs])

    for p in params:
        p.requires_grad_(True)
    return gradcheck(fn, [*inputs, *params], **tolerances)
