"""Random numbers: one seeded generator per device, for init and dropout.

`manual_seed(seed)` makes a whole run repeatable (PyTorch's name for it).
Parameter initialisation draws on the host (NumPy) generator on every device, so
a model starts from the same weights on "cpu" and on "cuda".
"""

from __future__ import annotations

import numpy as np

from .backend import xp_for

_generators: dict[str, object] = {}
_seed = 0


def manual_seed(seed: int) -> None:
    """Reset every device's generator to `seed`."""
    global _seed
    _seed = int(seed)
    _generators.clear()


def generator(device: str = "cpu"):
    """The generator of a device: numpy.random.Generator, or CuPy's on "cuda"."""
    if device not in _generators:
        _generators[device] = xp_for(device).random.default_rng(_seed)
    return _generators[device]


def get_state() -> dict:
    """The host generator's state, to save in a checkpoint and resume exactly."""
    return {"seed": _seed, "cpu": generator("cpu").bit_generator.state}


def set_state(state: dict) -> None:
    """Restore what `get_state` returned."""
    manual_seed(state["seed"])
    generator("cpu").bit_generator.state = state["cpu"]


def host_generator() -> np.random.Generator:
    return generator("cpu")
