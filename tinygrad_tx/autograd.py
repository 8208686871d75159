"""Reverse-mode automatic differentiation: backward() over the graph of Functions.

Backward runs in two phases, as in micrograd:

  1. Topological order. Walk from the output to the leaves (iteratively, so a
     graph 100,000 ops deep needs no recursion) and list every tensor after all
     tensors computed from it.
  2. Chain rule in reverse. Seed dL/dL = 1 at the output; for each tensor in that
     order, hand its gradient to the Function that made it, which returns the
     gradients of its inputs (the vector-Jacobian product). A tensor used twice
     receives two contributions, and they add up.

Leaves (parameters, inputs with requires_grad=True) accumulate into `.grad` with
`+=`, across backward calls too, until `zero_grad()`. Intermediate tensors keep no
`.grad` unless asked (`retain_grad()`, or `backward(retain_grads=True)`).

This module also owns the engine's switches (grad mode, anomaly mode, the
running module, the count of in-place changes). It imports nothing from the
package: it sees tensors and Functions only through their attributes (`_ctx`,
`parents`, `backward`).
"""

from __future__ import annotations

import contextlib

# ------------------------------------------------------------------ switches


class _Switches:
    """The engine's global switches. Change them only through the context
    managers below and `Module.__call__` (the module scope)."""

    grad_enabled = True  # False inside `no_grad()`: no graph is built
    detect_anomaly = False  # True inside `detect_anomaly()`: check every result
    scope = None  # the innermost module call running now (for graph drawings)
    changes = 0  # in-place changes of tensors so far, a clock (see Tensor.data)


switches = _Switches()


@contextlib.contextmanager
def no_grad():
    """Build no graph inside this block (evaluation, optimizer updates).

    Works as a decorator too: `@no_grad()`.
    """
    previous = switches.grad_enabled
    switches.grad_enabled = False
    try:
        yield
    finally:
        switches.grad_enabled = previous


@contextlib.contextmanager
def enable_grad():
    """Build the graph again inside a `no_grad()` block."""
    previous = switches.grad_enabled
    switches.grad_enabled = True
    try:
        yield
    finally:
        switches.grad_enabled = previous


def is_grad_enabled() -> bool:
    return switches.grad_enabled


@contextlib.contextmanager
def detect_anomaly():
    """Check every forward output and every gradient for NaN and inf.

    The first op that produces one raises `FloatingPointError` naming the op, the
    module it ran in and the shapes of its inputs. Slower: use it to find a bug,
    not to train.
    """
    previous = switches.detect_anomaly
    switches.detect_anomaly = True
    try:
        yield
    finally:
        switches.detect_anomaly = previous


# ------------------------------------------------------------------ backward


def topological_order(root) -> list:
    """Tensors reachable from `root` through requires_grad links, each listed
    after every tensor computed from it (root first, leaves last).

    A depth-first search with an explicit stack (no recursion): a tensor is
    appended once all its inputs are, then the list is reversed. Tensors go in
    sets by identity (Tensor.__hash__ is object.__hash__).
    """
    order, expanded, done = [], set(), set()
    stack = [root]
    while stack:
        tensor = stack[-1]
        if tensor in done:
            stack.pop()
        elif tensor in expanded:  # its inputs are all in `order` now
            stack.pop()
            done.add(tensor)
            order.append(tensor)
        else:
            expanded.add(tensor)
            if tensor._ctx is not None:
                for parent in tensor._ctx.parents:
                    if parent.requires_grad and parent not in expanded:
                        stack.append(parent)
    order.reverse()
    return order


def backward(root, grad, retain_graph=False, retain_grads=False) -> None:
    """Accumulate d(root)/d(leaf) into `.grad` of every leaf that requires it.

    grad          dL/d(root), an array of root's shape (Tensor.backward makes it).
    retain_graph  keep the arrays saved for backward, to call backward again.
    retain_grads  also keep `.grad` on every intermediate tensor (for inspecting
                  and drawing a graph with its gradients, micrograd-style).
    """
    handed_out: set[int] = {id(grad)}  # arrays that some tensor already holds
    grads = {root: grad}  # dL/d(tensor), summed over every path reached so far
    for tensor in topological_order(root):
        g = grads.pop(tensor, None)
        if g is None:
            continue
        fn = tensor._ctx
        if fn is None or retain_grads or tensor._retains_grad:
            _accumulate(tensor, g, handed_out)
        if fn is None:
            continue
        if fn.released:
            raise RuntimeError(
                f"backward: the graph through {fn.op_name()} was already freed by "
                "an earlier backward(); call backward(retain_graph=True) the first "
                "time to go through the same graph twice"
            )
        fn.check_inputs_unchanged()
        _propagate(fn, g, grads)
        if not retain_graph:
            fn.release()


def _propagate(fn, grad_out, grads: dict) -> None:
    """Ask `fn` for its inputs' gradients and add them to `grads`."""
    in_grads = fn.backward(grad_out)
    if type(in_grads) is not tuple:
        in_grads = (in_grads,)
    for parent, g, needed in zip(fn.parents, in_grads, fn.needs_input_grad):
        if g is None or not needed:
            continue
        if g.shape != parent.shape:
            raise RuntimeError(
                f"internal error in {fn.op_name()}.backward: gradient of shape "
                f"{g.shape} for an input of shape {parent.shape}"
            )
        if switches.detect_anomaly:
            fn.check_finite(g, fn.parents, "backward (an input's gradient)")
        earlier = grads.get(parent)
        grads[parent] = g if earlier is None else earlier + g


def _accumulate(tensor, g, handed_out: set[int]) -> None:
    """tensor.grad += g, storing `g` itself when no other tensor can see it."""
    if g.dtype != tensor.dtype:
        g = g.astype(tensor.dtype)
    if tensor.grad is None:
        # A backward may return the same array for two inputs (add), or a view of
        # its upstream gradient (reshape): copy those, so a later in-place `+=`
        # on one tensor's .grad can never change another's.
        if g.base is not None or id(g) in handed_out:
            g = g.copy()
        tensor.grad = g
        handed_out.add(id(g))
    else:
        tensor.grad += g
