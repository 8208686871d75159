"""Module and Parameter: the building blocks of models, as in PyTorch.

A Module holds Parameters and other Modules as plain attributes; they are found
by looking at the attributes (no registration calls), so

    class Block(Module):
        def __init__(self):
            self.linear = Linear(4, 2)      # named "linear", its weight "linear.weight"

While a module runs (`module(x)`), the ops it creates are tagged with its dotted
path (`encoder.layers.0.self_attn`), which is how graph drawings group them.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..autograd import switches
from ..backend import check_device, to_device, to_numpy
from ..tensor import Tensor


class Parameter(Tensor):
    """A tensor that a Module learns: requires_grad=True, found by parameters()."""

    __slots__ = ()

    def __init__(self, data, device="cpu", dtype=None):
        super().__init__(data, requires_grad=True, device=device, dtype=dtype)


class ModuleScope:
    """One running module call; ops record the innermost one (graph drawings)."""

    __slots__ = ("module_type", "parent", "path")

    def __init__(self, path: str, module_type: str, parent: ModuleScope | None):
        self.path, self.module_type, self.parent = path, module_type, parent

    @property
    def depth(self) -> int:
        return 0 if self.parent is None else self.parent.depth + 1


_tree_version = 0  # bumped whenever a Module or Parameter becomes an attribute


class Module:
    """Base class for layers and models: subclass it and write `forward`."""

    training = True
    _path: str | None = None  # dotted name inside the model that last ran it
    _named_at = -1  # the _tree_version when this (outermost) module named its tree

    def __setattr__(self, name: str, value) -> None:
        if isinstance(value, Module | Parameter):  # the tree changed: name it again
            global _tree_version
            _tree_version += 1
        object.__setattr__(self, name, value)

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args, **kwargs):
        parent = switches.scope
        if parent is None:
            self._name_subtree()
        path = self._path or type(self).__name__
        switches.scope = ModuleScope(path, type(self).__name__, parent)
        try:
            return self.forward(*args, **kwargs)
        finally:
            switches.scope = parent

    def _name_subtree(self) -> None:
        """Give every submodule and parameter its dotted name (called by the
        outermost module call, unless this module is part of a larger, named
        model: then the larger model's names stay). Walks the tree again only
        when a module or parameter was attached somewhere since the last time."""
        if self._path or self._named_at == _tree_version:
            return
        self._named_at = _tree_version
        self._path = ""
        for path, module in self.named_modules():
            if path:
                module._path = path
            for name, param in vars(module).items():
                if isinstance(param, Parameter):
                    param.name = f"{path}.{name}" if path else name

    # ------------------------------------------------------------ traversal

    def named_children(self) -> Iterator[tuple[str, Module]]:
        for name, value in vars(self).items():
            if isinstance(value, Module):
                yield name, value

    def children(self) -> Iterator[Module]:
        for _, module in self.named_children():
            yield module

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module and every submodule, depth first, with dotted paths."""
        seen = set()
        stack = [(prefix, self)]
        while stack:
            path, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield path, module
            children = list(module.named_children())
            for name, child in reversed(children):
                stack.append((f"{path}.{name}" if path else name, child))

    def modules(self) -> Iterator[Module]:
        for _, module in self.named_modules():
            yield module

    def named_parameters(
        self, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """(dotted name, parameter) pairs; a shared parameter once, under its first name."""
        seen = set()
        for path, module in self.named_modules():
            for name, value in vars(module).items():
                if isinstance(value, Parameter):
                    if remove_duplicate and id(value) in seen:
                        continue
                    seen.add(id(value))
                    yield (f"{path}.{name}" if path else name), value

    def parameters(self) -> list[Parameter]:
        return [p for _, p in self.named_parameters()]

    def num_parameters(self) -> int:
        """The number of learned numbers (a shared parameter counted once)."""
        return sum(p.numel() for p in self.parameters())

    # ------------------------------------------------------------ state

    def state_dict(self) -> dict[str, np.ndarray]:
        """Every parameter as a host NumPy array, by dotted name (tied ones under
        each of their names, as PyTorch does). The arrays are copies: a later
        optimizer step does not change a state dict already taken."""
        return {
            name: np.array(to_numpy(p._data), copy=True)
            for name, p in self.named_parameters(remove_duplicate=False)
        }

    def load_state_dict(self, state: dict, strict: bool = True):
        """Copy arrays into the parameters of the same names (and shapes).

        strict=True: the names must match exactly. strict=False: parameters
        missing from `state` keep their values and unknown names are skipped.
        Returns (missing, unexpected), the two lists of names, as PyTorch does.
        """
        params = dict(self.named_parameters(remove_duplicate=False))
        missing = [n for n in params if n not in state]
        unexpected = [n for n in state if n not in params]
        if strict and (missing or unexpected):
            raise StateDictError(
                f"load_state_dict: the state does not match {type(self).__name__}: "
                f"missing {_listed(missing)}; unexpected {_listed(unexpected)} "
                "(strict=False loads the names that match)"
            )
        for name, param in params.items():
            if name in state:
                param.data = _loaded_array(name, state[name], param)
        return missing, unexpected

    # ------------------------------------------------------------ modes and devices

    def train(self, mode: bool = True) -> Module:
        for module in self.modules():
            module.training = mode
        return self

    def eval(self) -> Module:
        return self.train(False)

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = None

    def to(self, device: str) -> Module:
        """Move every parameter (and tensor attribute) to `device`, in place."""
        device = check_device(device)
        for module in self.modules():
            for value in vars(module).values():
                if isinstance(value, Tensor) and value.device != device:
                    value.device = device
                    value.data = to_device(value._data, device)
                    value.grad = None
        return self

    def astype(self, dtype) -> Module:
        """Convert every floating-point parameter to `dtype` (float64 for gradcheck)."""
        for module in self.modules():
            for value in vars(module).values():
                if isinstance(value, Tensor) and value.dtype.kind == "f":
                    value.data = value._data.astype(dtype)
                    value.grad = None
        return self

    def double(self) -> Module:
        return self.astype(np.float64)

    # ------------------------------------------------------------ printing

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        children = [
            f"  ({name}): " + repr(m).replace("\n", "\n  ")
            for name, m in self.named_children()
        ]
        head = f"{type(self).__name__}({self.extra_repr()}"
        return head + ("\n" + "\n".join(children) + "\n)" if children else ")")


class StateDictError(KeyError, ValueError):
    """The names in a state dict do not match the model's parameters."""

    def __str__(self) -> str:  # KeyError would print the message in quotes
        return str(self.args[0])


def _loaded_array(name: str, value, param: Tensor):
    """`value` (array or Tensor) checked against `param`, on its device and dtype."""
    value = np.asarray(to_numpy(value._data if isinstance(value, Tensor) else value))
    if value.shape != param.shape:
        raise ValueError(
            f"load_state_dict: {name} has shape {value.shape} in the state but "
            f"{param.shape} in the model"
        )
    if value.dtype.kind not in "biuf":
        raise TypeError(f"load_state_dict: {name} holds {value.dtype}, not numbers")
    return to_device(value.astype(param.dtype), param.device)


def _listed(names: list[str], limit: int = 5) -> str:
    if not names:
        return "none"
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more
