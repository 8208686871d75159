"""The two ways a check gets a student's gradients, with their answers checked.

    y, (grad_x,) = by_hand(run, "Softmax", [x], g, axis=-1)
        the student's Function subclass run by hand on arrays: forward, then
        backward(g); each must return arrays of the right shapes, and backward
        must leave g as it was

    out, grads = differentiate(run, student.softmax(x), g, wrt=[x], what="softmax(x)")
        the student's function on Tensors, then out.backward(g); out must be a
        Tensor of g's shape that carries a gradient

Both raise `CheckFailure` with a message naming what was wrong.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from . import messages
from .checks import CheckFailure, Run
from .expect import Mistake, expect_array, expect_shape, expect_tensor, type_name
from .expr import Expr
from .wire import TensorValue


def by_hand(run: Run, name: str, arrays: list, grad_out, mistakes=(), **options):
    """(y, [gradient per input]) from the student's Function `name`; `mistakes`
    (with `input` set) name wrong gradient shapes."""
    grad_out = np.asarray(grad_out)
    y, grads, after = run.function(name, arrays, grad_out, **options)
    y = expect_array(y, f"{name}.forward")
    expect_shape(y.shape, grad_out.shape, f"{name}.forward's output")
    if after is None or not np.array_equal(np.asarray(after), grad_out):
        raise CheckFailure(str(messages.GRAD_OUT_CHANGED).format(name=name))
    if not isinstance(grads, tuple | list):
        grads = (grads,)
    if len(grads) != len(arrays):
        raise CheckFailure(
            str(messages.GRAD_COUNT).format(name=name, got=len(grads), want=len(arrays))
        )
    checked = []
    for i, (g, x) in enumerate(zip(grads, arrays)):
        what = f"{name}.backward[{i}]"
        g = expect_array(g, what)
        mine = [m for m in mistakes if m.input in (None, i)]
        expect_shape(g.shape, np.shape(x), what, g, mine)
        checked.append(g)
    return y, checked


def differentiate(
    run: Run,
    expr: Expr,
    upstream,
    wrt: list[Expr],
    what,
    mistakes: Sequence[Mistake] = (),
):
    """(out's data, [gradient of each wrt, or None]) after out.backward(upstream)."""
    upstream = np.asarray(upstream)
    out, grads = run.grads(expr, upstream, wrt)
    array = expect_tensor(out, what, mistakes)
    expect_shape(array.shape, upstream.shape, what, out, mistakes)
    if not (isinstance(out, TensorValue) and out.requires_grad):
        message = str(messages.NOT_DIFFERENTIABLE).format(what=what)
        raise CheckFailure(
            message, next((m.hint for m in mistakes if m.matches(out)), None)
        )
    if grads is None:  # backward did not run although out was fine: garbled
        raise CheckFailure(
            str(messages.TYPE).format(what=what, want="Tensor", got=type_name(out))
        )
    return array, grads
