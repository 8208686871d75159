"""Scaled dot-product attention and multi-head attention: the slides' worked
example, a NumPy oracle with and without masks, fused against composed (values
and gradients), float64 gradient checks, and multi-head against a loop over heads."""

import math

import numpy as np
import pytest
from attention_oracle import attention_oracle, module_gradcheck
from helpers import assert_close, rand

import tinygrad_tx
from tinygrad_tx import Tensor
from tinygrad_tx.backend import to_numpy
from tinygrad_tx.gradcheck import gradcheck
from transformer.attention import MultiHeadAttention, scaled_dot_product_attention
from transformer.masks import causal_mask

B, H, LQ, LK, D = 2, 3, 4, 5, 6


def _masks():
    rng = np.random.default_rng(7)
    padding = np.ones((B, 1, 1, LK), bool)
    padding[0, ..., 3:] = False  # sequence 0 has 2 pad tokens at the end
    random = rng.random((B, H, LQ, LK)) > 0.5
    random[1, 2, 0, :] = False  # one query with no allowed key at all
    causal = np.tril(np.ones((LQ, LK), bool))  # 2-D, broadcast over B and H
    return {"none": None, "padding": padding, "random": random, "causal": causal}


MASKS = _masks()


def _qkv(dtype=np.float64, seed=0):
    return (
        rand((B, H, LQ, D), seed, dtype=dtype),
        rand((B, H, LK, D), seed + 1, dtype=dtype),
        rand((B, H, LK, D + 1), seed + 2, dtype=dtype),  # values may have another size
    )


# ---------------------------------------------------------------- the slides


@pytest.mark.parametrize("fused", [True, False], ids=["fused", "composed"])
def test_slides_example_112_and_96_give_weights_088_and_012(fused):
    # "Thinking Machines": q1·k1 = 112, q1·k2 = 96, d_k = 64
    q = Tensor(np.ones((1, 64)))
    k = Tensor(np.stack([np.full(64, 112 / 64), np.full(64, 96 / 64)]))
    v = Tensor(np.array([[1.0, 0.0], [0.0, 1.0]]))
    assert_close(q @ k.T, [[112.0, 96.0]])
    assert_close((q @ k.T) / math.sqrt(64), [[14.0, 12.0]])
    out, weights = scaled_dot_product_attention(q, k, v, fused=fused)
    assert_close(weights, [[0.8808, 0.1192]], atol=5e-5)
    assert_close(weights, [[1 / (1 + math.exp(-2)), 1 / (1 + math.exp(2))]])
    assert_close(out, weights.numpy())  # z1 = 0.88 v1 + 0.12 v2 with v one-hot


# ---------------------------------------------------------------- values


