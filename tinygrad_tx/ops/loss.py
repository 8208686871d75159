"""Cross-entropy loss from logits, one op with a hand-derived backward.

The same loss from primitive ops (log_softmax, getitem, mean) is in
`tinygrad_tx.composed.cross_entropy`; the tests check that both agree.
"""

from __future__ import annotations

from ..arguments import check_in_range
from ..backend import get_array_module
from ..function import Function


class CrossEntropy(Function):
    """Loss between logits (..., C) and integer targets (...), with p = softmax(logits):

        loss_n = -Σ_c q_c log p_c,    q = (1 - ε) onehot(target_n) + ε / C

    ε is the label smoothing (ε = 0: q is the one-hot target and loss_n is
    -log p[target]). Positions whose target equals `ignore_index` (padding) add
    nothing. reduction "mean" averages over the other positions (and gives 0 when
    there are none), "sum" adds them, "none" returns one loss per position.

    With z = logits - max(logits) per row (softmax is shift-invariant) and
    lse = log Σ_c exp(z_c), log p_c = z_c - lse, so

        loss_n = -(1 - ε)(z_target - lse) - (ε / C)(Σ_c z_c - C lse)

    needs only z at the target and z's row sum: log p itself is never stored.

    Derivative: dloss_n/dlogits = p - q, the predicted minus the target
    distribution, so backward needs only p (saved) and the targets.
    """

    name = "cross_entropy"

    def forward(
        self,
        logits,
        target=None,
        ignore_index=None,
        label_smoothing=0.0,
        reduction="mean",
    ):
        xp = get_array_module(logits)
        _check_target(logits, target, ignore_index)
        n_classes = logits.shape[-1]
        z = logits.reshape(-1, n_classes)  # (N, C), N = number of positions
        z = z - z.max(axis=-1, keepdims=True)  # a new array: ours to overwrite
        labels = target.reshape(-1)  # (N,)
        valid = None if ignore_index is None else labels != ignore_index
        if valid is not None:
            labels = xp.where(valid, labels, 0)  # any real class; masked below
        eps = label_smoothing
        z_target = z[xp.arange(z.shape[0]), labels]  # (N,)
        z_sum = xp.einsum("nc->n", z) if eps else None
        p = xp.exp(z, out=z)  # unnormalised; z is gone from here on
        total = xp.einsum("nc->n", p)  # (N,)
        lse = xp.log(total)
        p *= (1 / total)[:, None]  # softmax
        losses = (lse - z_target) * (1 - eps)  # (N,)
        if eps:
            losses -= (eps / n_classes) * (z_sum - n_classes * lse)
        if valid is not None:
            losses *= valid
        self.p, self.labels, self.valid = p, labels, valid
        self.eps, self.reduction, self.logits_shape = eps, reduction, logits.shape
        self.count = _counted(valid, labels.size, logits.dtype, xp)
        if reduction == "none":
            return losses.reshape(target.shape)
        total = losses.sum()
        if reduction == "sum":
            return total
        return total / self.count

    def backward(self, grad_out):
        xp = get_array_module(grad_out)
        n_rows, n_classes = self.p.shape
        # One multiplier per row: the upstream gradient, 1/count for the mean,
        # and 0 on ignored rows. Then grad = (p - q) · row_scale.
        if self.reduction == "none":
            row_scale = grad_out.reshape(-1)  # (N,): one upstream value per row
        elif self.reduction == "sum":
            row_scale = xp.broadcast_to(grad_out, (n_rows,))
        else:
            row_scale = xp.broadcast_to(grad_out / self.count, (n_rows,))
        if self.valid is not None:
            row_scale = row_scale * self.valid
        row_scale = row_scale.astype(self.p.dtype, copy=False)
        grad = self.p * row_scale[:, None]  # p
        grad[xp.arange(n_rows), self.labels] -= (1 - self.eps) * row_scale
        if self.eps:
            grad -= (self.eps / n_classes) * row_scale[:, None]  # p - q
        return grad.reshape(self.logits_shape)


def _counted(valid, n_rows: int, dtype, xp):
    """The mean's divisor: the positions counted, at least 1 (all padding gives
    0, not 0/0), as a 0-d array: it stays on the device (no copy to the host)."""
    count = valid.sum() if valid is not None else xp.asarray(n_rows)
    return xp.maximum(count, 1).astype(dtype)


def _check_target(logits, target, ignore_index) -> None:
    if target.dtype.kind not in "iu":
        raise TypeError(
            f"cross_entropy: targets must be integer class ids, got dtype {target.dtype}"
        )
    if target.shape != logits.shape[:-1]:
        raise ValueError(
            f"cross_entropy: logits {logits.shape} need targets of shape "
            f"{logits.shape[:-1]} (one class id per row), got {target.shape}"
        )
    n_classes = logits.shape[-1]
    check_in_range(
        "cross_entropy", target, 0, n_classes - 1, "target class",
        f"{n_classes} classes", ignore=ignore_index,
    )  # fmt: skip
