"""Fused ops (softmax, log_softmax, layer_norm, cross_entropy, embedding,
dropout): values against NumPy formulas, gradients by gradcheck, and agreement
with the reference compositions in `tinygrad_tx.composed`."""

import numpy as np
import pytest
from helpers import assert_close, check_op, rand
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes

import tinygrad_tx
from tinygrad_tx import Tensor
from tinygrad_tx import composed as C
from tinygrad_tx import functional as F
from tinygrad_tx.backend import to_numpy


def np_softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def np_layer_norm(x, w=None, b=None, eps=1e-5):
    y = (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + eps)
    y = y * w if w is not None else y
    return y + b if b is not None else y


def np_cross_entropy(z, t, ignore_index=None, eps=0.0, reduction="mean"):
    """Textbook: -Σ_c q_c log p_c per row, q = (1 - ε) onehot + ε/C."""
    c = z.shape[-1]
    log_p = np.log(np_softmax(z.reshape(-1, c)))
    flat = t.reshape(-1)
    keep = (
        flat != ignore_index if ignore_index is not None else np.ones(flat.size, bool)
    )
    q = np.full(log_p.shape, eps / c)
    q[np.arange(flat.size), np.where(keep, flat, 0)] += 1 - eps
    losses = -(q * log_p).sum(axis=1) * keep
    if reduction == "none":
        return losses.reshape(t.shape)
    return losses.sum() if reduction == "sum" else losses.sum() / max(keep.sum(), 1)


SHAPES_AXES = [((5,), -1), ((2, 3), -1), ((2, 3), 0), ((3, 1, 4), 1), ((2, 7, 5), -1)]


@pytest.mark.parametrize(("shape", "axis"), SHAPES_AXES, ids=str)
@pytest.mark.parametrize(
    ("fused", "composed", "oracle"),
    [
        (F.softmax, C.softmax, np_softmax),
        (F.log_softmax, C.log_softmax, lambda x, axis: np.log(np_softmax(x, axis))),
    ],
    ids=["softmax", "log_softmax"],
)
def test_softmax_family(fused, composed, oracle, shape, axis, device):
    x = rand(shape, seed=21, low=-3, high=3)
    for fn in (fused, composed):
        check_op(
            lambda t, fn=fn: fn(t, axis=axis), lambda a: oracle(a, axis), [x], device
        )


@pytest.mark.parametrize(
    "params", ["none", "weight", "weight_bias", "bias_only"], ids=str
)
@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 6)], ids=str)
def test_layer_norm_fused_and_composed(shape, params, device):
    d = shape[-1]
    x, w, b = rand(shape, 31), rand((d,), 32), rand((d,), 33)
    arrays = {
        "none": [x],
        "weight": [x, w],
        "weight_bias": [x, w, b],
        "bias_only": [x, b],
    }
    arrays = arrays[params]

    def call(fn):
        if params == "bias_only":
            return lambda x, b: fn(x, None, b)
        return lambda *ts: fn(*ts)

    oracle = np_layer_norm
    if params == "bias_only":
        oracle = lambda x, b: np_layer_norm(x, None, b)  # noqa: E731
    check_op(call(F.layer_norm), oracle, arrays, device)
    check_op(call(C.layer_norm), oracle, arrays, device)


CE_CASES = [
    dict(),
    dict(ignore_index=-100),
    dict(label_smoothing=0.1),
    dict(ignore_index=0, label_smoothing=0.2),
    dict(reduction="sum"),
    dict(reduction="none", ignore_index=-100, label_smoothing=0.1),
    dict(reduction="none"),
    dict(reduction="sum", ignore_index=-100),
]


@pytest.mark.parametrize("options", CE_CASES, ids=lambda o: str(o) or "plain")
@pytest.mark.parametrize("shape", [(4, 5), (2, 3, 7), (1, 2)], ids=str)
def test_cross_entropy_fused_composed_and_oracle(shape, options, device):
    z = rand(shape, seed=41, low=-3, high=3)
    t = np.random.default_rng(42).integers(0, shape[-1], size=shape[:-1])
    if options.get("ignore_index") == -100:
        t.reshape(-1)[::2] = -100  # every other position is padding
    oracle_opts = {
        "ignore_index": options.get("ignore_index"),
        "eps": options.get("label_smoothing", 0.0),
        "reduction": options.get("reduction", "mean"),
    }
    for fn in (F.cross_entropy, C.cross_entropy):
        check_op(
            lambda z, fn=fn: fn(z, t, **options),
            lambda z: np_cross_entropy(z, t, **oracle_opts),
            [z],
            device,
        )


def test_cross_entropy_with_every_target_ignored_is_zero(device):
    z = Tensor(rand((3, 4)), requires_grad=True, device=device)
    loss = F.cross_entropy(z, np.full(3, -1), ignore_index=-1)
    assert loss.item() == 0.0
    loss.backward()
    np.testing.assert_array_equal(to_numpy(z.grad), np.zeros((3, 4)))


