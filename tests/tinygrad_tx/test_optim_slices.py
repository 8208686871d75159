"""Adam updates long parameters slice by slice on the CPU (for the cache): the
result must be the textbook update, for a parameter longer than one slice, for
one that is not a contiguous block, and with float32 and float64."""

import numpy as np
import pytest

from tinygrad_tx import nn, optim
from tinygrad_tx.optim import _SLICE


def textbook_adam(p, grads, lr, betas, eps, weight_decay=0.0, decoupled=False):
    """Kingma and Ba's update, step by step, in float64."""
    p, m, v = p.astype(np.float64), np.zeros(p.shape), np.zeros(p.shape)
    for t, g in enumerate(grads, start=1):
        if decoupled:
            p = p * (1 - lr * weight_decay)
        elif weight_decay:
            g = g + weight_decay * p
        m = betas[0] * m + (1 - betas[0]) * g
        v = betas[1] * v + (1 - betas[1]) * g * g
        m_hat, v_hat = m / (1 - betas[0] ** t), v / (1 - betas[1] ** t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
    return p


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("layout", ["long", "transposed"])
@pytest.mark.parametrize("kind", ["adam", "adamw"])
def test_adam_matches_the_textbook_update(dtype, layout, kind):
    rng = np.random.default_rng(0)
    shape = (3, _SLICE + 5) if layout == "long" else (7, 9)  # long: 4 slices
    start = rng.standard_normal(shape).astype(dtype)
    p = nn.Parameter(start)
    if layout == "transposed":  # a parameter whose array is not one C block
        p.data = np.ascontiguousarray(start.T).T
        assert not p.data.flags.c_contiguous
    grads = [rng.standard_normal(shape).astype(dtype) for _ in range(3)]
    options = dict(lr=0.01, betas=(0.9, 0.98), eps=1e-8)
    if kind == "adam":
        opt = optim.Adam([p], **options)
        expected = textbook_adam(start, grads, **options)
    else:
        opt = optim.AdamW([p], weight_decay=0.1, **options)
        expected = textbook_adam(
            start, grads, weight_decay=0.1, decoupled=True, **options
        )
    for g in grads:
        p.grad = g.copy()
        opt.step()
    assert p.data.dtype == dtype
    tolerance = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(p.data, expected, rtol=tolerance, atol=tolerance)


def test_adam_with_l2_weight_decay_on_a_long_parameter():
    rng = np.random.default_rng(1)
    start = rng.standard_normal(2 * _SLICE + 1)
    p = nn.Parameter(start)
    opt = optim.Adam([p], lr=0.1, weight_decay=0.5)
    g = rng.standard_normal(start.shape)
    p.grad = g.copy()
    opt.step()
    expected = textbook_adam(start, [g], 0.1, (0.9, 0.999), 1e-8, weight_decay=0.5)
    np.testing.assert_allclose(p.data, expected, rtol=1e-12, atol=1e-12)
