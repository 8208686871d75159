"""backward(): accumulation, aliasing of gradient arrays, retain_graph, the
released-graph error, no_grad, deep graphs, and freeing by reference counting."""

import gc
import weakref

import numpy as np
import pytest

import tinygrad_tx
from tinygrad_tx import Tensor, enable_grad, is_grad_enabled, nn, no_grad, optim
from tinygrad_tx import functional as F
from tinygrad_tx.backend import to_numpy
from tinygrad_tx.nn.utils import clip_grad_norm_


def leaf(values, device):
    return Tensor(np.asarray(values, np.float64), requires_grad=True, device=device)


def test_a_tensor_used_twice_gets_both_contributions(device):
    x = leaf([1.0, 2.0], device)
    (x * x + x).sum().backward()  # d/dx (x² + x) = 2x + 1
    np.testing.assert_allclose(to_numpy(x.grad), [3.0, 5.0])


def test_gradients_accumulate_across_backward_calls(device):
    x = leaf([1.0, -2.0], device)
    for expected in ([2.0, -4.0], [4.0, -8.0], [6.0, -12.0]):
        (x * x).sum().backward()
        np.testing.assert_allclose(to_numpy(x.grad), expected)


def test_zero_grad_starts_accumulation_afresh(device):
    layer = nn.Linear(3, 2).to(device)
    x = Tensor(np.ones((4, 3), np.float32), device=device)
    layer(x).sum().backward()
    first = to_numpy(layer.weight.grad).copy()
    layer.zero_grad()
    assert layer.weight.grad is None
    layer(x).sum().backward()
    np.testing.assert_array_equal(to_numpy(layer.weight.grad), first)


def test_gradient_arrays_are_never_shared_between_tensors(device):
    """add's backward returns one array for both inputs, reshape a view of its
    upstream gradient: each .grad must still be its own array, so an in-place
    change (clipping, an optimizer) to one leaves the others alone."""
    a, b = leaf([1.0, 2.0], device), leaf([3.0, 4.0], device)
    c = leaf([[5.0, 6.0]], device)
    out = a + b + c.reshape(2)
    seed = np.array([1.0, 1.0])
    out.backward(seed)
    a.grad *= 10
    np.testing.assert_array_equal(to_numpy(b.grad), [1.0, 1.0])
    np.testing.assert_array_equal(to_numpy(c.grad), [[1.0, 1.0]])
    np.testing.assert_array_equal(seed, [1.0, 1.0])  # the caller's seed untouched
    for t in (a, b, c):
        assert to_numpy(t.grad).flags.writeable


def test_backward_through_a_leaf_itself_copies_the_seed(device):
    x = leaf([1.0, 2.0], device)
    seed = np.array([3.0, 4.0])
    x.backward(seed)
    x.grad += 1
    np.testing.assert_array_equal(seed, [3.0, 4.0])


def test_clip_grad_norm_scales_every_gradient_once(device):
    a, b = leaf([3.0], device), leaf([4.0], device)
    (a + b).sum().backward()  # both grads come from one array
    norm = clip_grad_norm_([a, b], max_norm=1.0)
    assert norm == pytest.approx(np.sqrt(2.0))
    np.testing.assert_allclose(to_numpy(a.grad), [1 / np.sqrt(2)], rtol=1e-5)
    np.testing.assert_allclose(to_numpy(b.grad), [1 / np.sqrt(2)], rtol=1e-5)


