"""Hidden checks for adam_step (grade-all only): a zero gradient, and the
betas argument really used."""

import numpy as np

from tinygrad_tx import optim
from tinygrad_tx.grading.checks import check, expect_close, rng
from tinygrad_tx.nn import Parameter


@check(points=1, hint="a zero gradient still moves p while m remembers the past")
def zero_gradient_after_steps(ex):
    reference = Parameter(np.ones(2))
    adam = optim.Adam([reference], lr=0.1, betas=(0.5, 0.9))
    param, m, v = np.ones(2), np.zeros(2), np.zeros(2)
    for t, g in enumerate([np.array([1.0, -3.0]), np.zeros(2), np.zeros(2)], start=1):
        reference.grad = g.copy()
        adam.step()
        param, m, v = ex.adam_step(param, g, m, v, t, 0.1, (0.5, 0.9), 1e-8)
    expect_close(param, reference.numpy(), "param after a step and two zero gradients")


@check(points=1, hint="use both betas from the argument, not fixed 0.9 / 0.999")
def unusual_betas(ex):
    start = rng(110).standard_normal(4)
    reference = Parameter(start.copy())
    adam = optim.Adam([reference], lr=0.2, betas=(0.3, 0.5), eps=1e-6)
    param, m, v = start.copy(), np.zeros(4), np.zeros(4)
    for t in range(1, 4):
        g = rng(110 + t).standard_normal(4)
        reference.grad = g.copy()
        adam.step()
        param, m, v = ex.adam_step(param, g, m, v, t, 0.2, (0.3, 0.5), 1e-6)
    expect_close(param, reference.numpy(), "param with betas (0.3, 0.5)")
