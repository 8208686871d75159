"""Feed-forward, encoder and decoder layers: Add & Norm in both orders, the
feed-forward formula, float64 gradient checks, and causality inside a layer."""

import numpy as np
import pytest
from attention_oracle import module_gradcheck
from helpers import assert_close, rand

import tinygrad_tx
from tinygrad_tx import Tensor
from transformer.layers import DecoderLayer, EncoderLayer, PositionwiseFeedForward
from transformer.masks import causal_mask


def _layer(cls, norm_first=False, d_model=8, n_heads=2, d_ff=12):
    tinygrad_tx.manual_seed(3)
    return cls(d_model, n_heads, d_ff, dropout=0.0, norm_first=norm_first).double()


def test_feed_forward_is_relu_between_two_linears():
    ffn = PositionwiseFeedForward(4, 10, dropout=0.0).double()
    x = rand((2, 3, 4))
    w1, b1 = ffn.linear1.weight.numpy(), ffn.linear1.bias.numpy()
    w2, b2 = ffn.linear2.weight.numpy(), ffn.linear2.bias.numpy()
    expected = np.maximum(0, x @ w1.T + b1) @ w2.T + b2
    assert_close(ffn(Tensor(x)), expected, rtol=1e-12)


@pytest.mark.parametrize("norm_first", [False, True], ids=["post-norm", "pre-norm"])
def test_encoder_layer_wires_add_and_norm(norm_first):
    layer = _layer(EncoderLayer, norm_first)
    x = Tensor(rand((2, 5, 8)))

    def attend(h):
        return layer.self_attn(h, h, h)

    if norm_first:  # x + Sublayer(LayerNorm(x))
        h = x + attend(layer.norm1(x))
        expected = h + layer.ffn(layer.norm2(h))
    else:  # LayerNorm(x + Sublayer(x))
        h = layer.norm1(x + attend(x))
        expected = layer.norm2(h + layer.ffn(h))
    assert_close(layer(x), expected.numpy(), rtol=1e-12, atol=1e-12)
    if not norm_first:  # post-norm outputs are normalised: mean 0, variance 1
        out = layer(x).numpy()
        assert_close(out.mean(axis=-1), np.zeros((2, 5)), atol=1e-12)
        assert_close(out.var(axis=-1), np.ones((2, 5)), rtol=1e-4)


@pytest.mark.parametrize("norm_first", [False, True], ids=["post-norm", "pre-norm"])
def test_decoder_layer_wires_self_attention_cross_attention_and_ffn(norm_first):
    layer = _layer(DecoderLayer, norm_first)
    x, memory = Tensor(rand((2, 4, 8))), Tensor(rand((2, 6, 8), seed=1))
    mask = causal_mask(4)
    sublayers = [
        lambda h: layer.self_attn(h, h, h, mask),
        lambda h: layer.cross_attn(h, memory, memory),
        layer.ffn,
    ]
    h = x
    for sublayer, norm in zip(sublayers, (layer.norm1, layer.norm2, layer.norm3)):
        h = h + sublayer(norm(h)) if norm_first else norm(h + sublayer(h))
    assert_close(layer(x, memory, None, mask), h.numpy(), rtol=1e-12, atol=1e-12)


def test_sublayer_dropout_is_active_in_training_only():
    tinygrad_tx.manual_seed(0)
    layer = EncoderLayer(8, 2, 12, dropout=0.5)
    x = Tensor(rand((2, 5, 8), dtype=np.float32))
    assert not np.allclose(layer(x).numpy(), layer(x).numpy())  # new masks each call
    layer.eval()
    assert_close(layer(x), layer(x).numpy())


@pytest.mark.parametrize("norm_first", [False, True], ids=["post-norm", "pre-norm"])
def test_encoder_layer_gradcheck(norm_first):
    layer = _layer(EncoderLayer, norm_first, d_model=4, d_ff=6)
    x = Tensor(rand((2, 3, 4)), requires_grad=True)
    mask = Tensor(np.array([[True, True, True], [True, True, False]])[:, None, None])
    report = module_gradcheck(layer, lambda h: layer(h, mask), [x])
    assert report.ok, report.message


@pytest.mark.parametrize("norm_first", [False, True], ids=["post-norm", "pre-norm"])
def test_decoder_layer_gradcheck(norm_first):
    layer = _layer(DecoderLayer, norm_first, d_model=4, d_ff=6)
    x = Tensor(rand((2, 3, 4)), requires_grad=True)
    memory = Tensor(rand((2, 5, 4), seed=1), requires_grad=True)
    src_mask = Tensor(np.array([True, True, True, True, False])[None, None, None])
    report = module_gradcheck(
        layer, lambda h, m: layer(h, m, src_mask, causal_mask(3)), [x, memory]
    )
    assert report.ok, report.message


def test_decoder_layer_output_at_t_ignores_inputs_after_t():
    layer = _layer(DecoderLayer)
    x = rand((1, 6, 8))
    memory = Tensor(rand((1, 4, 8), seed=1))
    before = layer(Tensor(x), memory, None, causal_mask(6)).numpy()
    x[0, 3] += 1.0  # change position 3
    after = layer(Tensor(x), memory, None, causal_mask(6)).numpy()
    assert_close(after[0, :3], before[0, :3], rtol=1e-12, atol=1e-12)
    assert not np.allclose(after[0, 3:], before[0, 3:])
