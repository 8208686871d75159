"""Elementwise ops: y[i] = f(x[i]) or z[i] = f(x[i], y[i]), broadcasting like NumPy.

For each op the docstring gives the forward formula and the local derivative;
backward multiplies the upstream gradient `grad_out` by that derivative (the
chain rule) and, for binary ops, reduces it back to each input's shape with
`unbroadcast` (the adjoint of broadcasting is summing).
"""

from __future__ import annotations

from ..arguments import broadcast_shape
from ..backend import get_array_module
from ..function import Function, unbroadcast

# ------------------------------------------------------------------ binary


class Add(Function):
    """z = x + y.   dz/dx = 1, dz/dy = 1."""

    def forward(self, x, y):
        self.x_shape, self.y_shape = x.shape, y.shape
        return x + y

    def backward(self, grad_out):
        return unbroadcast(grad_out, self.x_shape), unbroadcast(grad_out, self.y_shape)


class Sub(Function):
    """z = x - y.   dz/dx = 1, dz/dy = -1."""

    def forward(self, x, y):
        self.x_shape, self.y_shape = x.shape, y.shape
        return x - y

    def backward(self, grad_out):
        grad_y = (
            unbroadcast(-grad_out, self.y_shape) if self.needs_input_grad[1] else None
        )
        return unbroadcast(grad_out, self.x_shape), grad_y


class Mul(Function):
    """z = x * y.   dz/dx = y, dz/dy = x.   Saves both inputs."""

    def forward(self, x, y):
        self.x, self.y = x, y
        return x * y

    def backward(self, grad_out):
        x, y = self.x, self.y
        grad_x = (
            unbroadcast(grad_out * y, x.shape) if self.needs_input_grad[0] else None
        )
        grad_y = (
            unbroadcast(grad_out * x, y.shape) if self.needs_input_grad[1] else None
        )
        return grad_x, grad_y


class Div(Function):
    """z = x / y.   dz/dx = 1 / y, dz/dy = -x / y² = -z / y.   Saves y and z."""

    def forward(self, x, y):
        self.x_shape, self.y = x.shape, y
        self.z = x / y
        return self.z

    def backward(self, grad_out):
        y, z = self.y, self.z
        grad_x = (
            unbroadcast(grad_out / y, self.x_shape)
            if self.needs_input_grad[0]
            else None
        )
        grad_y = (
            unbroadcast(-grad_out * z / y, y.shape)
            if self.needs_input_grad[1]
            else None
        )
        return grad_x, grad_y


class Pow(Function):
    """z = x ** y.   dz/dx = y x^(y-1),   dz/dy = z ln x (defined for x > 0).

    The gradient for the exponent is taken as 0 where x <= 0, where ln x is not
    real; for a constant exponent (the usual case) it is never computed.
    """

    def forward(self, x, y):
        self.x, self.y = x, y
        self.z = x**y
        return self.z

    def backward(self, grad_out):
        x, y, z = self.x, self.y, self.z
        xp = get_array_module(x)
        grad_x = grad_y = None
        if self.needs_input_grad[0]:
            grad_x = unbroadcast(grad_out * y * x ** (y - 1), x.shape)
        if self.needs_input_grad[1]:
            log_x = xp.log(xp.where(x > 0, x, 1))
            grad_y = unbroadcast(grad_out * z * log_x, y.shape)
        return grad_x, grad_y


class Maximum(Function):
    """z = max(x, y) elementwise.

    dz/dx = 1 where x > y, dz/dy = 1 where y > x; on a tie (x == y) each gets 1/2,
    the average of the two one-sided derivatives (as PyTorch does).
    """

    def forward(self, x, y):
        xp = get_array_module(x)
        self.x_shape, self.y_shape = x.shape, y.shape
        self.x_wins, self.tie = x > y, x == y
        return xp.maximum(x, y)

    def backward(self, grad_out):
        xp = get_array_module(grad_out)
        dtype = grad_out.dtype
        share_x = xp.where(
            self.tie, dtype.type(0.5), self.x_wins.astype(dtype)
        )  # 1, ½, 0
        return (
            unbroadcast(grad_out * share_x, self.x_shape),
            unbroadcast(grad_out * (1 - share_x), self.y_shape),
        )


