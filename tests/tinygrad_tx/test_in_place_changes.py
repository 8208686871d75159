"""Changing a tensor in place after an op saved it for backward: a version
counter (as PyTorch's) turns the silently wrong gradient into a clear error,
and reading or replacing `.data` stays allowed."""

import numpy as np
import pytest
from helpers import assert_close

from tinygrad_tx import Tensor, nn, no_grad, optim


def _square_sum(device):
    x = Tensor([1.0, 2.0], requires_grad=True, device=device)
    return x, (x * x).sum()


@pytest.mark.parametrize(
    "change",
    [
        lambda x: x.data.__setitem__(slice(None), 100.0),  # x.data[:] = 100
        lambda x: x.data.__iadd__(1.0),  # x.data += 1
    ],
    ids=["data[:] = 100", "data += 1"],
)
def test_a_write_into_data_after_forward_is_named_in_backward(change, device):
    x, y = _square_sum(device)
    change(x)  # was: backward gave [200, 200] instead of [2, 4], silently
    with pytest.raises(
        RuntimeError,
        match=r"backward: mul's input 0 of shape \(2,\) was changed in place after "
        r"mul used it, so its gradient would be computed from the new values",
    ):
        y.backward()


def test_setitem_inside_no_grad_after_forward_is_named(device):
    x, y = _square_sum(device)
    x.name = "x"
    with no_grad():
        x[0] = 5.0
    with pytest.raises(RuntimeError, match=r"mul's 'x' of shape \(2,\) was changed"):
        y.backward()


def test_an_optimizer_step_between_forward_and_backward_is_named():
    layer = nn.Linear(3, 2)
    adam = optim.Adam(layer.parameters(), lr=0.1)
    first = layer(Tensor(np.ones((4, 3)))).sum()
    second = layer(Tensor(np.ones((4, 3)))).sum()
    first.backward()
    adam.step()  # changes the weight that `second` saved
    with pytest.raises(RuntimeError, match=r"linear's 'weight' of shape \(2, 3\)"):
        second.backward()


def test_reading_data_is_not_a_change(device):
    x, y = _square_sum(device)
    print(x.data, x.data.sum())  # reads only
    y.backward()
    assert_close(x.grad, [2.0, 4.0])


def test_a_write_after_backward_is_fine_for_the_next_graph(device):
    x, y = _square_sum(device)
    y.backward()
    x.data -= 0.5 * x.grad  # a hand-written gradient step, micrograd-style
    x.grad = None
    (x * x).sum().backward()
    assert_close(x.grad, [0.0, 0.0])  # x = [1, 2] - 0.5 [2, 4] = 0


def test_replacing_data_keeps_the_old_graph_right(device):
    x, y = _square_sum(device)
    x.data = x.data * 100  # a new array: the graph keeps the old one
    y.backward()
    assert_close(x.grad, [2.0, 4.0])
