"""Every public name of /work/shared/DESIGN.md imports and works.

One test per section of the contract (engine, functional, nn, optim,
Transformer, masks, devices). Each name is called once with small inputs and
its result is compared with a value computed by hand or by a NumPy formula, so
a rename, a changed signature or a changed convention fails here first.
"""

import math

import numpy as np
import pytest

from tinygrad_tx import Tensor, cuda_available, no_grad


def _grad_of(fn, x: np.ndarray) -> np.ndarray:
    t = Tensor(x, requires_grad=True)
    fn(t).sum().backward()
    return t.grad


def test_tensor_construction_and_attributes():
    t = Tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    assert isinstance(t.data, np.ndarray)
    assert t.dtype == np.float32  # floats default to float32
    assert (t.shape, t.ndim, t.device, t.requires_grad) == ((1, 3), 2, "cpu", True)
    assert t.grad is None
    host = t.numpy()  # on the CPU the array itself, as PyTorch's .numpy()
    assert isinstance(host, np.ndarray) and host.tolist() == [[1.0, 2.0, 3.0]]
    assert Tensor([2.5]).sum().item() == 2.5
    detached = t.detach()
    assert detached.requires_grad is False and detached.data.tolist() == [[1, 2, 3]]
    assert t.to("cpu").data.tolist() == [[1, 2, 3]]
    assert Tensor([1, 2], dtype=np.float64).dtype == np.float64


def test_backward_seeds_one_and_accumulates():
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    (x * x).sum().backward()  # gradients add up: 2 · 2x
    np.testing.assert_allclose(x.grad, [4.0, 8.0])
    y = Tensor([1.0, 2.0], requires_grad=True)
    (y * 3).backward(np.array([1.0, -1.0], dtype=np.float32))
    np.testing.assert_allclose(y.grad, [3.0, -3.0])
    with no_grad():
        z = y * 2
    assert z.requires_grad is False


def test_backward_of_a_deep_graph_needs_no_recursion():
    x = Tensor([1.0], requires_grad=True)
    y = x
    for _ in range(5000):  # far past Python's recursion limit of 1000
        y = y + 0.0
    y.sum().backward()
    assert x.grad.tolist() == [1.0]


def test_operators():
    a, b = np.array([[1.0, 2.0]], np.float32), np.array([[3.0], [4.0]], np.float32)
    ta, tb = Tensor(a), Tensor(b)
    for got, want in [
        (ta + tb, a + b), (ta - tb, a - b), (ta * tb, a * b), (ta / tb, a / b),
        (ta**2, a**2), (ta @ tb, a @ b), (-ta, -a),
    ]:  # fmt: skip
        np.testing.assert_allclose(got.data, want, rtol=1e-6)
    assert (ta > 1.5).data.tolist() == [[False, True]]
    assert (ta == 1.0).requires_grad is False
    m = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    assert m[1, 1:].data.tolist() == [4.0, 5.0]
    picked = m[np.array([1, 1, 0])]  # integer array: a row picked twice adds twice
    picked.sum().backward()
    np.testing.assert_allclose(m.grad, [[1, 1, 1], [2, 2, 2]])


def test_broadcast_backward_reduces_to_the_input_shape():
    bias = Tensor(np.zeros(3, np.float32), requires_grad=True)
    (Tensor(np.ones((4, 3), np.float32)) + bias).sum().backward()
    np.testing.assert_allclose(bias.grad, [4.0, 4.0, 4.0])


def test_elementwise_methods_and_their_gradients():
    x = np.array([0.5, 1.5, -2.0], np.float32)
    pos = np.abs(x)
    np.testing.assert_allclose(Tensor(x).exp().data, np.exp(x), rtol=1e-6)
    np.testing.assert_allclose(Tensor(pos).log().data, np.log(pos), rtol=1e-6)
    np.testing.assert_allclose(Tensor(pos).sqrt().data, np.sqrt(pos), rtol=1e-6)
    assert Tensor(x).relu().data.tolist() == [0.5, 1.5, 0.0]
    assert Tensor(x).abs().data.tolist() == [0.5, 1.5, 2.0]
    sig = 1 / (1 + np.exp(-x))
    np.testing.assert_allclose(Tensor(x).sigmoid().data, sig, rtol=1e-6)
    np.testing.assert_allclose(_grad_of(Tensor.sigmoid, x), sig * (1 - sig), rtol=1e-5)
    th = np.tanh(x)
    np.testing.assert_allclose(_grad_of(Tensor.tanh, x), 1 - th**2, rtol=1e-5)


