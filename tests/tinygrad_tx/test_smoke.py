from helpers import assert_close

from tinygrad_tx import Tensor


def test_square_sum_gradient_is_two_x(device):
    x = Tensor([[1.0, 2.0]], requires_grad=True, device=device)
    (x * x).sum().backward()
    assert_close(x.grad, [[2.0, 4.0]])
