"""Cross-entropy with label smoothing: write its forward and its backward.

Lesson 14 (training). The translator is trained to put probability on the next
token of the reference. The paper smooths the targets (ε = 0.1): the model is
asked for 1 - ε on the right token and ε spread over all tokens, which hurts
perplexity a little but improves BLEU.

Task
----
1. `smoothed_targets(target, n_classes, label_smoothing)`: the target
   distribution q, an array (N, C).
2. `CrossEntropy.forward(logits, target, label_smoothing)`: the mean over the N
   rows of -Σ_c q_c log p_c, with p = softmax(logits); save what backward needs.
3. `CrossEntropy.backward(grad_out)`: dL/dlogits.

The math
--------
    q_c = (1 - ε) [c = target] + ε / C          (each row of q sums to 1)
    log p_c = z_c - max(z) - log Σ_k e^(z_k - max(z))    (z = the row's logits)
    L = (1/N) Σ_n  -Σ_c q_nc log p_nc

The derivative of one row's loss by its logits is the famous p - q (predicted
minus target distribution), so

    dL/dlogits = grad_out * (p - q) / N

With ε = 0, q is one-hot and L is the usual -log p[target].

Hints
-----
- `xp.arange(N)` and `target` index one element per row: q[xp.arange(N), target].
- Compute log p with the max subtracted: logits of 1000 must give a finite loss.
- forward returns a 0-d array (a scalar loss); grad_out is then a 0-d array too.

Check your work: python cli.py exercise check cross_entropy_label_smoothing
"""

from tinygrad_tx.backend import get_array_module
from tinygrad_tx.function import Function


def smoothed_targets(target, n_classes, label_smoothing):
    """q (N, C): 1 - ε + ε/C on each row's target class, ε/C elsewhere."""
    xp = get_array_module(target)
    # Build q: fill it with ε / C, then add 1 - ε at (row n, column target[n]).
    ### BEGIN SOLUTION
    eps = label_smoothing
    q = xp.full((target.shape[0], n_classes), eps / n_classes)
    q[xp.arange(target.shape[0]), target] += 1 - eps
    return q
    ### END SOLUTION


class CrossEntropy(Function):
    """Mean cross-entropy between logits (N, C) and class ids target (N,)."""

    name = "cross_entropy"

    def forward(self, logits, target, label_smoothing=0.0):
        xp = get_array_module(logits)
        # Return the mean loss (a 0-d array); save p and q on self for backward.
        ### BEGIN SOLUTION
        shifted = logits - logits.max(axis=-1, keepdims=True)
        log_p = shifted - xp.log(xp.exp(shifted).sum(axis=-1, keepdims=True))
        q = smoothed_targets(target, logits.shape[-1], label_smoothing)
        self.p, self.q = xp.exp(log_p), q.astype(logits.dtype)
        return xp.asarray(-(q * log_p).sum() / logits.shape[0], dtype=logits.dtype)
        ### END SOLUTION

    def backward(self, grad_out):
        # Return dL/dlogits = grad_out * (p - q) / N.
        ### BEGIN SOLUTION
        return grad_out * (self.p - self.q) / self.p.shape[0]
        ### END SOLUTION


def cross_entropy(logits, target, label_smoothing=0.0):
    """The mean loss of a Tensor of logits (N, C) and an integer array target (N,)."""
    return CrossEntropy.apply(logits, target=target, label_smoothing=label_smoothing)
