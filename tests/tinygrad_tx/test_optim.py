"""Optimizers: hand-computed first steps, PyTorch's update rules step for step
(optional, with torch), state dicts, and the Noam schedule's formula."""

import itertools
import math

import numpy as np
import pytest

from tinygrad_tx import Tensor, nn, optim
from tinygrad_tx.backend import to_numpy


def param(values, device="cpu"):
    return nn.Parameter(np.asarray(values, np.float64), device=device)


def set_grad(p, values):
    p.grad = Tensor(np.asarray(values, np.float64), device=p.device).data


def test_sgd_step_is_p_minus_lr_g(device):
    p = param([1.0, -2.0], device)
    set_grad(p, [0.5, -1.0])
    optim.SGD([p], lr=0.1).step()
    np.testing.assert_allclose(to_numpy(p.data), [0.95, -1.9])


def test_sgd_momentum_by_hand(device):
    """b1 = g1, b2 = 0.9 b1 + g2;  p2 = p0 - lr b1 - lr b2."""
    p = param([1.0], device)
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    set_grad(p, [1.0])
    opt.step()
    set_grad(p, [2.0])
    opt.step()
    np.testing.assert_allclose(to_numpy(p.data), [1.0 - 0.1 * 1.0 - 0.1 * (0.9 + 2.0)])


def test_adam_first_step_moves_each_weight_by_about_lr(device):
    """At t = 1 the bias corrections make m̂ = g and v̂ = g², so the step is
    lr g / (|g| + eps): lr times the sign of g, whatever the gradient's size."""
    p = param([0.0, 0.0, 0.0], device)
    set_grad(p, [1e-3, -5.0, 200.0])
    optim.Adam([p], lr=0.01).step()
    np.testing.assert_allclose(to_numpy(p.data), [-0.01, 0.01, -0.01], rtol=1e-4)


def test_adamw_decays_the_weight_before_the_adam_step(device):
    p = param([2.0], device)
    set_grad(p, [0.0])  # no gradient signal: only the decay acts
    optim.AdamW([p], lr=0.1, weight_decay=0.5).step()
    np.testing.assert_allclose(to_numpy(p.data), [2.0 * (1 - 0.1 * 0.5)])


def test_parameters_without_gradient_are_left_alone():
    a, b = param([1.0]), param([1.0])
    set_grad(a, [1.0])
    opt = optim.Adam([a, b], lr=0.1)
    opt.step()
    assert b.data[0] == 1.0 and opt.state[0]["step"] == 1 and 1 not in opt.state


def test_optimizer_zero_grad():
    p = param([1.0])
    set_grad(p, [1.0])
    opt = optim.SGD([p], lr=0.1)
    opt.zero_grad()
    assert p.grad is None


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9),
        lambda ps: optim.Adam(ps, lr=0.01),
        lambda ps: optim.AdamW(ps, lr=0.01),
    ],
    ids=["sgd", "adam", "adamw"],
)
def test_state_dict_resumes_exactly(make):
    rng = np.random.default_rng(0)
    grads = rng.standard_normal((6, 3))
    p1 = param(rng.standard_normal(3))
    p2 = param(p1.numpy())
    opt1 = make([p1])
    for g in grads:
        set_grad(p1, g)
        opt1.step()
    opt2 = make([p2])
    for g in grads[:3]:
        set_grad(p2, g)
        opt2.step()
    saved = opt2.state_dict()
    opt3 = make([p2])
    opt3.load_state_dict(saved)
    for g in grads[3:]:
        set_grad(p2, g)
        opt3.step()
    np.testing.assert_array_equal(p1.numpy(), p2.numpy())


# ------------------------------------------------------------------ against PyTorch

CONFIGS = {
    "sgd": dict(lr=0.1),
    "sgd_momentum": dict(lr=0.1, momentum=0.9),
    "sgd_momentum_wd": dict(lr=0.05, momentum=0.8, weight_decay=0.01),
    "adam": dict(lr=0.01),
    "adam_betas_wd": dict(lr=0.02, betas=(0.9, 0.98), eps=1e-9, weight_decay=0.1),
    "adamw": dict(lr=0.01, weight_decay=0.05),
}


