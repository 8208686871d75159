"""Layers: Linear, Embedding, LayerNorm, Dropout, ReLU, and the containers
Sequential and ModuleList. Each is a few lines over `tinygrad_tx.functional`."""

from __future__ import annotations

import math

import numpy as np

from .. import functional as F
from ..tensor import Tensor
from . import init
from .module import Module, Parameter


class Linear(Module):
    """y = x Wᵀ + b with W of shape (out_features, in_features).

    Initialised as PyTorch does: W and b uniform in ±1/√in_features.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        device: str = "cpu",
        dtype=np.float32,
    ):
        _check_sizes("Linear", in_features=in_features, out_features=out_features)
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(np.zeros((out_features, in_features)), device, dtype)
        init.kaiming_uniform_linear_(self.weight)
        self.bias = None
        if bias:
            self.bias = Parameter(np.zeros(out_features), device, dtype)
            bound = 1 / math.sqrt(in_features)
            init.uniform_(self.bias, -bound, bound)

    def forward(self, x: Tensor) -> Tensor:
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"{self.in_features}, {self.out_features}, bias={self.bias is not None}"


class Embedding(Module):
    """A table of `num_embeddings` vectors of size `embedding_dim`, looked up by id.
    Initialised N(0, 1), as PyTorch does."""

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        device: str = "cpu",
        dtype=np.float32,
    ):
        _check_sizes(
            "Embedding", num_embeddings=num_embeddings, embedding_dim=embedding_dim
        )
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.weight = Parameter(
            np.zeros((num_embeddings, embedding_dim)), device, dtype
        )
        init.normal_(self.weight)

    def forward(self, ids) -> Tensor:
        return F.embedding(ids, self.weight)

    def extra_repr(self) -> str:
        return f"{self.num_embeddings}, {self.embedding_dim}"


class LayerNorm(Module):
    """Normalise the last axis to mean 0, variance 1, then scale by `weight`
    (ones at first) and shift by `bias` (zeros at first)."""

    def __init__(
        self, dim: int, eps: float = 1e-5, device: str = "cpu", dtype=np.float32
    ):
        _check_sizes("LayerNorm", dim=dim)
        self.dim, self.eps = dim, eps
        self.weight = Parameter(np.ones(dim), device, dtype)
        self.bias = Parameter(np.zeros(dim), device, dtype)

    def forward(self, x: Tensor) -> Tensor:
        return F.layer_norm(x, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{self.dim}, eps={self.eps}"


class Dropout(Module):
    """Zero each element with probability p while training; identity in eval()."""

    def __init__(self, p: float = 0.1):
        if not 0.0 <= p < 1.0:
            raise ValueError(f"Dropout: p must be in [0, 1), got {p}")
        self.p = p

    def forward(self, x: Tensor) -> Tensor:
        return F.dropout(x, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}"


class ReLU(Module):
    def forward(self, x: Tensor) -> Tensor:
        return x.relu()


class Tanh(Module):
    def forward(self, x: Tensor) -> Tensor:
        return x.tanh()


class Sigmoid(Module):
    def forward(self, x: Tensor) -> Tensor:
        return x.sigmoid()


class ModuleList(Module):
    """A list of modules, named "0", "1", ... (for N identical layers)."""

    def __init__(self, modules=()):
        self._length = 0
        for module in modules:
            self.append(module)

    def append(self, module: Module) -> ModuleList:
        setattr(self, str(self._length), module)
        self._length += 1
        return self

    def __getitem__(self, i: int) -> Module:
        if not -self._length <= i < self._length:
            raise IndexError(
                f"ModuleList: index {i} out of range for {self._length} modules"
            )
        return getattr(self, str(i % self._length))

    def __len__(self) -> int:
        return self._length

    def __iter__(self):
        return (getattr(self, str(i)) for i in range(self._length))

    def forward(self, *args, **kwargs):
        raise TypeError("ModuleList is a container: call its modules, not the list")


class Sequential(ModuleList):
    """Modules applied one after the other: Sequential(a, b)(x) = b(a(x))."""

    def __init__(self, *modules: Module):
        super().__init__(modules)

    def forward(self, x):
        for module in self:
            x = module(x)
        return x


def _check_sizes(layer: str, **sizes) -> None:
    """Every size of a layer is a positive integer (a layer of 0 features
    has no weights to learn: almost always a mistake in a config)."""
    for name, value in sizes.items():
        if (
            isinstance(value, bool)
            or not isinstance(value, int | np.integer)
            or value < 1
        ):
            raise ValueError(
                f"nn.{layer}: {name} must be a positive integer, got {value!r}"
            )
