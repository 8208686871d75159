"""Gradient utilities used by training loops."""

from __future__ import annotations

import math

from ..backend import get_array_module


def clip_grad_norm_(parameters, max_norm: float) -> float:
    """Scale all gradients together so their global L2 norm is at most max_norm.

    Returns the norm before clipping (worth logging: a spike means trouble).
    """
    grads = [p.grad for p in parameters if p.grad is not None]
    if not grads:
        return 0.0
    xp = get_array_module(grads[0])
    squares = sum(xp.vdot(g.ravel(), g.ravel()) for g in grads)  # on the device
    total = math.sqrt(float(squares))  # one copy to the host
    if total > max_norm:
        scale = max_norm / (total + 1e-6)
        for g in grads:
            g *= scale
    return total
