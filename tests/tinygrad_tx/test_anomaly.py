"""detect_anomaly(): the first op whose forward or backward makes NaN or inf is
named, with its module path and the shapes involved."""

import numpy as np
import pytest

from tinygrad_tx import Tensor, detect_anomaly, nn, no_grad
from tinygrad_tx.autograd import switches
from tinygrad_tx.backend import to_numpy


class Block(nn.Module):
    def __init__(self):
        self.proj = nn.Linear(3, 2)

    def forward(self, x):
        return self.proj(x).log()  # NaN where the projection is negative


class Model(nn.Module):
    def __init__(self):
        self.block = Block()

    def forward(self, x):
        return self.block(x).sum()


def _model_with_negative_output(device):
    model = Model().to(device)
    model.block.proj.bias.data[:] = -100.0
    return model


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_forward_nan_names_the_op_module_and_shapes(device):
    model = _model_with_negative_output(device)
    x = Tensor(np.ones((4, 3), np.float32), device=device)
    with (
        detect_anomaly(),
        pytest.raises(
            FloatingPointError,
            match=r"log in module block \(Block\) produced NaN in its forward output "
            r"of shape \(4, 2\); its inputs have shapes \(4, 2\)",
        ),
    ):
        model(x)
    assert not switches.detect_anomaly  # restored after the error


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_forward_check_also_runs_inside_no_grad(device):
    model = _model_with_negative_output(device)
    x = Tensor(np.ones((1, 3), np.float32), device=device)
    with detect_anomaly(), no_grad(), pytest.raises(FloatingPointError, match="block"):
        model(x)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_backward_inf_names_the_first_op_in_reverse_order(device):
    x = Tensor([0.0, 4.0], requires_grad=True, device=device)
    y = (x.sqrt() * 2).sum()  # d sqrt(x)/dx = 1 / (2 sqrt x): inf at 0
    with (
        detect_anomaly(),
        pytest.raises(
            FloatingPointError,
            match=r"sqrt outside any module produced inf in its backward .* shape \(2,\)",
        ),
    ):
        y.backward()


def test_without_anomaly_mode_nan_passes_silently(device):
    x = Tensor([-1.0], device=device)
    with np.errstate(invalid="ignore"):
        assert np.isnan(x.log().item())


def test_finite_graphs_pass_anomaly_mode(device):
    x = Tensor([1.0, 2.0], requires_grad=True, device=device)
    with detect_anomaly():
        (x.log() * x).sum().backward()
    np.testing.assert_allclose(to_numpy(x.grad), np.log([1.0, 2.0]) + 1)