@pytest.mark.parametrize("fused", [True, False], ids=["fused", "composed"])
@pytest.mark.parametrize("mask_kind", list(MASKS))
def test_attention_matches_numpy_formula(mask_kind, fused, device):
    q, k, v = _qkv()
    mask = MASKS[mask_kind]
    mask_t = None if mask is None else Tensor(mask, device=device)
    args = [Tensor(a, device=device) for a in (q, k, v)]
    out, weights = scaled_dot_product_attention(*args, mask_t, fused=fused)
    want_out, want_weights = attention_oracle(q, k, v, mask)
    assert_close(weights, want_weights, rtol=1e-12, atol=1e-14)
    assert_close(out, want_out, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("fused", [True, False], ids=["fused", "composed"])
def test_masked_keys_get_exactly_zero_weight_and_rows_sum_to_one(fused):
    q, k, v = _qkv(np.float32)
    mask = MASKS["random"]
    _, weights = scaled_dot_product_attention(
        *map(Tensor, (q, k, v)), Tensor(mask), fused=fused
    )
    w = weights.numpy()
    assert (w[~mask] == 0.0).all()
    has_key = mask.any(axis=-1)
    np.testing.assert_allclose(w.sum(axis=-1)[has_key], 1.0, rtol=1e-6)


@pytest.mark.parametrize("fused", [True, False], ids=["fused", "composed"])
def test_fully_masked_query_gives_zero_weights_zero_output_and_finite_grads(fused):
    q, k, v = (Tensor(a, requires_grad=True) for a in _qkv())
    mask = np.ones((B, H, LQ, LK), bool)
    mask[0, 1, 2, :] = False
    out, weights = scaled_dot_product_attention(q, k, v, Tensor(mask), fused=fused)
    assert (weights.numpy()[0, 1, 2] == 0.0).all()
    assert (out.numpy()[0, 1, 2] == 0.0).all()
    out.backward(np.random.default_rng(0).standard_normal(out.shape))
    for t in (q, k, v):
        assert np.isfinite(t.grad).all()
    assert (q.grad[0, 1, 2] == 0.0).all()  # that query's output ignores it


# ---------------------------------------------------------------- gradients


@pytest.mark.parametrize("fused", [True, False], ids=["fused", "composed"])
@pytest.mark.parametrize("mask_kind", ["none", "random", "causal"])
def test_attention_gradcheck(mask_kind, fused):
    mask = MASKS[mask_kind]
    mask_t = None if mask is None else Tensor(mask)
    inputs = [Tensor(a, requires_grad=True) for a in _qkv()]
    report = gradcheck(
        lambda q, k, v: scaled_dot_product_attention(q, k, v, mask_t, fused=fused)[0],
        inputs,
    )
    assert report.ok, report.message


@pytest.mark.parametrize("fused", [True, False], ids=["fused", "composed"])
def test_attention_with_dropout_gradcheck(fused):
    def attend(q, k, v):
        tinygrad_tx.manual_seed(5)  # the same dropout mask on every call
        return scaled_dot_product_attention(
            q, k, v, Tensor(MASKS["padding"]), 0.3, fused
        )[0]

    report = gradcheck(attend, [Tensor(a, requires_grad=True) for a in _qkv()])
    assert report.ok, report.message


@pytest.mark.parametrize("dropout_p", [0.0, 0.25])
def test_fused_and_composed_agree_in_values_and_gradients(dropout_p, device):
    q, k, v = _qkv(np.float32, seed=3)
    mask = Tensor(MASKS["random"], device=device)
    g = np.random.default_rng(9).standard_normal((B, H, LQ, D + 1)).astype(np.float32)
    results = []
    for fused in (True, False):
        tinygrad_tx.manual_seed(1)  # the same dropout draws on both paths
        qkv = [Tensor(a, requires_grad=True, device=device) for a in (q, k, v)]
        out, weights = scaled_dot_product_attention(*qkv, mask, dropout_p, fused)
        out.backward(Tensor(g, device=device))
        results.append([out.numpy(), weights.numpy(), *(to_numpy(t.grad) for t in qkv)])
    for name, fused_value, composed_value in zip(
        ("out", "weights", "dq", "dk", "dv"), *results
    ):
        assert_close(fused_value, composed_value, rtol=2e-5, atol=2e-6, err_msg=name)


def test_dropout_zeroes_weights_and_scales_the_rest():
    q, k, _ = (Tensor(a) for a in _qkv())
    v_eye = Tensor(np.broadcast_to(np.eye(LK), (B, H, LK, LK)).copy())
    out, weights = scaled_dot_product_attention(q, k, v_eye, dropout_p=0.5)
    # with V = I the output is the dropped weights themselves: 0 or 2 * weight
    dropped, w = out.numpy(), weights.numpy()
    kept = dropped != 0
    assert 0 < kept.mean() < 1
    np.testing.assert_allclose(dropped[kept], 2 * w[kept], rtol=1e-12)


# ---------------------------------------------------------------- bad input


def test_mask_that_cannot_broadcast_names_the_shapes():
    q, k, v = (Tensor(a) for a in _qkv())
    bad = Tensor(np.ones((B, 1, 1, LK + 1), bool))
    with pytest.raises(
        ValueError,
        match=r"mask of shape \(2, 1, 1, 6\) cannot broadcast .*\(2, 3, 4, 5\)",
    ):
        scaled_dot_product_attention(q, k, v, bad)


def test_non_boolean_mask_is_a_type_error():
    q, k, v = (Tensor(a) for a in _qkv())
    with pytest.raises(TypeError, match=r"mask must be boolean.*int64"):
        scaled_dot_product_attention(q, k, v, Tensor(np.ones((LQ, LK), np.int64)))


def test_mismatched_query_and_key_sizes_are_named():
    q = Tensor(rand((2, 4, 6)))
    k = Tensor(rand((2, 5, 7)))
    with pytest.raises(ValueError, match=r"same size D.*\(6 != 7\)"):
        scaled_dot_product_attention(q, k, k)


# ---------------------------------------------------------------- multi-head


def _mha(d_model=12, n_heads=3, **kw):
    tinygrad_tx.manual_seed(2)
    return MultiHeadAttention(d_model, n_heads, **kw).double()


def _per_head_loop(mha, query, key, mask=None):
    """Multi-head attention with an explicit loop over heads, in NumPy."""

    def project(linear, x, rows):
        return x @ linear.weight.numpy()[rows].T + linear.bias.numpy()[rows]

    heads = []
    for h in range(mha.n_heads):
        rows = slice(h * mha.d_head, (h + 1) * mha.d_head)
        q = project(mha.w_q, query, rows)
        k = project(mha.w_k, key, rows)
        v = project(mha.w_v, key, rows)
        heads.append(attention_oracle(q, k, v, mask)[0])
    concat = np.concatenate(heads, axis=-1)
    return concat @ mha.w_o.weight.numpy().T + mha.w_o.bias.numpy()


@pytest.mark.parametrize("fused", [True, False], ids=["fused", "composed"])
@pytest.mark.parametrize("kind", ["self", "cross"])
def test_multi_head_equals_a_loop_over_heads(kind, fused, device):
    mha = _mha(fused=fused).to(device)
    query = rand((2, 4, 12), seed=1)
    key = query if kind == "self" else rand((2, 7, 12), seed=2)
    mask = (
        np.tril(np.ones((4, 4), bool))
        if kind == "self"
        else np.ones((2, 1, 1, 7), bool)
    )
    if kind == "cross":
        mask[1, ..., 5:] = False
    out = mha(
        Tensor(query, device=device),
        Tensor(key, device=device),
        Tensor(key, device=device),
        Tensor(mask, device=device),
    )
    assert out.shape == (2, 4, 12)
    mha.to("cpu")
    assert_close(
        out.numpy(),
        _per_head_loop(mha, query, key, mask[:, 0] if mask.ndim == 4 else mask),
        rtol=1e-10,
        atol=1e-12,
    )
    assert mha.attn_weights.shape == (2, 3, 4, key.shape[1])


def test_one_head_is_plain_attention_after_the_projections():
    mha = _mha(d_model=8, n_heads=1)
    x, memory = Tensor(rand((2, 3, 8), seed=4)), Tensor(rand((2, 5, 8), seed=5))
    out = mha(x, memory, memory)
    attended, weights = scaled_dot_product_attention(
        mha.w_q(x), mha.w_k(memory), mha.w_v(memory)
    )
    assert_close(out, mha.w_o(attended).numpy(), rtol=1e-12)
    assert_close(mha.attn_weights, weights.numpy()[:, None], rtol=1e-12)


def test_three_dim_mask_gets_a_head_axis():
    mha = _mha()
    x = Tensor(rand((2, 4, 12)))
    mask3 = np.ones((2, 4, 4), bool)
    mask3[0, :, 2:] = False
    out3 = mha(x, x, x, Tensor(mask3))
    out4 = mha(x, x, x, Tensor(mask3[:, None]))
    assert_close(out3, out4.numpy())
    assert (mha.attn_weights.numpy()[0, :, :, 2:] == 0).all()


@pytest.mark.parametrize("fused", [True, False], ids=["fused", "composed"])
def test_multi_head_attention_gradcheck(fused):
    mha = _mha(d_model=6, n_heads=2, fused=fused)
    query = Tensor(rand((2, 3, 6), seed=1), requires_grad=True)
    memory = Tensor(rand((2, 4, 6), seed=2), requires_grad=True)
    mask = Tensor(np.array([True, True, True, False])[None, None, None])
    report = module_gradcheck(mha, lambda q, m: mha(q, m, m, mask), [query, memory])
    assert report.ok, report.message


def test_multi_head_attention_rejects_bad_sizes():
    with pytest.raises(
        ValueError, match="d_model = 10 is not divisible by n_heads = 4"
    ):
        MultiHeadAttention(10, 4)
    mha = MultiHeadAttention(8, 2)
    x = Tensor(rand((2, 3, 8), dtype=np.float32))
    with pytest.raises(
        ValueError,
        match=r"query must have shape \(B, L, d_model = 8\), got \(2, 3, 6\)",
    ):
        mha(Tensor(rand((2, 3, 6), dtype=np.float32)), x, x)
    with pytest.raises(ValueError, match="batch sizes 2, 3, 3"):
        y = Tensor(rand((3, 3, 8), dtype=np.float32))
        mha(x, y, y)
    with pytest.raises(ValueError, match=r"cannot broadcast"):
        mha(x, x, x, causal_mask(5))


@pytest.mark.parametrize("fused", [True, False], ids=["fused", "composed"])
def test_an_empty_batch_gives_empty_outputs_and_gradients(fused):
    mha = _mha(fused=fused)
    x = Tensor(np.zeros((0, 4, 12)), requires_grad=True)
    out = mha(x, x, x, causal_mask(4))
    assert out.shape == (0, 4, 12)
    out.sum().backward()
    assert x.grad.shape == (0, 4, 12)
    assert mha.w_q.weight.grad is not None
    assert not np.any(to_numpy(mha.w_q.weight.grad))


def test_fused_attention_names_a_sequence_of_length_zero():
    mha = _mha()
    x = Tensor(np.zeros((2, 0, 12)))
    with pytest.raises(ValueError, match="length 0 has nothing to attend to"):
        mha(x, x, x)


def test_fused_attention_keeps_one_weight_matrix_for_backward_composed_keeps_four():
    from transformer.bench.model import ModelBenchConfig, measure

    config = ModelBenchConfig(batch=2, heads=2, d_head=8, repeats=1)
    length = 64
    both = measure(config, length, config.batch, (True, False))
    matrix_mb = 2 * 2 * length * length * 4 / 2**20  # one (B, H, L, L) float32 array
    extra = both[False].saved_mb - both[True].saved_mb
    assert extra == pytest.approx(3 * matrix_mb, rel=0.05)
    assert both[False].peak_mb > both[True].peak_mb
