"""Neural-network modules, as in torch.nn."""

from . import init
from .layers import (
    Dropout,
    Embedding,
    LayerNorm,
    Linear,
    ModuleList,
    ReLU,
    Sequential,
    Sigmoid,
    Tanh,
)
from .module import Module, ModuleScope, Parameter, StateDictError
from .utils import clip_grad_norm_

__all__ = [
    "Dropout",
    "Embedding",
    "LayerNorm",
    "Linear",
    "Module",
    "ModuleList",
    "ModuleScope",
    "Parameter",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "StateDictError",
    "Tanh",
    "clip_grad_norm_",
    "init",
]