def test_retain_graph_allows_a_second_backward(device):
    x = leaf([2.0], device)
    y = (x * x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(to_numpy(x.grad), [24.0])  # 2 * 3x²


def test_backward_twice_through_a_freed_graph_is_an_error(device):
    x = leaf([2.0], device)
    y = (x.exp() * 3).sum()
    y.backward()
    with pytest.raises(RuntimeError, match=r"already freed.*retain_graph=True"):
        y.backward()


def test_intermediate_gradients_on_request(device):
    x = leaf([1.0, 2.0], device)
    h = (x * 3).retain_grad()
    out = (h * h).sum()
    out.backward()
    np.testing.assert_allclose(to_numpy(h.grad), 2 * 3 * np.array([1.0, 2.0]))
    y = x * 2
    (y.sum()).backward(retain_grads=True)
    np.testing.assert_allclose(to_numpy(y.grad), [1.0, 1.0])
    z = x * 5
    z.sum().backward()
    assert z.grad is None  # intermediates keep no .grad unless asked


def test_non_scalar_backward_takes_the_given_gradient(device):
    x = leaf([[1.0, 2.0, 3.0]], device)
    u = np.array([[0.5, -1.0, 2.0]])
    (x * x).backward(u)
    np.testing.assert_allclose(to_numpy(x.grad), 2 * x.numpy() * u)


def test_detach_and_constants_get_no_gradient(device):
    x = leaf([1.0, 2.0], device)
    c = Tensor([1.0, 1.0], device=device)
    (x * x.detach() + c).sum().backward()
    np.testing.assert_allclose(to_numpy(x.grad), [1.0, 2.0])  # x.detach() is a constant
    assert c.grad is None and not c.requires_grad


def test_no_grad_builds_no_graph(device):
    x = leaf([1.0], device)
    with no_grad():
        assert not is_grad_enabled()
        y = x * 2
        with enable_grad():
            z = x * 2
    assert is_grad_enabled()
    assert not y.requires_grad and y._ctx is None
    assert z.requires_grad and z._ctx is not None


def test_no_grad_as_a_decorator_restores_the_switch_after_an_error():
    @no_grad()
    def evaluate(x):
        assert not is_grad_enabled()
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        evaluate(Tensor([1.0]))
    assert is_grad_enabled()


def test_a_10000_op_chain_needs_no_recursion(device):
    x = leaf([1.0], device)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    y.sum().backward()
    np.testing.assert_allclose(to_numpy(x.grad), [1.0001**10_000], rtol=1e-9)


def test_diamond_graph_visits_each_node_once(device):
    x = leaf([2.0], device)
    a = x * 3
    b, c = a.exp(), a * a
    (b + c).sum().backward()
    # d/dx [e^(3x) + 9x²] = 3 e^(3x) + 18x
    np.testing.assert_allclose(to_numpy(x.grad), [3 * np.exp(6.0) + 36.0])


def test_float32_graph_keeps_float32_gradients(device):
    x = Tensor(np.ones((2, 3), np.float32), requires_grad=True, device=device)
    y = ((x * 2.5 + 1) / 3.0).exp().log().sum() ** 2
    assert y.dtype == np.float32
    y.backward()
    assert x.grad.dtype == np.float32


def test_a_training_step_graph_is_freed_by_reference_counting(device):
    """The graph links point one way (output -> Function -> inputs): with the
    cycle collector off, the step's intermediate tensors die when the step's
    last reference goes, so no gc pass is ever needed."""
    tinygrad_tx.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3)).to(device)
    opt = optim.SGD(model.parameters(), lr=0.1)
    x = Tensor(np.ones((5, 4), np.float32), device=device)

    def step():
        hidden = model[0](x)  # an intermediate tensor of the graph
        loss = F.cross_entropy(model[2](model[1](hidden)), [0, 1, 2, 0, 1])
        opt.zero_grad()
        loss.backward()
        opt.step()
        return weakref.ref(hidden), weakref.ref(loss._ctx)

    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        hidden_ref, fn_ref = step()
        assert hidden_ref() is None and fn_ref() is None
        assert gc.collect() == 0  # nothing was left for the cycle collector
    finally:
        if was_enabled:
            gc.enable()


def test_no_op_upcasts_a_float32_graph(monkeypatch):
    """Every op's forward output and every gradient it sends back stay float32
    (a float64 temporary would double memory traffic and hide in the timings)."""
    from tinygrad_tx import autograd
    from tinygrad_tx import composed as C

    seen = []
    propagate = autograd._propagate

    def spy(fn, grad_out, grads):
        propagate(fn, grad_out, grads)
        seen.extend((fn.op_name(), g.dtype) for g in grads.values())

    monkeypatch.setattr(autograd, "_propagate", spy)
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((3, 4)).astype(np.float32), requires_grad=True)
    w = Tensor(rng.standard_normal((5, 4)).astype(np.float32), requires_grad=True)
    table = Tensor(rng.standard_normal((6, 5)).astype(np.float32), requires_grad=True)
    y = F.linear(x, w)
    z = ((y.relu() * 2 + 1 - y.tanh() / 3).sigmoid().exp().log().sqrt().abs()) ** 2
    z = Tensor.where(z > 0.5, z.maximum(y).minimum(y * 2), y)
    z = z.masked_fill(np.eye(3, 5, dtype=bool), 0.0)
    z = z.softmax() + z.log_softmax() + F.layer_norm(z) + C.layer_norm(z)
    parts = [
        z.sum(axis=1).mean(),
        z.max(),
        z.var(),
        z[[0, 0], 1:].sum(),
        Tensor.cat([z, z], 1).sum(),
        Tensor.stack([z, z]).mean(),
        F.cross_entropy(z, [0, 1, 2], label_smoothing=0.1),
        C.cross_entropy(z, [0, 1, 2]),
        (z @ z.T).sum(),
        z.reshape(15).broadcast_to(2, 15).sum(),
        F.embedding([1, 1, 2], table).sum(),
        F.dropout(z, 0.3).sum(),
    ]
    loss = parts[0]
    for part in parts[1:]:
        assert part.dtype == np.float32
        loss = loss + part
    loss.backward()
    assert seen and {dtype for _, dtype in seen} == {np.dtype(np.float32)}, seen
    assert x.grad.dtype == w.grad.dtype == table.grad.dtype == np.float32
