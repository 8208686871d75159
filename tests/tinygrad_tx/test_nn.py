"""nn: Module discovery and dotted names, state dicts, train/eval, devices and
dtypes, the layers against their formulas, and Linear's init against PyTorch's."""

import math

import numpy as np
import pytest
from helpers import rand

import tinygrad_tx
from tinygrad_tx import Tensor, nn
from tinygrad_tx.autograd import switches
from tinygrad_tx.backend import to_numpy
from tinygrad_tx.gradcheck import gradcheck


class Block(nn.Module):
    def __init__(self, d):
        self.linear = nn.Linear(d, d)
        self.norm = nn.LayerNorm(d)
        self.drop = nn.Dropout(0.5)

    def forward(self, x):
        return self.drop(self.norm(self.linear(x).relu()))


class Net(nn.Module):
    def __init__(self):
        self.embed = nn.Embedding(10, 4)
        self.blocks = nn.ModuleList([Block(4), Block(4)])
        self.head = nn.Linear(4, 3, bias=False)
        self.scale = 2.0  # not a parameter

    def forward(self, ids):
        x = self.embed(ids)
        for block in self.blocks:
            x = block(x)
        return self.head(x)


def test_parameters_are_found_by_attribute_with_dotted_names():
    names = [name for name, _ in Net().named_parameters()]
    assert names == [
        "embed.weight",
        "blocks.0.linear.weight",
        "blocks.0.linear.bias",
        "blocks.0.norm.weight",
        "blocks.0.norm.bias",
        "blocks.1.linear.weight",
        "blocks.1.linear.bias",
        "blocks.1.norm.weight",
        "blocks.1.norm.bias",
        "head.weight",
    ]
    assert Net().num_parameters() == 40 + 2 * (16 + 4 + 4 + 4) + 12


def test_a_shared_parameter_counts_once_but_is_saved_under_both_names():
    net = Net()
    net.tied = nn.Linear(4, 10, bias=False)
    net.tied.weight = net.embed.weight  # (10, 4): weight tying
    assert "tied.weight" not in dict(net.named_parameters())
    assert net.num_parameters() == Net().num_parameters()
    assert "tied.weight" in net.state_dict()


def test_ops_record_the_module_scope_they_ran_in():
    net = Net()
    out = net(Tensor([[1, 2, 3]]))
    scope = out._ctx.scope
    assert (scope.path, scope.module_type, scope.parent.path) == (
        "head",
        "Linear",
        "Net",
    )
    relu = out._ctx.parents[0]._ctx.parents[0]._ctx.parents[0]._ctx  # norm <- relu
    assert relu.scope.path == "blocks.1"
    assert relu.scope.depth == 1
    assert switches.scope is None  # restored after the call
    assert net.blocks[0].linear.weight.name == "blocks.0.linear.weight"


def test_a_module_attached_later_gets_its_name_at_the_next_call():
    net = Net()
    net(Tensor([[1]]))
    net.extra = nn.Linear(3, 3)
    net(Tensor([[1]]))
    assert net.extra._path == "extra" and net.extra.weight.name == "extra.weight"


def test_train_eval_reach_every_submodule():
    net = Net().eval()
    assert all(not m.training for m in net.modules())
    x = Tensor([[1, 2]])
    np.testing.assert_array_equal(net(x).numpy(), net(x).numpy())  # no dropout
    net.train()
    assert all(m.training for m in net.modules())


def test_state_dict_round_trip_and_copies():
    tinygrad_tx.manual_seed(0)
    a, b = Net(), Net()
    state = a.state_dict()
    assert all(isinstance(v, np.ndarray) for v in state.values())
    a.head.weight.data += 1  # a copy: the state taken before is unchanged
    assert not np.array_equal(state["head.weight"], a.head.weight.numpy())
    assert b.load_state_dict(state) == ([], [])
    for name, p in b.named_parameters():
        np.testing.assert_array_equal(p.numpy(), state[name])


def test_load_state_dict_not_strict_reports_what_it_skipped():
    net = Net()
    state = {"head.weight": np.ones((3, 4)), "other": np.zeros(2)}
    missing, unexpected = net.load_state_dict(state, strict=False)
    assert unexpected == ["other"] and "embed.weight" in missing
    np.testing.assert_array_equal(net.head.weight.numpy(), np.ones((3, 4)))
    assert net.head.weight.dtype == np.float32  # converted to the parameter's dtype


def test_double_and_to_convert_every_parameter(device):
    net = Net().double().to(device)
    assert all(p.dtype == np.float64 and p.device == device for p in net.parameters())
    out = net(Tensor([[1, 2]], device=device))
    assert out.dtype == np.float64 and out.device == device


