"""One step of Adam: the optimizer that trains the Transformer.

Lesson 4 (training a small network). SGD moves each parameter by -lr times its
gradient. Adam keeps two running averages per parameter, of the gradient and of
its square, and moves by their ratio: steps of about lr in every direction,
whatever the scale of the gradient.

Task
----
Write `adam_step(param, grad, m, v, t, lr, betas, eps)` on NumPy arrays. It
returns (new_param, new_m, new_v) for step number t (1 for the first step)
and must not change its arguments in place.

The math
--------
    m ← β₁ m + (1 - β₁) g                (running mean of the gradient)
    v ← β₂ v + (1 - β₂) g²               (running mean of its square)
    m̂ = m / (1 - β₁ᵗ)    v̂ = v / (1 - β₂ᵗ)   (bias correction: m and v start at 0)
    p ← p - lr · m̂ / (√v̂ + eps)

At t = 1, m̂ = g and v̂ = g², so the first step is lr · g / (|g| + eps): about lr
in the direction of -g, for a gradient of 0.001 as for one of 1000.

Hints
-----
- betas is the pair (β₁, β₂); the paper's Transformer used (0.9, 0.98), eps 1e-9.
- Without the bias correction, the first steps are far too small (m is 10 times
  smaller than g after one step with β₁ = 0.9).
- Write new arrays (m = beta1 * m + ...), do not update m in place.

Check your work: python cli.py exercise check adam_step
"""

import numpy as np


def adam_step(param, grad, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    """(new_param, new_m, new_v) after Adam's step number t (t starts at 1)."""
    # Update m and v, correct their bias with t, then move param.
    ### BEGIN SOLUTION
    beta1, beta2 = betas
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad * grad
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return param - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
    ### END SOLUTION
