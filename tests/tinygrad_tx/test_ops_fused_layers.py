"""The fused ops the Transformer's layers run for speed: the dropout mask from
random bits, LinearReLU (Linear, ReLU, dropout) and AddLayerNorm (post-norm's
add, dropout and LayerNorm). Values against NumPy formulas, gradients by
gradcheck in float64, and agreement with the same ops composed one by one,
dropout included (both draw the same mask from the same seed)."""

import numpy as np
import pytest
from helpers import assert_close, away_from, check_op, rand

import tinygrad_tx
from tinygrad_tx import Tensor
from tinygrad_tx import composed as C
from tinygrad_tx import functional as F
from tinygrad_tx import random as tx_random
from tinygrad_tx.backend import keep_mask, to_numpy
from tinygrad_tx.gradcheck import gradcheck

linear_relu, add_layer_norm = F.linear_relu, F.add_layer_norm
multi_head_attention = F.multi_head_attention


def np_layer_norm(u, w, b, eps=1e-5):
    x_hat = (u - u.mean(-1, keepdims=True)) / np.sqrt(u.var(-1, keepdims=True) + eps)
    return x_hat * w + b


# ------------------------------------------------------------------ keep mask


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
def test_keep_mask_keeps_each_element_with_probability_one_minus_p(p):
    keep = keep_mask(np.random.default_rng(0), (400, 500), p)
    assert keep.shape == (400, 500) and keep.dtype == bool
    assert abs(keep.mean() - (1 - p)) < 0.005  # 200,000 draws: std ~0.001


def test_keep_mask_rows_are_not_copies_of_each_other():
    keep = keep_mask(np.random.default_rng(1), (64, 41), 0.5)  # 41: not a multiple of 4
    assert len({row.tobytes() for row in keep}) == 64  # 2⁴¹ patterns: no repeats


def test_keep_mask_is_repeatable_and_advances_the_generator():
    first = keep_mask(np.random.default_rng(3), (5, 11), 0.3)
    rng = np.random.default_rng(3)
    assert np.array_equal(keep_mask(rng, (5, 11), 0.3), first)
    assert not np.array_equal(keep_mask(rng, (5, 11), 0.3), first)


# ------------------------------------------------------------------ LinearReLU


def np_linear_relu(x, w, b):
    return np.maximum(x @ w.T + b, 0)


@pytest.mark.parametrize("x_shape", [(5, 4), (2, 3, 4)], ids=str)
def test_linear_relu_values_and_gradients(x_shape, device):
    x = away_from(rand(x_shape, seed=1), margin=0.05)
    w, b = rand((6, 4), seed=2), rand((6,), seed=3)
    check_op(linear_relu, np_linear_relu, [x, w, b], device)


def test_linear_relu_without_bias(device):
    x, w = rand((3, 4), seed=4), rand((5, 4), seed=5)
    check_op(linear_relu, lambda x, w: np.maximum(x @ w.T, 0), [x, w], device)


def test_linear_relu_with_dropout_gradcheck():
    x, w, b = (
        Tensor(a, requires_grad=True)
        for a in (rand((4, 3)), rand((5, 3), 1), rand((5,), 2))
    )

    def run(x, w, b):
        tinygrad_tx.manual_seed(6)  # the same mask on every call
        return linear_relu(x, w, b, dropout_p=0.4)

    report = gradcheck(run, [x, w, b])
    assert report.ok, report.message


@pytest.mark.parametrize("p", [0.0, 0.3])
def test_linear_relu_equals_linear_relu_dropout_composed(p, device):
    arrays = [rand((2, 5, 4), seed=7), rand((8, 4), seed=8), rand((8,), seed=9)]
    g = rand((2, 5, 8), seed=10)
    results = []
    for fused in (True, False):
        tinygrad_tx.manual_seed(11)
        x, w, b = (Tensor(a, requires_grad=True, device=device) for a in arrays)
        linear_relu_dropout = linear_relu if fused else C.linear_relu  # 1 op or 3
        h = linear_relu_dropout(x, w, b, p)
        h.backward(Tensor(g, device=device))
        results.append([h.numpy(), *(to_numpy(t.grad) for t in (x, w, b))])
    for fused_value, composed_value in zip(*results):
        assert_close(fused_value, composed_value, rtol=1e-12, atol=1e-12)


def test_linear_relu_shape_error_names_the_op():
    with pytest.raises(ValueError, match=r"linear_relu: input of shape \(2, 3\) has 3"):
        linear_relu(Tensor(rand((2, 3))), Tensor(rand((4, 5))))


# ------------------------------------------------------------------ AddLayerNorm


@pytest.mark.parametrize("shape", [(3, 5), (2, 3, 6)], ids=str)
def test_add_layer_norm_values_and_gradients(shape, device):
    d = shape[-1]
    arrays = [
        rand(shape, seed=12),
        rand(shape, seed=13),
        rand((d,), 14),
        rand((d,), 15),
    ]
    check_op(
        add_layer_norm, lambda x, s, w, b: np_layer_norm(x + s, w, b), arrays, device
    )