def test_zero_grad_clears_every_gradient():
    net = Net()
    net(Tensor([[1, 2]])).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_repr_lists_the_tree():
    text = repr(Net())
    assert "(blocks): ModuleList" in text and "Linear(4, 3, bias=False)" in text


# ------------------------------------------------------------------ layers


def test_linear_layer_is_x_wT_plus_b(device):
    layer = nn.Linear(4, 3).to(device)
    x = rand((2, 5, 4), dtype=np.float32)
    w, b = layer.weight.numpy(), layer.bias.numpy()
    y = layer(Tensor(x, device=device))
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.numpy(), x @ w.T + b, rtol=1e-5, atol=1e-6)
    layer.double()
    report = gradcheck(layer, [Tensor(x, requires_grad=True, device=device)])
    assert report.ok, report.message


def test_linear_default_init_is_uniform_within_one_over_sqrt_fan_in():
    tinygrad_tx.manual_seed(0)
    layer = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    w, b = layer.weight.numpy(), layer.bias.numpy()
    assert w.shape == (300, 400) and b.shape == (300,)
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert w.std() == pytest.approx(bound / math.sqrt(3), rel=0.01)  # U(-a, a)
    assert w.dtype == np.float32


def test_linear_default_init_matches_pytorch_distribution():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    reference = torch.nn.Linear(400, 300)
    ours = nn.Linear(400, 300)
    for theirs, mine in ((reference.weight, ours.weight), (reference.bias, ours.bias)):
        theirs = theirs.detach().numpy()
        assert theirs.shape == mine.shape
        assert np.abs(mine.numpy()).max() <= np.abs(theirs).max() * 1.001 + 1e-3
        assert mine.numpy().std() == pytest.approx(theirs.std(), rel=0.1)


def test_embedding_layer_init_and_lookup():
    tinygrad_tx.manual_seed(0)
    layer = nn.Embedding(1000, 16)
    w = layer.weight.numpy()
    assert abs(w.mean()) < 0.02 and w.std() == pytest.approx(1.0, rel=0.02)
    np.testing.assert_array_equal(layer(Tensor([[3, 999]])).numpy(), w[[[3, 999]]])


def test_layer_norm_layer_normalises(device):
    layer = nn.LayerNorm(6).to(device)
    y = layer(Tensor(rand((4, 6)) * 5 + 3, device=device)).numpy()
    np.testing.assert_allclose(y.mean(-1), 0.0, atol=1e-6)
    np.testing.assert_allclose(y.var(-1), 1.0, rtol=1e-4)


def test_activation_layers_and_sequential(device):
    x = Tensor(rand((3, 2)), device=device)
    np.testing.assert_allclose(nn.ReLU()(x).numpy(), np.maximum(x.numpy(), 0))
    np.testing.assert_allclose(nn.Tanh()(x).numpy(), np.tanh(x.numpy()))
    np.testing.assert_allclose(
        nn.Sigmoid()(x).numpy(), 1 / (1 + np.exp(-x.numpy())), rtol=1e-6
    )
    seq = nn.Sequential(nn.Tanh(), nn.ReLU())
    np.testing.assert_allclose(seq(x).numpy(), np.maximum(np.tanh(x.numpy()), 0))
    assert len(seq) == 2 and isinstance(seq[-1], nn.ReLU)
    assert [type(m) for m in seq] == [nn.Tanh, nn.ReLU]


def test_init_functions_fill_in_place():
    tinygrad_tx.manual_seed(0)
    w = nn.Parameter(np.zeros((50, 30)))
    nn.init.xavier_uniform_(w)
    bound = math.sqrt(6 / 80)
    assert np.abs(w.numpy()).max() <= bound
    assert w.numpy().std() == pytest.approx(bound / math.sqrt(3), rel=0.05)
    nn.init.normal_(w, mean=1.0, std=0.1)
    assert w.numpy().mean() == pytest.approx(1.0, abs=0.01)
    nn.init.zeros_(w)
    assert not w.numpy().any()
    nn.init.ones_(w)
    assert (w.numpy() == 1).all()
    nn.init.uniform_(w, -1, 1)
    assert w.numpy().min() >= -1 and w.numpy().max() <= 1
    assert nn.init.fans(Tensor(np.zeros((3, 4, 5)))) == (20, 15)


def test_clip_grad_norm_leaves_small_gradients_alone(device):
    p = nn.Parameter(np.zeros(2), device=device)
    p.grad = Tensor([0.3, 0.4], dtype=np.float64, device=device).data
    assert nn.clip_grad_norm_([p], max_norm=1.0) == pytest.approx(0.5)
    np.testing.assert_allclose(to_numpy(p.grad), [0.3, 0.4])
    assert nn.clip_grad_norm_([nn.Parameter(np.zeros(1))], 1.0) == 0.0
