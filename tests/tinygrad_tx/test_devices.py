"""Devices: "cuda" unavailable says how to install, unknown names and device
mixes are clear errors, and tensors move between devices."""

import numpy as np
import pytest

import tinygrad_tx
from tinygrad_tx import Tensor, backend, nn


def t(shape, device="cpu"):
    return Tensor(np.ones(shape, np.float32), device=device)


def test_cuda_unavailable_says_how_to_install(monkeypatch):
    monkeypatch.setattr(
        backend, "cuda_status", lambda: (False, "CuPy is not installed")
    )
    for make in (
        lambda: Tensor([1.0], device="cuda"),
        lambda: tinygrad_tx.zeros(2, device="cuda"),
        lambda: Tensor([1.0]).to("cuda"),
        lambda: nn.Linear(2, 2).to("cuda"),
    ):
        with pytest.raises(
            RuntimeError,
            match=r"device 'cuda' is not available: CuPy is not installed; "
            r".*pip install \"tinygrad-tx\[gpu\]\"",
        ):
            make()
    assert backend.check_device("auto") == "cpu"


def test_cuda_unavailable_on_this_machine():
    ok, why = backend.cuda_status()
    if ok:
        pytest.skip(f"CUDA is available here ({why}): nothing to refuse")
    with pytest.raises(RuntimeError, match="tinygrad-tx\\[gpu\\]"):
        Tensor([1.0], device="cuda")


def test_unknown_device_name():
    with pytest.raises(
        ValueError, match=r"unknown device 'tpu': expected 'cpu', 'cuda' or 'auto'"
    ):
        Tensor([1.0], device="tpu")


def test_device_mix_names_both_devices():
    """Simulated without a GPU: a tensor labelled "cuda" meets a "cpu" one (the
    check compares device labels before any array is touched)."""
    a, b = t((2,)), t((2,))
    b.device = "cuda"
    with pytest.raises(
        RuntimeError,
        match=r"add: inputs are on different devices \(cpu and cuda\); "
        r"move them with .to\('cpu'\) or .to\('cuda'\)",
    ):
        a + b


@pytest.mark.cuda
def test_device_mix_on_a_real_gpu(device):
    if device != "cuda":
        pytest.skip("needs a CUDA device to mix with the CPU")
    with pytest.raises(
        RuntimeError, match=r"matmul: inputs are on different devices \(cpu and cuda\)"
    ):
        t((2, 2)) @ t((2, 2), "cuda")


def test_module_to_moves_parameters_and_back(device):
    layer = nn.Linear(2, 3).to(device)
    assert all(p.device == device for p in layer.parameters())
    layer.to("cpu")
    assert isinstance(layer.weight.data, np.ndarray)