def test_add_layer_norm_with_dropout_gradcheck():
    arrays = [rand((3, 4), 16), rand((3, 4), 17), rand((4,), 18), rand((4,), 19)]

    def run(x, s, w, b):
        tinygrad_tx.manual_seed(20)
        return add_layer_norm(x, s, w, b, dropout_p=0.5)

    report = gradcheck(run, [Tensor(a, requires_grad=True) for a in arrays])
    assert report.ok, report.message


@pytest.mark.parametrize("p", [0.0, 0.25])
def test_add_layer_norm_equals_add_dropout_layer_norm_composed(p, device):
    arrays = [rand((2, 3, 6), 21), rand((2, 3, 6), 22), rand((6,), 23), rand((6,), 24)]
    g = rand((2, 3, 6), seed=25)
    results = []
    for fused in (True, False):
        tinygrad_tx.manual_seed(26)
        x, s, w, b = (Tensor(a, requires_grad=True, device=device) for a in arrays)
        if fused:
            z = add_layer_norm(x, s, w, b, dropout_p=p)
        else:
            z = C.add_layer_norm(x, s, w, b, dropout_p=p)  # add, dropout, norm
        z.backward(Tensor(g, device=device))
        results.append([z.numpy(), *(to_numpy(t.grad) for t in (x, s, w, b))])
    for fused_value, composed_value in zip(*results):
        assert_close(fused_value, composed_value, rtol=1e-10, atol=1e-12)


def test_add_layer_norm_shape_errors():
    x, w = Tensor(rand((2, 4))), Tensor(rand((4,)))
    with pytest.raises(ValueError, match=r"add_layer_norm: the residual x \(2, 4\)"):
        add_layer_norm(x, Tensor(rand((2, 5))), w, w)
    with pytest.raises(ValueError, match=r"add_layer_norm: weight has shape \(3,\)"):
        add_layer_norm(x, x, Tensor(rand((3,))), Tensor(rand((3,))))


def test_fused_dropout_draws_what_functional_dropout_draws():
    """The fused ops and F.dropout consume the generator the same way, so a
    model gives the same numbers fused or composed from one seed."""
    tinygrad_tx.manual_seed(27)
    expected = keep_mask(tx_random.generator("cpu"), (3, 8), 0.5)
    tinygrad_tx.manual_seed(27)
    y = F.dropout(Tensor(np.ones((3, 8))), 0.5).numpy()
    np.testing.assert_array_equal(y != 0, expected)


# ------------------------------------------------------------------ multi-head


def np_multi_head(q, k, v, n_heads, mask=None):
    """Concat over heads of softmax(Q_h K_hᵀ / √D) V_h, a loop in NumPy."""
    d = q.shape[-1] // n_heads
    heads = []
    for h in range(n_heads):
        cols = slice(h * d, (h + 1) * d)
        s = q[..., cols] @ k[..., cols].swapaxes(-1, -2) / np.sqrt(d)
        if mask is not None:
            s = np.where(mask[:, 0] if mask.ndim == 4 else mask, s, -np.inf)
        p = np.exp(s - s.max(-1, keepdims=True))
        heads.append((p / p.sum(-1, keepdims=True)) @ v[..., cols])
    return np.concatenate(heads, axis=-1)


LAYOUTS = {  # how Q, K, V lie in the sources: (widths in blocks, slots)
    "packed qkv": ((3,), ((0, 0), (0, 1), (0, 2))),
    "q and packed kv": ((1, 2), ((0, 0), (1, 0), (1, 1))),
    "three sources": ((1, 1, 1), ((0, 0), (1, 0), (2, 0))),
}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_multi_head_attention_op_values_and_gradients(layout, device):
    widths, slots = LAYOUTS[layout]
    d, heads, length = 6, 2, 4
    sources = [rand((2, length, n * d), seed=30 + i) for i, n in enumerate(widths)]
    mask = np.tril(np.ones((length, length), bool))

    def blocks(arrays):
        return [arrays[i][..., b * d : (b + 1) * d] for i, b in slots]

    check_op(
        lambda *s: multi_head_attention(s, slots, heads, mask)[0],
        lambda *s: np_multi_head(*blocks(s), heads, mask),
        sources,
        device,
    )


def test_multi_head_attention_op_with_dropout_gradcheck():
    qkv = Tensor(rand((2, 3, 12), seed=33), requires_grad=True)
    slots = ((0, 0), (0, 1), (0, 2))

    def run(x):
        tinygrad_tx.manual_seed(34)  # the same mask on every call
        return multi_head_attention([x], slots, 2, None, dropout_p=0.3)[0]

    report = gradcheck(run, [qkv])
    assert report.ok, report.message


def test_multi_head_attention_op_rejects_sources_that_do_not_fit():
    qkv = Tensor(rand((2, 3, 10)))
    with pytest.raises(ValueError, match=r"source 0 should be \(B, L, 3 x 3\)"):
        multi_head_attention([qkv], ((0, 0), (0, 1), (0, 2)), 1)
    q, kv = Tensor(rand((2, 3, 4))), Tensor(rand((2, 5, 8)))
    with pytest.raises(ValueError, match="do not split into 3 heads"):
        multi_head_attention([q, kv], ((0, 0), (1, 0), (1, 1)), 3)