def test_reductions_take_axis_and_keepdims():
    a = np.array([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]], np.float32)
    t = Tensor(a)
    assert t.sum().item() == 21.0
    assert t.sum(axis=0).data.tolist() == [5.0, 7.0, 9.0]
    assert t.mean(axis=1, keepdims=True).shape == (2, 1)
    assert t.max(axis=1).data.tolist() == [5.0, 6.0]
    np.testing.assert_allclose(t.var(axis=1).data, a.var(axis=1), rtol=1e-6)
    np.testing.assert_allclose(_grad_of(lambda u: u.mean(), a), np.full((2, 3), 1 / 6))
    np.testing.assert_allclose(
        _grad_of(lambda u: u.max(axis=1), a), [[0, 1, 0], [0, 0, 1]]
    )


def test_movement_methods():
    a = np.arange(24.0, dtype=np.float32).reshape(2, 3, 4)
    t = Tensor(a)
    assert t.reshape(6, 4).shape == (6, 4) and t.reshape((4, 6)).shape == (4, 6)
    np.testing.assert_array_equal(t.transpose(2, 0, 1).data, a.transpose(2, 0, 1))
    np.testing.assert_array_equal(t.swapaxes(0, 2).data, a.swapaxes(0, 2))
    np.testing.assert_array_equal(Tensor(a[0]).T.data, a[0].T)
    both = [Tensor(a[0]), Tensor(a[1])]
    np.testing.assert_array_equal(
        Tensor.cat(both, axis=1).data, np.hstack([a[0], a[1]])
    )
    np.testing.assert_array_equal(Tensor.stack(both, axis=0).data, a)


def test_softmax_log_softmax_masked_fill():
    x = np.array([[14.0, 12.0]], np.float32)  # the slides' scores 112/8 and 96/8
    p = Tensor(x).softmax(axis=-1).data
    np.testing.assert_allclose(p, [[0.8808, 0.1192]], atol=1e-4)
    np.testing.assert_allclose(Tensor(x).log_softmax().data, np.log(p), rtol=1e-5)
    filled = Tensor(x).masked_fill(np.array([[False, True]]), -1.0)
    assert filled.data.tolist() == [[14.0, -1.0]]


def test_matmul_error_names_the_op_and_shapes():
    with pytest.raises(ValueError, match=r"matmul: .*\(2, 3\).*\(4, 5\).*3 != 4"):
        Tensor(np.ones((2, 3))) @ Tensor(np.ones((4, 5)))


def test_functional():
    from tinygrad_tx import functional as F

    logits = Tensor(np.array([[2.0, 0.0, 0.0], [0.0, 0.0, 0.0]], np.float32))
    target = np.array([0, 2])
    log_p = np.log(np.exp([2.0, 0, 0]) / np.exp([2.0, 0, 0]).sum())
    plain = F.cross_entropy(logits, target).item()
    assert plain == pytest.approx((-log_p[0] + math.log(3)) / 2, rel=1e-5)
    ignored = F.cross_entropy(logits, target, ignore_index=2).item()
    assert ignored == pytest.approx(-log_p[0], rel=1e-5)
    smooth = F.cross_entropy(logits[:1], target[:1], label_smoothing=0.3).item()
    assert smooth == pytest.approx(-(0.8 * log_p[0] + 0.1 * log_p[1:].sum()), rel=1e-5)
    x = Tensor(np.array([[1.0, 2.0, 3.0]], np.float32))
    w, b = Tensor(np.ones(3, np.float32)), Tensor(np.zeros(3, np.float32))
    normed = F.layer_norm(x, w, b).data
    np.testing.assert_allclose(normed, [[-1.2247, 0.0, 1.2247]], atol=1e-4)
    weight = Tensor(np.array([[1.0, 0.0, -1.0]], np.float32))
    assert F.linear(x, weight, Tensor([0.5])).data.tolist() == [[-1.5]]
    table = Tensor(np.arange(6.0, dtype=np.float32).reshape(3, 2))
    assert F.embedding(np.array([2, 0]), table).data.tolist() == [[4, 5], [0, 1]]
    assert F.dropout(x, 0.5, training=False).data.tolist() == [[1.0, 2.0, 3.0]]
    kept = F.dropout(Tensor(np.ones(1000, np.float32)), 0.5).data
    assert set(np.unique(kept).tolist()) <= {0.0, 2.0}  # kept values scaled by 1/(1-p)


