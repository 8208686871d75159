"""tinygrad_tx: a small autograd engine on NumPy (CPU) and CuPy (CUDA).

from tinygrad_tx import Tensor, no_grad
x = Tensor([[1.0, 2.0]], requires_grad=True)
y = (x * x).sum()
y.backward()            # x.grad == [[2., 4.]]
"""

from . import functional, nn, optim
from .autograd import detect_anomaly, enable_grad, is_grad_enabled, no_grad
from .backend import cuda_available
from .creation import (
    arange,
    eye,
    full,
    ones,
    ones_like,
    rand,
    randint,
    randn,
    tensor,
    zeros,
    zeros_like,
)
from .random import get_state as get_rng_state
from .random import manual_seed
from .random import set_state as set_rng_state
from .tensor import Tensor

__version__ = "0.1.0"

__all__ = [
    "Tensor",
    "__version__",
    "arange",
    "cuda_available",
    "detect_anomaly",
    "enable_grad",
    "eye",
    "full",
    "functional",
    "get_rng_state",
    "is_grad_enabled",
    "manual_seed",
    "nn",
    "no_grad",
    "ones",
    "ones_like",
    "optim",
    "rand",
    "randint",
    "randn",
    "set_rng_state",
    "tensor",
    "zeros",
    "zeros_like",
]
