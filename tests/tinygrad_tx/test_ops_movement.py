"""Movement ops (reshape, transpose, broadcast_to, getitem, cat, stack, ...):
values against NumPy, gradients by gradcheck."""

import numpy as np
import pytest
from helpers import check_op, rand

from tinygrad_tx import Tensor, no_grad
from tinygrad_tx.backend import to_numpy

UNARY_MOVES = {
    "reshape": (lambda t: t.reshape(4, 6), lambda a: a.reshape(4, 6)),
    "reshape_tuple_minus1": (lambda t: t.reshape((3, -1)), lambda a: a.reshape(3, -1)),
    "flatten": (lambda t: t.flatten(), lambda a: a.reshape(-1)),
    "unsqueeze0": (lambda t: t.unsqueeze(0), lambda a: a[None]),
    "unsqueeze_neg": (lambda t: t.unsqueeze(-1), lambda a: a[..., None]),
    "transpose_reverse": (lambda t: t.transpose(), lambda a: a.transpose()),
    "transpose_perm": (lambda t: t.transpose(1, 2, 0), lambda a: a.transpose(1, 2, 0)),
    "transpose_tuple": (
        lambda t: t.transpose((2, 0, 1)),
        lambda a: a.transpose(2, 0, 1),
    ),
    "permute_neg": (lambda t: t.permute(-1, 0, 1), lambda a: a.transpose(2, 0, 1)),
    "swapaxes": (lambda t: t.swapaxes(0, -1), lambda a: a.swapaxes(0, -1)),
    "T": (lambda t: t.T, lambda a: a.T),
    "broadcast_to": (
        lambda t: t[:, :1].broadcast_to(5, 2, 3, 4),
        lambda a: np.broadcast_to(a[:, :1], (5, 2, 3, 4)),
    ),
}


@pytest.mark.parametrize("name", list(UNARY_MOVES))
def test_movement_matches_numpy_and_gradcheck(name, device):
    fn, oracle = UNARY_MOVES[name]
    check_op(fn, oracle, [rand((2, 3, 4), seed=11)], device)


def test_squeeze_drops_size_one_axes(device):
    check_op(lambda t: t.squeeze(), np.squeeze, [rand((1, 3, 1, 2))], device)
    check_op(
        lambda t: t.squeeze(2), lambda a: a.squeeze(2), [rand((1, 3, 1, 2))], device
    )


INDICES = {
    "int": (1,),
    "negative_int": (-1,),
    "slice": (slice(1, None),),
    "step_slice": (slice(None, None, 2), slice(None), 1),
    "ellipsis": (Ellipsis, 1),
    "none": (None, 0),
    "int_array_repeats": (np.array([0, 2, 0, 0]),),
    "list_repeats": ([1, 1, -1],),
    "two_int_arrays": (np.array([0, 2, 2]), np.array([1, 0, 1])),
    "int_array_after_slice": (slice(None), np.array([[0, 0], [2, 1]])),
    "bool_mask": (np.array([True, False, True]),),
    "bool_mask_2d": (np.array([[True, False, True, False]] * 3),),
}


@pytest.mark.parametrize("name", list(INDICES))
def test_getitem_matches_numpy_and_gradcheck(name, device):
    index = INDICES[name]
    index = index[0] if len(index) == 1 else index
    check_op(lambda t: t[index], lambda a: a[index], [rand((3, 4, 2), seed=12)], device)


def test_getitem_with_repeated_ids_adds_the_gradients(device):
    x = Tensor([10.0, 20.0, 30.0], requires_grad=True, device=device)
    x[Tensor([0, 0, 2, 0], device=device)].backward(np.array([1.0, 2.0, 3.0, 4.0]))
    np.testing.assert_array_equal(to_numpy(x.grad), [7.0, 0.0, 3.0])


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_cat_matches_numpy_and_gradcheck(axis, device):
    shapes = {0: [(1, 3), (4, 3), (2, 3)], 1: [(2, 1), (2, 5), (2, 2)]}
    shapes[-1] = shapes[1]
    arrays = [rand(s, seed=i) for i, s in enumerate(shapes[axis])]
    check_op(
        lambda *ts: Tensor.cat(list(ts), axis=axis),
        lambda *a: np.concatenate(a, axis=axis),
        arrays,
        device,
    )


@pytest.mark.parametrize("axis", [0, 1, 2, -1])
def test_stack_matches_numpy_and_gradcheck(axis, device):
    arrays = [rand((2, 3), seed=i) for i in range(3)]
    check_op(
        lambda *ts: Tensor.stack(ts, axis=axis),
        lambda *a: np.stack(a, axis=axis),
        arrays,
        device,
    )


def test_cat_sends_gradient_only_to_inputs_that_need_it(device):
    a = Tensor(np.ones((2, 2)), requires_grad=True, device=device)
    b = Tensor(np.ones((2, 3)), device=device)
    Tensor.cat([a, b], axis=1).sum().backward()
    np.testing.assert_array_equal(to_numpy(a.grad), np.ones((2, 2)))
    assert b.grad is None


def test_setitem_works_outside_the_graph_only(device):
    x = Tensor(np.zeros(3), device=device)
    x[1] = 5.0
    np.testing.assert_array_equal(x.numpy(), [0.0, 5.0, 0.0])
    w = Tensor(np.zeros(3), requires_grad=True, device=device)
    with pytest.raises(RuntimeError, match="cannot assign into a tensor that is part"):
        w[0] = 1.0
    with no_grad():  # a parameter may be changed in place outside the graph
        w[0] = 1.0
    np.testing.assert_array_equal(w.numpy(), [1.0, 0.0, 0.0])
    y = w * 2
    with no_grad(), pytest.raises(RuntimeError, match="for a parameter, assign"):
        y[0] = 0.0  # an op's output stays protected: backward may need it