def test_fused_ops_agree_with_their_compositions():
    from tinygrad_tx import composed
    from tinygrad_tx import functional as F

    rng = np.random.default_rng(0)
    q, k, v = (Tensor(rng.normal(size=(2, 3, 4)).astype(np.float32)) for _ in "qkv")
    mask = Tensor(np.tril(np.ones((3, 3), bool)))
    fused, _ = F.attention(q, k, v, mask)
    reference, _ = composed.attention(q, k, v, mask)
    np.testing.assert_allclose(fused.data, reference.data, rtol=1e-5, atol=1e-6)


class _TwoLayers:
    """A Module built the PyTorch way: submodules found by attribute."""

    @staticmethod
    def build():
        from tinygrad_tx import nn

        class Net(nn.Module):
            def __init__(self):
                self.body = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Dropout(0.5))
                self.heads = nn.ModuleList([nn.Linear(4, 2, bias=False)])
                self.norm = nn.LayerNorm(2, eps=1e-5)

            def forward(self, x):
                return self.norm(self.heads[0](self.body(x)))

        return Net()


def test_module_api():
    net = _TwoLayers.build()
    names = [name for name, _ in net.named_parameters()]
    assert names == [
        "body.0.weight", "body.0.bias", "heads.0.weight", "norm.weight", "norm.bias",
    ]  # fmt: skip
    assert len(net.parameters()) == 5
    assert net.body[0].weight.shape == (4, 3)  # (out, in): y = x Wᵀ + b
    assert set(net.state_dict()) == set(names)
    x = Tensor(np.ones((5, 3), np.float32))
    net.eval()
    assert net.training is False and net.body[2].training is False
    first = net(x).data
    np.testing.assert_array_equal(first, net(x).data)  # no dropout in eval
    net(x).sum().backward()
    assert net.body[0].weight.grad is not None
    net.zero_grad()
    assert all(p.grad is None or not p.grad.any() for p in net.parameters())
    other = _TwoLayers.build().to("cpu")
    other.load_state_dict(net.state_dict())
    np.testing.assert_array_equal(other.eval()(x).data, first)
    net.train()
    assert net.body[2].training is True


def test_load_state_dict_strict_names_the_missing_key():
    from tinygrad_tx import nn

    layer = nn.Linear(2, 2)
    with pytest.raises((KeyError, ValueError), match="bias"):
        layer.load_state_dict({"weight": np.zeros((2, 2), np.float32)})
    layer.load_state_dict({"weight": np.zeros((2, 2), np.float32)}, strict=False)
    assert not layer.weight.data.any()


def test_embedding_and_init():
    from tinygrad_tx import nn

    emb = nn.Embedding(5, 3)
    assert emb.weight.shape == (5, 3)
    np.testing.assert_array_equal(emb(np.array([[4]])).data[0, 0], emb.weight.data[4])
    w = nn.Parameter(np.zeros((64, 32), np.float32))
    nn.init.xavier_uniform_(w)
    bound = math.sqrt(6 / (64 + 32))
    assert np.abs(w.data).max() <= bound and np.abs(w.data).max() > 0.9 * bound


def _one_step(optimizer_class, **options) -> np.ndarray:
    from tinygrad_tx import nn

    p = nn.Parameter(np.array([1.0, -2.0], np.float32))
    opt = optimizer_class([p], **options)
    for _ in range(2):
        opt.zero_grad()
        (p * p).sum().backward()  # gradient 2p
        opt.step()
    return p.data


