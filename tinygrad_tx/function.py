"""The Function base class: one differentiable operation on raw arrays.

An op subclasses `Function` and writes two methods on backend arrays (NumPy or
CuPy), never on Tensors:

    forward(*arrays, **options) -> array    compute y, save on `self` what backward needs
    backward(grad_out) -> grads             one gradient per input (None where not needed)

`Function.apply` wraps them: it unpacks the input Tensors, runs forward, and, when
a gradient will be needed, links the output Tensor to this Function (`out._ctx`),
which links to its inputs (`parents`). The links point one way only, from an
output to its inputs, so a graph is freed by reference counting alone, with no
help from Python's cycle collector.
"""

from __future__ import annotations


class _Switches:
    """The engine's global switches. Change them only through the context
    managers in `tinygrad_tx.autograd` (`no_grad`, `detect_anomaly`) and
    `Module.__call__` (the module scope)."""

    grad_enabled = True  # False inside `no_grad()`: no graph is built
    detect_anomaly = False  # True inside `detect_anomaly()`: check every result
    scope = None  # the innermost module call running now (for graph drawings)


switches = _Switches()


class Function:
    """Base class of every op. See the module docstring for the protocol.

    Graph state (set by `apply`, read by backward and by the graph drawer):
      parents           the input Tensors, in order
      needs_input_grad  one bool per input: does it need a gradient?
      scope             the module call that created this op (or None)
      released          True once backward freed the saved arrays

    `applies_mask` is True on ops that apply an attention mask (drawn distinctly:
    mask bugs are the classic Transformer bug); an op may set it per call.
    """

    name: str = ""  # the op's name in messages and drawings; defaults to the class name
    applies_mask: bool = False
    released: bool = False

    def forward(self, *arrays, **options):
        raise NotImplementedError

    def backward(self, grad_out):
        raise NotImplementedError

    @classmethod
    def op_name(cls) -> str:
        return cls.name or cls.__name__.lower()

    @classmethod
    def apply(cls, *inputs, **options):
        """Run the op on Tensors and record it in the graph when needed."""
        device = inputs[0].device
        for t in inputs:
            if t.device != device:
                raise RuntimeError(
                    f"{cls.op_name()}: inputs are on different devices "
                    f"({device} and {t.device}); move them with .to({device!r}) "
                    f"or .to({t.device!r})"
                )
        fn = cls()
        try:
            out_data = fn.forward(*[t.data for t in inputs], **options)
        except (ValueError, IndexError) as exc:
            raise _with_op_context(exc, cls.op_name(), inputs) from exc

        needs_input_grad = tuple([t.requires_grad for t in inputs])
        requires_grad = switches.grad_enabled and True in needs_input_grad
        out = tensor.Tensor._from_op(out_data, device, requires_grad)
        if requires_grad:
            fn.parents = inputs
            fn.needs_input_grad = needs_input_grad
            fn.scope = switches.scope
            out._ctx = fn
        if switches.detect_anomaly:
            from .autograd import check_finite

            fn.scope = switches.scope  # also inside no_grad(), for the message
            check_finite(out_data, fn, inputs, "forward output")
        return out

    def release(self):
        """Drop the arrays saved for backward; keep the graph links for drawing."""
        saved = self.__dict__
        graph = {k: saved[k] for k in _GRAPH_STATE if k in saved}
        graph["released"] = True
        self.__dict__ = graph


_GRAPH_STATE = ("parents", "needs_input_grad", "scope", "applies_mask")


def _with_op_context(exc: Exception, op: str, inputs) -> Exception:
    """The same kind of error, its message prefixed with the op and the shapes."""
    shapes = " and ".join(str(t.shape) for t in inputs)
    message = f"{op} on shapes {shapes}: {exc}"
    if str(exc).startswith(f"{op}:"):  # the op already named itself and the shapes
        message = str(exc)
    kind = IndexError if isinstance(exc, IndexError) else ValueError
    return kind(message)


def unbroadcast(grad, shape: tuple[int, ...]):
    """Reduce `grad` to `shape`: the adjoint of broadcasting is summing.

    Broadcasting copies an input along new leading axes and along axes of size 1;
    each copy sent its own gradient back, so backward sums them. For x of shape
    (3, 1) broadcast to (2, 3, 4): sum over axis 0, then over axis 2 keeping it.
    """
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    axes = tuple(range(extra)) + tuple(
        extra + i for i, n in enumerate(shape) if n == 1 and grad.shape[extra + i] != 1
    )
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape)


# Last, because tensor.py imports this module: `tensor.Tensor` is looked up when
# an op runs, by which time both modules are complete.
from . import tensor  # noqa: E402
