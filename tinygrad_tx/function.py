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

A Function also notes when it ran, as the engine's count of in-place changes
(`switches.changes`; see `Tensor.data`): an input changed in place after that
would make backward compute with the new values, so backward stops instead.
"""

from __future__ import annotations

from .autograd import switches
from .backend import get_array_module


class Function:
    """Base class of every op. See the module docstring for the protocol.

    Graph state (set by `apply`, read by backward and by the graph drawer):
      parents           the input Tensors, in order
      needs_input_grad  one bool per input: does it need a gradient?
      changes           the count of in-place changes when forward ran
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
                raise _devices_differ(cls.op_name(), device, t.device)
        fn = cls()
        try:
            out_data = fn.forward(*[t._data for t in inputs], **options)
        except (ValueError, IndexError) as exc:
            raise _with_op_context(exc, cls.op_name(), inputs) from exc

        needs_input_grad = tuple([t.requires_grad for t in inputs])
        requires_grad = switches.grad_enabled and True in needs_input_grad
        # The output is a Tensor like the inputs (made through them, so that this
        # module need not import tensor.py, which imports the ops).
        out = inputs[0]._from_op(out_data, device, requires_grad)
        if requires_grad:
            fn._record(inputs, needs_input_grad)
            out._ctx = fn
        if switches.detect_anomaly:
            fn.scope = switches.scope  # also inside no_grad(), for the message
            fn.check_finite(out_data, inputs, "forward output")
        return out

    def _record(self, inputs, needs_input_grad) -> None:
        """Link this op to its inputs (the graph), noting when it ran."""
        for t in inputs:
            if t._lent is not None:  # `.data` handed its array out: written?
                t._count_lent_write()
        self.parents = inputs
        self.needs_input_grad = needs_input_grad
        self.changes = switches.changes
        self.scope = switches.scope

    def check_inputs_unchanged(self) -> None:
        """Raise if an input changed in place after forward used it."""
        for i, t in enumerate(self.parents):
            if t._lent is not None:
                t._count_lent_write()
            if t._version > self.changes:  # changed after this op ran
                what = f"'{t.name}'" if t.name else f"input {i}"
                op = self.op_name()
                raise RuntimeError(
                    f"backward: {op}'s {what} of shape {t.shape} was changed in "
                    f"place after {op} used it, so its gradient would be computed "
                    "from the new values; change a copy instead, or run the "
                    "forward pass again after the change"
                )

    def check_finite(self, array, inputs, what: str) -> None:
        """Raise FloatingPointError if `array` holds NaN or inf (anomaly mode)."""
        if array is None or array.dtype.kind != "f":
            return
        xp = get_array_module(array)
        if bool(xp.isfinite(array).all()):
            return
        kind = "NaN" if bool(xp.isnan(array).any()) else "inf"
        scope = getattr(self, "scope", None)
        where = "outside any module"
        if scope is not None:
            kind_of = (
                f" ({scope.module_type})" if scope.path != scope.module_type else ""
            )
            where = f"in module {scope.path}{kind_of}"
        shapes = ", ".join(str(t.shape) for t in inputs)
        raise FloatingPointError(
            f"detect_anomaly: {self.op_name()} {where} produced {kind} in its "
            f"{what} of shape {array.shape}; its inputs have shapes {shapes}"
        )

    def release(self):
        """Drop the arrays saved for backward; keep the graph links for drawing."""
        saved = self.__dict__
        graph = {k: saved[k] for k in _GRAPH_STATE if k in saved}
        graph["released"] = True
        self.__dict__ = graph


_GRAPH_STATE = ("parents", "needs_input_grad", "scope", "applies_mask")


def _devices_differ(op: str, device: str, other: str) -> RuntimeError:
    """The error for an op whose inputs are on two devices."""
    return RuntimeError(
        f"{op}: inputs are on different devices ({device} and {other}); "
        f"move them with .to({device!r}) or .to({other!r})"
    )


def _with_op_context(exc: Exception, op: str, inputs) -> Exception:
    """The same kind of error, its message prefixed with the op and the shapes,
    and ending with the module the op ran in (if any)."""
    shapes = " and ".join(str(t.shape) for t in inputs)
    message = f"{op} on shapes {shapes}: {exc}"
    if str(exc).startswith(f"{op}:"):  # the op already named itself and the shapes
        message = str(exc)
    if switches.scope is not None:
        message += f", in module {switches.scope.path}"
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