def test_optimizers():
    from tinygrad_tx import optim

    # SGD with momentum 0.9, lr 0.1: v1 = 2p0, p1 = 0.8 p0; v2 = 0.9 v1 + 2p1
    p0 = np.array([1.0, -2.0])
    p1 = p0 - 0.1 * 2 * p0
    np.testing.assert_allclose(
        _one_step(optim.SGD, lr=0.1, momentum=0.9),
        p1 - 0.1 * (0.9 * 2 * p0 + 2 * p1),
        rtol=1e-6,
    )
    # Adam's first bias-corrected steps move each weight by lr against its sign
    adam = _one_step(optim.Adam, lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0)
    np.testing.assert_allclose(adam, p0 - 0.02 * np.sign(p0), rtol=1e-4)
    adamw = _one_step(optim.AdamW, lr=0.01, weight_decay=0.5)
    assert np.all(np.abs(adamw) < np.abs(adam))  # decoupled decay shrinks further


def test_noam_schedule():
    from tinygrad_tx import nn, optim

    opt = optim.Adam([nn.Parameter(np.zeros(1, np.float32))], lr=1.0)
    schedule = optim.NoamSchedule(opt, d_model=512, warmup=4000)
    assert schedule.step() == pytest.approx(512**-0.5 * 4000**-1.5)
    assert opt.lr == pytest.approx(512**-0.5 * 4000**-1.5)
    assert schedule.rate(4000) == pytest.approx(512**-0.5 * 4000**-0.5)
    assert schedule.rate(16000) == pytest.approx(schedule.rate(4000) / 2)


def test_gradcheck_and_io(tmp_path):
    from tinygrad_tx import io
    from tinygrad_tx.gradcheck import gradcheck

    x = Tensor(np.array([0.3, -0.7]), requires_grad=True)
    assert gradcheck(lambda t: (t * t.tanh()).sum(), [x]).ok
    path = tmp_path / "weights.safetensors"
    io.save({"w": Tensor([1.0, 2.0]), "b": np.zeros(2, np.int64)}, path)
    loaded = io.load(path)
    assert loaded["w"].tolist() == [1.0, 2.0] and loaded["b"].dtype == np.int64


def test_scaled_dot_product_attention_and_its_mask():
    from transformer.attention import scaled_dot_product_attention

    q = Tensor(np.array([[[8.0, 8.0]]], np.float32))  # (1, Lq=1, D=2)
    k = Tensor(np.array([[[1.0, 0.0], [0.0, 0.0]]], np.float32))
    v = Tensor(np.array([[[1.0], [3.0]]], np.float32))
    out, weights = scaled_dot_product_attention(q, k, v)
    w = np.exp([8 / math.sqrt(2), 0.0]) / np.exp([8 / math.sqrt(2), 0.0]).sum()
    np.testing.assert_allclose(weights.data[0, 0], w, rtol=1e-5)
    np.testing.assert_allclose(out.data[0, 0], [w @ [1.0, 3.0]], rtol=1e-5)
    allowed = Tensor(np.array([[[False, True]]]))  # True where attention is allowed
    out, weights = scaled_dot_product_attention(q, k, v, mask=allowed)
    assert weights.data.tolist() == [[[0.0, 1.0]]] and out.data.tolist() == [[[3.0]]]


def test_multi_head_attention():
    from transformer.attention import MultiHeadAttention

    mha = MultiHeadAttention(d_model=8, n_heads=2, dropout=0.0)
    children = [name for name, _ in mha.named_children()]
    assert children[:4] == ["w_q", "w_k", "w_v", "w_o"]
    assert mha.w_o.bias is not None
    x = Tensor(np.random.default_rng(0).normal(size=(3, 5, 8)).astype(np.float32))
    memory = Tensor(np.ones((3, 4, 8), np.float32))
    assert mha(x, memory, memory).shape == (3, 5, 8)
    assert mha.attn_weights.shape == (3, 2, 5, 4)
    np.testing.assert_allclose(np.asarray(mha.attn_weights).sum(-1), 1.0, rtol=1e-5)


def test_positional_encoding_formula():
    from transformer.positional import PositionalEncoding

    pe = PositionalEncoding(d_model=4, max_len=10, dropout=0.0)
    out = pe(Tensor(np.zeros((1, 3, 4), np.float32))).data[0]
    pos = 2.0
    # 10000^(2i/d) with d = 4 is 1 for i = 0 and 100 for i = 1
    expected = [math.sin(pos), math.cos(pos), math.sin(pos / 100), math.cos(pos / 100)]
    np.testing.assert_allclose(out[2], expected, rtol=1e-5, atol=1e-7)