def test_cross_entropy_known_value(device):
    """Uniform logits over C classes: loss = log C."""
    loss = F.cross_entropy(Tensor(np.zeros((2, 8)), device=device), [3, 5])
    assert loss.item() == pytest.approx(np.log(8))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fused_ops_stay_finite_on_extreme_logits(dtype, device):
    """±1000 would overflow exp without the max shift; fused and composed agree."""
    z = np.array([[-1000.0, 0.0, 1000.0], [1000.0, 1000.0, -1000.0]], dtype)
    t = np.array([0, 1])
    expected_loss = (2000.0 + np.log(2.0)) / 2  # row 1: log 2; row 0: 2000
    for ops in (F, C):
        x = Tensor(z, requires_grad=True, device=device)
        sm, lsm = ops.softmax(x), ops.log_softmax(x)
        assert np.isfinite(to_numpy(sm.data)).all()
        assert np.isfinite(to_numpy(lsm.data)).all()
        assert_close(sm, [[0, 0, 1], [0.5, 0.5, 0]], atol=1e-6)
        loss = ops.cross_entropy(x, t)
        assert loss.item() == pytest.approx(expected_loss, rel=1e-6)
        loss.backward()
        grad = to_numpy(x.grad)
        assert np.isfinite(grad).all()
        np.testing.assert_allclose(grad, [[-0.5, 0, 0.5], [0.25, -0.25, 0]], atol=1e-6)
    ln = F.layer_norm(Tensor(z, device=device))
    assert np.isfinite(ln.numpy()).all()


@given(
    shape=array_shapes(min_dims=1, max_dims=3, max_side=5),
    scale=st.sampled_from([1.0, 30.0, 300.0]),
)
def test_softmax_rows_are_distributions(shape, scale):
    """Property: each row is non-negative and sums to 1, for any logits scale."""
    x = Tensor(rand(shape, low=-scale, high=scale))
    y = x.softmax(axis=-1).numpy()
    assert (y >= 0).all()
    np.testing.assert_allclose(y.sum(axis=-1), 1.0, rtol=1e-5)


# ------------------------------------------------------------------ embedding


def test_embedding_rows_and_repeated_ids_sum(device):
    w = rand((6, 3), seed=51)
    ids = np.array([[1, 4, 1], [1, 0, 5]])
    weight = Tensor(w, requires_grad=True, device=device)
    out = F.embedding(Tensor(ids, device=device), weight)
    np.testing.assert_array_equal(out.numpy(), w[ids])
    u = np.random.default_rng(52).standard_normal((2, 3, 3))
    out.backward(u)
    expected = np.zeros_like(w)
    for position, i in np.ndenumerate(ids):  # id 1 appears three times: three terms
        expected[i] += u[position]
    np.testing.assert_allclose(to_numpy(weight.grad), expected)
    assert not to_numpy(weight.grad)[[2, 3]].any()  # rows never looked up: zero


def test_embedding_gradcheck(device):
    ids = np.array([0, 2, 2, 3])
    check_op(lambda w: F.embedding(ids, w), lambda w: w[ids], [rand((4, 2))], device)


# ------------------------------------------------------------------ dropout


def test_dropout_zeroes_with_probability_p_and_scales_the_rest(device):
    tinygrad_tx.manual_seed(0)
    x = Tensor(np.ones((200, 500), np.float32), requires_grad=True, device=device)
    y = F.dropout(x, p=0.3)
    values = y.numpy()
    kept = values != 0
    np.testing.assert_allclose(values[kept], 1 / 0.7, rtol=1e-6)
    assert abs(kept.mean() - 0.7) < 0.01  # 100,000 draws: std of the mean ~0.0015
    assert abs(values.mean() - 1.0) < 0.02  # the mean is preserved
    y.backward(np.full((200, 500), 2.0, np.float32))
    np.testing.assert_allclose(to_numpy(x.grad), 2.0 * values)  # the same mask


def test_dropout_is_the_identity_in_eval_and_at_p_zero(device):
    x = Tensor(rand((3, 4)), device=device)
    assert F.dropout(x, p=0.5, training=False) is x
    assert F.dropout(x, p=0.0) is x
    layer = tinygrad_tx.nn.Dropout(0.5).eval()
    assert layer(x) is x


def test_dropout_is_repeatable_from_a_seed(device):
    x = Tensor(np.ones(50), device=device)
    tinygrad_tx.manual_seed(7)
    first = F.dropout(x, 0.5).numpy()
    tinygrad_tx.manual_seed(7)
    np.testing.assert_array_equal(F.dropout(x, 0.5).numpy(), first)