@pytest.mark.parametrize("name", list(CONFIGS))
def test_optimizer_matches_pytorch_step_for_step(name):
    torch = pytest.importorskip("torch")
    kind = {"sgd": "SGD", "ada": "Adam"}[name[:3]]
    kind = "AdamW" if name.startswith("adamw") else kind
    options = CONFIGS[name]
    rng = np.random.default_rng(1)
    start = rng.standard_normal((4, 3))
    ours = param(start)
    theirs = torch.tensor(start, requires_grad=True)
    opt = getattr(optim, kind)([ours], **options)
    topt = getattr(torch.optim, kind)([theirs], **options)
    for step in range(20):
        g = rng.standard_normal((4, 3)) * (1 + step)
        set_grad(ours, g)
        theirs.grad = torch.tensor(g)
        opt.step()
        topt.step()
        np.testing.assert_allclose(
            ours.numpy(), theirs.detach().numpy(), rtol=1e-12, atol=1e-14
        )


def test_adam_skipped_steps_match_pytorch():
    """A parameter without a gradient at some step keeps its own step count."""
    torch = pytest.importorskip("torch")
    a, b = param([1.0, 2.0]), param([3.0])
    ta = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    tb = torch.tensor([3.0], dtype=torch.float64, requires_grad=True)
    opt, topt = optim.Adam([a, b], lr=0.1), torch.optim.Adam([ta, tb], lr=0.1)
    for step in range(4):
        set_grad(a, [0.5 * step, -1.0])
        ta.grad = torch.tensor([0.5 * step, -1.0], dtype=torch.float64)
        b.grad, tb.grad = None, None
        if step % 2:
            set_grad(b, [2.0])
            tb.grad = torch.tensor([2.0], dtype=torch.float64)
        opt.step()
        topt.step()
    np.testing.assert_allclose(a.numpy(), ta.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(b.numpy(), tb.detach().numpy(), rtol=1e-12)


def test_float32_training_matches_pytorch():
    """A whole float32 model (Linear-ReLU-Linear, cross-entropy, Adam) follows
    PyTorch's trajectory from the same weights."""
    torch = pytest.importorskip("torch")
    from tinygrad_tx import functional as F

    rng = np.random.default_rng(2)
    x = rng.standard_normal((16, 5)).astype(np.float32)
    y = rng.integers(0, 3, 16)
    ours = nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 3))
    theirs = torch.nn.Sequential(
        torch.nn.Linear(5, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3)
    )
    theirs.load_state_dict({k: torch.tensor(v) for k, v in ours.state_dict().items()})
    opt = optim.Adam(ours.parameters(), lr=0.01)
    topt = torch.optim.Adam(theirs.parameters(), lr=0.01)
    for _ in range(10):
        loss = F.cross_entropy(ours(Tensor(x)), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        tloss = torch.nn.functional.cross_entropy(
            theirs(torch.tensor(x)), torch.tensor(y)
        )
        topt.zero_grad()
        tloss.backward()
        topt.step()
        assert loss.item() == pytest.approx(tloss.item(), rel=1e-5)
    for name, value in theirs.state_dict().items():
        np.testing.assert_allclose(
            ours.state_dict()[name], value.numpy(), rtol=1e-4, atol=1e-6
        )


# ------------------------------------------------------------------ Noam


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        (1, 512**-0.5 * 4000**-1.5),  # warm-up: linear in the step
        (2000, 512**-0.5 * 2000 * 4000**-1.5),
        (4000, (512 * 4000) ** -0.5),  # the peak, 6.9877e-4
        (16000, 512**-0.5 * 16000**-0.5),  # decay: 1 / sqrt(step)
        (100_000, 512**-0.5 * 100_000**-0.5),
    ],
)
def test_noam_schedule_follows_the_paper(step, expected):
    """lr = d_model^-0.5 · min(step^-0.5, step · warmup^-1.5), section 5.3."""
    sched = optim.NoamSchedule(optim.SGD([param([0.0])]), d_model=512, warmup=4000)
    assert sched.rate(step) == pytest.approx(expected, rel=1e-12)
    assert sched.rate(4000) == pytest.approx(6.9877e-4, rel=1e-4)


def test_noam_schedule_sets_the_optimizer_lr():
    opt = optim.Adam([param([0.0])], lr=0.0, betas=(0.9, 0.98), eps=1e-9)
    sched = optim.NoamSchedule(opt, d_model=16, warmup=10, factor=2.0)
    rates = [sched.step() for _ in range(30)]
    assert opt.lr == rates[-1]
    assert rates[0] == pytest.approx(2.0 * 16**-0.5 * 10**-1.5)
    assert max(rates) == rates[9]  # the peak is at step = warmup
    assert all(a < b for a, b in itertools.pairwise(rates[:10]))
    assert all(a > b for a, b in itertools.pairwise(rates[9:]))
    saved = sched.state_dict()
    again = optim.NoamSchedule(opt, d_model=16, warmup=10, factor=2.0)
    again.load_state_dict(saved)
    assert again.step() == pytest.approx(sched.rate(31))
    assert math.isfinite(sched.rate(0))
