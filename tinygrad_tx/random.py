"""Random numbers: one seeded generator per device, for init and dropout.

`manual_seed(seed)` makes a whole run repeatable (PyTorch's name for it).
Parameter initialisation draws on the host (NumPy) generator on every device, so
a model starts from the same weights on "cpu" and on "cuda". Dropout masks are
drawn here and nowhere else (`keep_mask`), on the generator of the device the
activations are on.
"""

from __future__ import annotations

import numpy as np

from . import backend

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
        _generators[device] = backend.xp_for(device).random.default_rng(_seed)
    return _generators[device]


def host_generator() -> np.random.Generator:
    return generator("cpu")


def keep_mask(device: str, shape: tuple, p: float):
    """What dropout with probability p keeps: booleans of `shape` on `device`,
    each True with probability 1 - p; None when p == 0 (nothing is dropped).

    Every dropout (the Dropout op, and the fused ops that drop out inside)
    draws its mask here, so fused and composed versions of a model draw the
    same masks from the same seed.
    """
    if p == 0:
        return None
    return backend.keep_mask(generator(device), shape, p)


def get_state() -> dict:
    """The host generator's state, to save in a checkpoint and resume exactly."""
    return {"seed": _seed, "cpu": generator("cpu").bit_generator.state}


def set_state(state: dict) -> None:
    """Restore what `get_state` returned."""
    manual_seed(state["seed"])
    generator("cpu").bit_generator.state = state["cpu"]
