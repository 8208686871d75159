"""Multi-head attention as one op: the heads' split, attention and merge.

Multi-head attention composed from primitive ops reshapes each projection
(B, L, H·D) into heads, transposes to (B, H, L, D), attends, transposes back
and reshapes to (B, L, H·D) (`tinygrad_tx.composed.multi_head_attention`).
Here the reshapes and transposes are views, never copies, and the projections
of one input arrive as one array: self-attention computes x [W_q; W_k; W_v]ᵀ,
one (B, L, 3·H·D) product, instead of three. Call it as
`tinygrad_tx.functional.multi_head_attention`.
"""

from __future__ import annotations

from ..backend import get_array_module
from ..function import Function
from .attention import attend, attend_backward


class HeadsAttention(Function):
    """O = Concat(head_1, ..., head_H),  head_h = Attention(Q_h, K_h, V_h),

    with Q_h the h-th block of D columns of Q (B, Lq, H·D), and so for K, V.
    Each head is the `Attention` op's computation (its formulas, forward and
    backward, and its saved arrays: one (Lq, Lk) matrix per head); this op
    only adds the bookkeeping of where Q, K, V and their gradients lie:

      - a block of a source, (B, L, H·D) -> (B, L, H, D) -> (B, H, L, D), is a
        view (the heads' rows are H·D or n·H·D floats apart, which BLAS takes
        as a leading dimension);
      - head h's output is written straight into columns h·D .. (h+1)·D of the
        (B, Lq, H·D) result, so merging the heads copies nothing;
      - backward writes dQ, dK, dV into the blocks of each source's gradient.

    `mask` broadcasts to (B, H, Lq, Lk); `keep` (B, H, Lq, Lk) is attention
    dropout, as in `Attention`.
    """

    name = "multi_head_attention"

    def forward(self, *sources, slots=(), n_heads=1, mask=None, keep=None,
                dropout_p=0.0, weights_to=None):  # fmt: skip
        xp = get_array_module(sources[0])
        self.d_model = check_sources(sources, slots, n_heads)
        self.slots, self.n_heads = slots, n_heads
        self.shapes = [s.shape for s in sources]
        q, k, v = (self._heads(sources[i], block) for i, block in slots)
        batch, len_q = q.shape[0], q.shape[2]
        out = xp.empty((batch, len_q, n_heads, v.shape[-1]), dtype=q.dtype)
        self.applies_mask = mask is not None
        attend(self, q, k, v, mask, keep, dropout_p, out=out.transpose(0, 2, 1, 3))
        if weights_to is not None:
            weights_to.append(self.p)  # P (B, H, Lq, Lk)
        return out.reshape(batch, len_q, self.d_model)  # a view: no copy

    def backward(self, grad_out):
        xp = get_array_module(grad_out)
        g = self._heads(grad_out, 0)  # (B, H, Lq, D)
        grads = [
            xp.empty(shape, dtype=grad_out.dtype) if needed else None
            for shape, needed in zip(self.shapes, self.needs_input_grad)
        ]
        into = [
            self._heads(grads[i], block) if grads[i] is not None else None
            for i, block in self.slots
        ]
        attend_backward(self, g, [t is not None for t in into], into)
        return tuple(grads)

    def _heads(self, array, block: int):
        """Block `block` of `array` (B, L, n·H·D) as heads (B, H, L, D): a view."""
        batch, length, _ = array.shape
        columns = array[..., block * self.d_model : (block + 1) * self.d_model]
        head_dim = (
            self.d_model // self.n_heads
        )  # explicit: -1 cannot be inferred when B or L is 0
        heads = columns.reshape(batch, length, self.n_heads, head_dim)  # (B, L, H, D)
        return heads.transpose(0, 2, 1, 3)  # (B, H, L, D)


def check_sources(sources, slots, n_heads: int) -> int:
    """H·D, after checking that the sources hold Q, K and V as `slots` says."""
    shapes = ", ".join(str(s.shape) for s in sources)
    where = f"multi_head_attention on {shapes}"
    if len(slots) != 3 or any(not 0 <= i < len(sources) for i, _ in slots):
        raise ValueError(f"{where}: slots must place Q, K and V, got {slots}")
    d_model = sources[slots[0][0]].shape[-1] // sum(i == slots[0][0] for i, _ in slots)
    for index, source in enumerate(sources):
        blocks = sum(i == index for i, _ in slots)
        if source.ndim != 3 or source.shape[-1] != blocks * d_model:
            raise ValueError(
                f"{where}: source {index} should be (B, L, {blocks} x {d_model}) "
                f"for its {blocks} of Q, K, V"
            )
    if len({s.shape[0] for s in sources}) != 1:
        raise ValueError(f"{where}: the batch sizes differ")
    if sources[slots[1][0]].shape[1] != sources[slots[2][0]].shape[1]:
        raise ValueError(f"{where}: each key needs one value (lengths differ)")
    if any(s.shape[1] == 0 for s in sources):
        raise ValueError(f"{where}: a sequence of length 0 has nothing to attend to")
    if d_model % n_heads:
        raise ValueError(
            f"{where}: {d_model} features do not split into {n_heads} heads"
        )
    return d_model