class Where(Function):
    """z = x where condition else y.   dz/dx = condition, dz/dy = not condition.

    The condition is a boolean array, not a graph input: it has no gradient.
    """

    def forward(self, x, y, condition=None):
        xp = get_array_module(x)
        self.condition, self.x_shape, self.y_shape = condition, x.shape, y.shape
        return xp.where(condition, x, y)

    def backward(self, grad_out):
        xp = get_array_module(grad_out)
        zero = grad_out.dtype.type(0)
        grad_x = grad_y = None
        if self.needs_input_grad[0]:
            grad_x = unbroadcast(xp.where(self.condition, grad_out, zero), self.x_shape)
        if self.needs_input_grad[1]:
            grad_y = unbroadcast(xp.where(self.condition, zero, grad_out), self.y_shape)
        return grad_x, grad_y


class MaskedFill(Function):
    """y = value where mask else x.   dy/dx = 0 where mask, else 1.

    Attention uses it to put -inf on the scores a query may not look at, so the
    graph drawer shows it as the place where a mask enters.
    """

    name = "masked_fill"
    applies_mask = True

    def forward(self, x, mask=None, value=0.0):
        xp = get_array_module(x)
        if broadcast_shape(mask.shape, x.shape) != x.shape:
            raise ValueError(
                f"masked_fill: the mask of shape {mask.shape} does not broadcast to "
                f"the tensor's shape {x.shape}"
            )
        self.mask, self.x_shape = mask, x.shape
        return xp.where(mask, x.dtype.type(value), x)

    def backward(self, grad_out):
        xp = get_array_module(grad_out)
        return unbroadcast(
            xp.where(self.mask, grad_out.dtype.type(0), grad_out), self.x_shape
        )


# ------------------------------------------------------------------ unary


class Neg(Function):
    """y = -x.   dy/dx = -1."""

    def forward(self, x):
        return -x

    def backward(self, grad_out):
        return -grad_out


class Exp(Function):
    """y = eˣ.   dy/dx = eˣ = y.   Saves its output, not its input."""

    def forward(self, x):
        self.y = get_array_module(x).exp(x)
        return self.y

    def backward(self, grad_out):
        return grad_out * self.y


class Log(Function):
    """y = ln x.   dy/dx = 1 / x.   Saves its input."""

    def forward(self, x):
        self.x = x
        return get_array_module(x).log(x)

    def backward(self, grad_out):
        return grad_out / self.x


class Sqrt(Function):
    """y = √x.   dy/dx = 1 / (2√x) = 1 / (2y).   Saves its output."""

    def forward(self, x):
        self.y = get_array_module(x).sqrt(x)
        return self.y

    def backward(self, grad_out):
        return grad_out / (2 * self.y)


class Abs(Function):
    """y = |x|.   dy/dx = sign(x) (0 at x = 0, a subgradient)."""

    def forward(self, x):
        xp = get_array_module(x)
        self.sign = xp.sign(x)
        return xp.abs(x)

    def backward(self, grad_out):
        return grad_out * self.sign


class ReLU(Function):
    """y = max(x, 0).   dy/dx = 1 where x > 0, else 0 (0 at x = 0).

    Saves its output: y > 0 exactly where x > 0, and y is kept alive anyway as
    the next op's input, so this costs no memory.
    """

    name = "relu"

    def forward(self, x):
        self.y = get_array_module(x).maximum(x, 0)  # not x * (x > 0): -inf * 0 = NaN
        return self.y

    def backward(self, grad_out):
        return grad_out * (self.y > 0)


class Tanh(Function):
    """y = tanh x.   dy/dx = 1 - tanh² x = 1 - y².   Saves its output."""

    def forward(self, x):
        self.y = get_array_module(x).tanh(x)
        return self.y

    def backward(self, grad_out):
        return grad_out * (1 - self.y * self.y)


class Sigmoid(Function):
    """y = σ(x) = 1 / (1 + e⁻ˣ).   dy/dx = σ(x)(1 - σ(x)) = y(1 - y).

    Computed as (1 + tanh(x/2)) / 2, the same function, which cannot overflow for
    large negative x as e⁻ˣ would.
    """

    def forward(self, x):
        xp = get_array_module(x)
        self.y = 0.5 * (1 + xp.tanh(0.5 * x))
        return self.y

    def backward(self, grad_out):
        y = self.y
        return grad_out * y * (1 - y)


class Cast(Function):
    """y = x converted to another float dtype.   dy/dx = 1 (cast back)."""

    def forward(self, x, dtype=None):
        self.x_dtype = x.dtype
        return x.astype(dtype)

    def backward(self, grad_out):
        return grad_out.astype(self.x_dtype)
