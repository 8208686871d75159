"""Cross-entropy loss from logits, one op with a hand-derived backward.

The same loss from primitive ops (log_softmax, getitem, mean) is in
`tinygrad_tx.composed.cross_entropy`; the tests check that both agree.
"""

from __future__ import annotations

from ..backend import get_array_module
from ..function import Function


class CrossEntropy(Function):
    """Loss between logits (..., C) and integer targets (...), with p = softmax(logits):

        loss_n = -Σ_c q_c log p_c,    q = (1 - ε) onehot(target_n) + ε / C

    ε is the label smoothing (ε = 0: q is the one-hot target and loss_n is
    -log p[target]). Positions whose target equals `ignore_index` (padding) add
    nothing. reduction "mean" averages over the other positions (and gives 0 when
    there are none), "sum" adds them, "none" returns one loss per position.

    Derivative: dloss_n/dlogits = p - q, the predicted minus the target
    distribution, so backward needs only log p (saved) and the targets.
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
        # log p = logits - max - log Σ exp(logits - max)   (stable log-softmax)
        log_p = logits - logits.max(axis=-1, keepdims=True)
        log_p -= xp.log(xp.exp(log_p).sum(axis=-1, keepdims=True))
        rows = log_p.reshape(-1, n_classes)  # (N, C), N = number of positions
        labels = target.reshape(-1)  # (N,)
        valid = None if ignore_index is None else labels != ignore_index
        if valid is not None:
            labels = xp.where(valid, labels, 0)  # any real class; masked below
        eps = label_smoothing
        losses = rows[xp.arange(rows.shape[0]), labels] * -(1 - eps)  # (N,)
        if eps:
            losses -= (eps / n_classes) * rows.sum(axis=-1)
        if valid is not None:
            losses *= valid
        self.log_p, self.labels, self.valid = log_p, labels, valid
        self.eps, self.reduction = eps, reduction
        self.count = int(valid.sum()) if valid is not None else labels.size
        if reduction == "none":
            return losses.reshape(target.shape)
        total = losses.sum()
        if reduction == "sum":
            return total
        return total / max(self.count, 1)

    def backward(self, grad_out):
        xp = get_array_module(grad_out)
        n_classes = self.log_p.shape[-1]
        grad = xp.exp(self.log_p)  # p
        rows = grad.reshape(-1, n_classes)  # a view: writes go into grad
        rows[xp.arange(rows.shape[0]), self.labels] -= 1 - self.eps
        if self.eps:
            grad -= self.eps / n_classes  # p - q
        if self.reduction == "none":
            scale = grad_out.reshape(-1, 1)  # (N, 1): one upstream value per row
        elif self.reduction == "sum":
            scale = grad_out
        else:
            scale = grad_out / max(self.count, 1)
        if self.valid is not None:
            scale = scale * self.valid[:, None]  # (N, 1)
        rows *= scale
        return grad


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
    checked = target[target != ignore_index] if ignore_index is not None else target
    if checked.size and (int(checked.min()) < 0 or int(checked.max()) >= n_classes):
        bad = (
            int(checked.max())
            if int(checked.max()) >= n_classes
            else int(checked.min())
        )
        raise IndexError(
            f"cross_entropy: target class {bad} is out of range for {n_classes} classes "
            f"(valid ids 0..{n_classes - 1}{_ignored(ignore_index)})"
        )


def _ignored(ignore_index) -> str:
    return f", or {ignore_index} to ignore" if ignore_index is not None else ""