def test_layers_have_the_contracts_names():
    from transformer.layers import DecoderLayer, EncoderLayer

    enc = EncoderLayer(d_model=8, n_heads=2, d_ff=16, dropout=0.0)
    for name in ["self_attn", "ffn", "norm1", "norm2"]:
        assert hasattr(enc, name), name
    assert (enc.ffn.linear1.weight.shape, enc.ffn.linear2.weight.shape) == (
        (16, 8), (8, 16),
    )  # fmt: skip
    dec = DecoderLayer(d_model=8, n_heads=2, d_ff=16, dropout=0.0)
    for name in ["self_attn", "cross_attn", "ffn", "norm1", "norm2", "norm3"]:
        assert hasattr(dec, name), name
    x = Tensor(np.random.default_rng(1).normal(size=(2, 3, 8)).astype(np.float32))
    y = enc(x)
    # post-norm: LayerNorm is the last step, so every row has mean 0 and variance 1
    np.testing.assert_allclose(y.data.mean(-1), 0.0, atol=1e-5)
    np.testing.assert_allclose(y.data.var(-1), 1.0, rtol=1e-3)
    assert dec(x, y).shape == (2, 3, 8)


def test_masks():
    from transformer.masks import causal_mask, make_masks, padding_mask

    ids = Tensor(np.array([[5, 6, 0]]))
    assert padding_mask(ids, pad_id=0).data.tolist() == [[[[True, True, False]]]]
    assert causal_mask(3).data[0, 0].tolist() == [
        [True, False, False], [True, True, False], [True, True, True],
    ]  # fmt: skip
    src_mask, tgt_mask = make_masks(ids, Tensor(np.array([[1, 7, 0]])), pad_id=0)
    assert src_mask.shape == (1, 1, 1, 3) and tgt_mask.shape == (1, 1, 3, 3)
    assert tgt_mask.data[0, 0, 2].tolist() == [True, True, False]  # pad key hidden


def test_transformer_api():
    from transformer.masks import make_masks
    from transformer.model import Transformer

    model = Transformer(11, 13, d_model=16, n_heads=2, n_layers=1, d_ff=32, max_len=20)
    model.eval()
    src, tgt = Tensor(np.array([[3, 4, 5, 0]])), Tensor(np.array([[1, 6, 7]]))
    src_mask, tgt_mask = make_masks(src, tgt, pad_id=0)
    memory = model.encode(src, src_mask)
    assert memory.shape == (1, 4, 16)
    logits = model.decode(memory, src_mask, tgt, tgt_mask)
    assert logits.shape == (1, 3, 13)
    np.testing.assert_allclose(
        model(src, tgt, src_mask, tgt_mask).data, logits.data, rtol=1e-5, atol=1e-6
    )
    causal_only = model.decode(memory, src_mask, tgt)  # tgt_mask=None: causal only
    np.testing.assert_allclose(causal_only.data, logits.data, rtol=1e-5, atol=1e-6)
    shared = Transformer(11, 11, d_model=16, n_heads=2, n_layers=1, d_ff=32,
                         share_embeddings=True)  # fmt: skip
    assert shared.out_proj.weight is shared.src_embed.weight


def test_base_config_counts_the_papers_parameters():
    from transformer.config import TransformerConfig

    base = TransformerConfig.preset("base")  # one shared vocabulary of 37,000
    assert (base.d_model, base.n_heads, base.n_layers, base.d_ff) == (512, 8, 6, 2048)
    assert base.share_embeddings and base.src_vocab == 37000
    assert round(base.num_parameters() / 1e6, 2) == 63.12


def test_devices():
    from tinygrad_tx.backend import check_device

    assert check_device("auto") == ("cuda" if cuda_available() else "cpu")
    assert Tensor([1.0], device="auto").device == check_device("auto")
    with pytest.raises(ValueError, match="unknown device 'tpu'"):
        Tensor([1.0], device="tpu")
    if cuda_available():
        pytest.skip("a GPU is present: the error for a missing one cannot be raised")
    with pytest.raises(RuntimeError, match=r"pip install .*tinygrad-tx\[gpu\]"):
        Tensor([1.0], device="cuda")
