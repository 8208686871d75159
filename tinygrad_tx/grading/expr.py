"""Recipes for calling a student's code: built by a check, followed elsewhere.

A check never holds the student's module. It writes what to call as a small
expression, sent as data to the student's process and followed there:

    x = tensor(inputs, grad=True)                 # a Tensor made from an array
    expr = student.sigmoid(student.tanh(x) * 3.0)  # calls into the student's file
    out, (grad_x,) = run.grads(expr, upstream, wrt=[x])

The same recipe can be followed on the answer key in the grader (`evaluate`),
which is how hidden checks get their expected values. Nodes are JSON lists:

    ["call", name, args, kwargs]       module.name(*args, **kwargs)
    ["method", name, target, args, kw] target.name(...), Tensor methods only
    ["attr", "T", target]              target.T
    ["item", i, target]                target[i] of a returned tuple
    ["op", "+", a, b]                  a + b (also - * / @), ["neg", a]
    ["tensor", id, array, grad]        Tensor(array, requires_grad=grad)
    ["watch", id, array]               a NumPy array whose later state is reported
    ["scorer", kind, ...]              a next-token scorer that records its calls
"""

from __future__ import annotations

import itertools
import keyword

import numpy as np

from . import wire
from .scorers import RandomScorer, TableScorer

METHODS = frozenset(
    [
        "tanh",
        "sigmoid",
        "exp",
        "log",
        "relu",
        "sum",
        "mean",
        "reshape",
        "transpose",
        "swapaxes",
        "softmax",
    ]
)
OPS = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "@": lambda a, b: a @ b,
}
_ids = itertools.count(1)


class Expr:
    """A node of a recipe; arithmetic and Tensor methods build bigger ones."""

    __slots__ = ("id", "node")
    __array_ufunc__ = None  # NumPy arrays defer to Expr's own operators

    def __init__(self, node: list, node_id: int | None = None):
        self.node = node
        self.id = node_id

    def _op(self, symbol, other, swap=False):
        a, b = (other, self) if swap else (self, other)
        return Expr(["op", symbol, _lit(a), _lit(b)])

    def __add__(self, other):
        return self._op("+", other)

    def __radd__(self, other):
        return self._op("+", other, swap=True)

    def __sub__(self, other):
        return self._op("-", other)

    def __mul__(self, other):
        return self._op("*", other)

    def __rmul__(self, other):
        return self._op("*", other, swap=True)

    def __truediv__(self, other):
        return self._op("/", other)

    def __matmul__(self, other):
        return self._op("@", other)

    def __neg__(self):
        return Expr(["neg", self.node])

    @property
    def T(self):
        return Expr(["attr", "T", self.node])

    def __getitem__(self, index: int):
        """An element of a tuple or list the call returned, e.g. out of (out, w)."""
        if not isinstance(index, int):
            raise TypeError("recipes index results with integers only")
        return Expr(["item", index, self.node])

    def __getattr__(self, name):
        if name not in METHODS:
            raise AttributeError(f"recipes have no method {name!r}")
        return lambda *args, **kwargs: Expr(
            ["method", name, self.node, _lits(args), _kwlits(kwargs)]
        )


class _Student:
    """`student.name(...)`: a call to `name` in the student's file."""

    def __getattr__(self, name: str):
        if not name.isidentifier() or keyword.iskeyword(name) or name[0] == "_":
            raise AttributeError(name)
        return lambda *args, **kwargs: Expr(
            ["call", name, _lits(args), _kwlits(kwargs)]
        )


student = _Student()


def tensor(array, grad: bool = False) -> Expr:
    """A Tensor made in the student's process from `array` (float64 stays)."""
    node_id = next(_ids)
    return Expr(["tensor", node_id, wire.encode(np.asarray(array)), grad], node_id)


def watch(array) -> Expr:
    """A NumPy array passed to the student's code; `Outcome.after[expr.id]` holds
    its contents after the call (to see whether the code changed it in place)."""
    node_id = next(_ids)
    return Expr(["watch", node_id, wire.encode(np.asarray(array))], node_id)


def table_scorer(table: dict, default) -> Expr:
    rows = [[list(k), list(v)] for k, v in table.items()]
    return Expr(["scorer", "table", rows, list(default)])


def random_scorer(vocab_size: int, seed: int = 0, temperature: float = 1.0) -> Expr:
    return Expr(["scorer", "random", vocab_size, seed, temperature])


def _lit(value):
    return value.node if isinstance(value, Expr) else {"$lit": wire.encode(value)}


def _lits(values) -> list:
    return [_lit(v) for v in values]


def _kwlits(values: dict) -> dict:
    return {k: _lit(v) for k, v in values.items()}


# ------------------------------------------------------------------ following a recipe


class Recorder:
    """A scorer that remembers every prefix it was asked about, in order."""

    def __init__(self, scorer):
        self.scorer, self.prefixes = scorer, []
        self.vocab_size = scorer.vocab_size

    def __call__(self, prefix):
        self.prefixes.append([int(t) for t in list(prefix)])
        return self.scorer(prefix)

    @property
    def calls(self) -> int:
        return len(self.prefixes)


class State:
    """What following one recipe made: its tensors, watched arrays, scorers."""

    def __init__(self):
        self.tensors, self.watched, self.scorers = {}, {}, []


def evaluate(node, module, state: State):
    """Follow `node` with `module` as the student's file (or the answer key)."""
    if isinstance(node, dict):
        return _constant(node)
    kind = node[0]
    if kind == "call":
        fn = getattr(module, node[1])
        return fn(*_all(node[2], module, state), **_kw(node[3], module, state))
    if kind == "method":
        if node[1] not in METHODS:
            raise ValueError(f"recipe: method {node[1]!r} is not allowed")
        target = evaluate(node[2], module, state)
        args, kwargs = _all(node[3], module, state), _kw(node[4], module, state)
        return getattr(target, node[1])(*args, **kwargs)
    if kind == "attr" and node[1] == "T":
        return evaluate(node[2], module, state).T
    if kind == "op":
        a, b = evaluate(node[2], module, state), evaluate(node[3], module, state)
        return OPS[node[1]](a, b)
    if kind == "neg":
        return -evaluate(node[1], module, state)
    if kind == "item":
        value = evaluate(node[2], module, state)
        if not isinstance(value, tuple | list):
            raise TypeError(f"expected a tuple, got {type(value).__name__}")
        return value[node[1]]
    return _leaf(node, state)


def _leaf(node, state: State):
    from ..tensor import Tensor

    kind = node[0]
    if kind == "tensor":
        t = Tensor(wire.decode(node[2]), requires_grad=bool(node[3]))
        state.tensors[node[1]] = t
        return t
    if kind == "watch":
        array = wire.decode(node[2])
        state.watched[node[1]] = array
        return array
    if kind == "scorer":
        scorer = Recorder(_scorer(node))
        state.scorers.append(scorer)
        return scorer
    raise ValueError(f"recipe: unknown node {kind!r}")


def _scorer(node):
    if node[1] == "table":
        return TableScorer({tuple(k): v for k, v in node[2]}, node[3])
    return RandomScorer(node[2], seed=node[3], temperature=node[4])


def _constant(node: dict):
    value = wire.decode(node["$lit"])
    if isinstance(value, list):  # lists travel as lists of plain values
        return list(value)
    return value


def _all(nodes, module, state) -> list:
    return [evaluate(n, module, state) for n in nodes]


def _kw(nodes: dict, module, state) -> dict:
    return {k: evaluate(v, module, state) for k, v in nodes.items()}
