"""Layers built with fused ops (fused=True: attention op, LinearReLU,
AddLayerNorm) compute exactly what the same layers composed op by op compute
(fused=False), in training mode with dropout too: same seed, same masks."""

import numpy as np
import pytest
from helpers import assert_close, rand

import tinygrad_tx
from tinygrad_tx import Tensor
from tinygrad_tx.backend import to_numpy
from transformer.layers import DecoderLayer, EncoderLayer, PositionwiseFeedForward
from transformer.masks import causal_mask
from transformer.model import Transformer


def _twins(build):
    """The module built fused and composed, with the same weights (float64)."""
    fused, composed = build(True).double(), build(False).double()
    composed.load_state_dict(fused.state_dict())
    return fused, composed


def _run_both(fused, composed, run, inputs, seed=3):
    """Output and every gradient (inputs, then parameters) of each twin."""
    g = np.random.default_rng(4)
    results = []
    for module in (fused, composed):
        tinygrad_tx.manual_seed(seed)
        tensors = [Tensor(a, requires_grad=True) for a in inputs]
        module.zero_grad()
        out = run(module, *tensors)
        upstream = g.standard_normal(out.shape) if not results else results[0][0][1]
        out.backward(upstream)
        grads = [to_numpy(t.grad) for t in tensors]
        grads += [to_numpy(p.grad) for p in module.parameters()]
        results.append(((out.numpy(), upstream), grads))
    return results


@pytest.mark.parametrize("dropout", [0.0, 0.2])
def test_feed_forward_fused_equals_composed(dropout):
    fused, composed = _twins(lambda f: PositionwiseFeedForward(6, 10, dropout, f))
    run = lambda m, x: m(x)  # noqa: E731
    (out_f, grads_f), (out_c, grads_c) = _run_both(
        fused, composed, run, [rand((2, 3, 6))]
    )
    assert_close(out_f[0], out_c[0], rtol=1e-12, atol=1e-12)
    for a, b in zip(grads_f, grads_c):
        assert_close(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("dropout", [0.0, 0.2])
@pytest.mark.parametrize("layer", ["encoder", "decoder"])
def test_layers_fused_equal_composed(layer, dropout):
    if layer == "encoder":
        build = lambda f: EncoderLayer(8, 2, 12, dropout, fused=f)  # noqa: E731
        mask = Tensor(np.array([[1, 1, 1, 0], [1, 1, 1, 1]], bool)[:, None, None])
        run = lambda m, x: m(x, mask)  # noqa: E731
        inputs = [rand((2, 4, 8), seed=5)]
    else:
        build = lambda f: DecoderLayer(8, 2, 12, dropout, fused=f)  # noqa: E731
        run = lambda m, x, mem: m(x, mem, None, causal_mask(3))  # noqa: E731
        inputs = [rand((2, 3, 8), seed=6), rand((2, 4, 8), seed=7)]
    fused, composed = _twins(build)
    (out_f, grads_f), (out_c, grads_c) = _run_both(fused, composed, run, inputs)
    assert_close(out_f[0], out_c[0], rtol=1e-10, atol=1e-12)
    for a, b in zip(grads_f, grads_c):
        assert_close(a, b, rtol=1e-8, atol=1e-10)


def test_transformer_training_step_fused_equals_composed(device):
    """A whole model in training mode (dropout 0.1): logits and the gradient of
    every parameter agree between fused_ops=True and False."""
    config = dict(src_vocab=20, tgt_vocab=22, d_model=8, n_heads=2, n_layers=2,
                  d_ff=12, dropout=0.1, max_len=16)  # fmt: skip
    src = np.array([[5, 6, 7, 8, 9], [5, 6, 7, 0, 0]])
    tgt = np.array([[1, 4, 3, 8], [1, 3, 2, 0]])
    results = []
    for fused in (True, False):
        tinygrad_tx.manual_seed(8)
        model = Transformer(**config, fused_ops=fused).double().to(device)
        src_mask, tgt_mask = model.make_masks(src, tgt, pad_id=0)
        logits = model(src, tgt, src_mask, tgt_mask)
        logits.backward(Tensor(np.ones(logits.shape), device=device))
        results.append(
            [logits.numpy(), *(to_numpy(p.grad) for p in model.parameters())]
        )
    for a, b in zip(*results):
        assert_close(a, b, rtol=1e-8, atol=1e-10)
