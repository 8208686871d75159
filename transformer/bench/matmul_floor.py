"""The matmul floor of a training step: its matrix products alone, timed.

An engine on NumPy runs every matrix product through BLAS and everything else
(softmax, layer norm, dropout, Adam, Python) around it. The products of one
step at their real shapes, timed back to back, are the least time any NumPy
engine can take for that step: the benchmark prints it, and how close the step
comes to it.

For a Linear layer y = x Wᵀ + b on N rows (x: N × n_in, W: n_out × n_in):

    forward   x Wᵀ            (N, n_in) @ (n_in, n_out)
    backward  dx = dy W        (N, n_out) @ (n_out, n_in)
              dW = dyᵀ x       (n_out, N) @ (N, n_in)

For attention, per batch element and head (Q: Lq × D, K and V: Lk × D):

    forward   S = Q Kᵀ,  O = P V
    backward  dV = Pᵀ dO,  dP = dO Vᵀ,  dQ = dS K,  dK = dSᵀ Q
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

import numpy as np

from tinygrad_tx.backend import synchronize, xp_for

from ..config import TransformerConfig


@dataclass(frozen=True)
class Product:
    """One matmul: (batch..., m, k) @ (batch..., k, n); `transposed` marks an
    operand used as the transpose of a stored array (as BLAS is called)."""

    batch: tuple[int, ...]
    m: int
    k: int
    n: int
    a_transposed: bool = False
    b_transposed: bool = False

    @property
    def flops(self) -> int:
        count = 1
        for size in self.batch:
            count *= size
        return 2 * count * self.m * self.k * self.n


def _linear(rows: int, n_in: int, n_out: int) -> list[Product]:
    return [
        Product((), rows, n_in, n_out, b_transposed=True),  # x Wᵀ
        Product((), rows, n_out, n_in),  # dx = dy W
        Product((), n_out, rows, n_in, a_transposed=True),  # dW = dyᵀ x
    ]


def _attention(batch: int, heads: int, len_q: int, len_k: int, d: int):
    bh = (batch, heads)
    return [
        Product(bh, len_q, d, len_k, b_transposed=True),  # S = Q Kᵀ
        Product(bh, len_q, len_k, d),  # O = P V
        Product(bh, len_k, len_q, d, a_transposed=True),  # dV = Pᵀ dO
        Product(bh, len_q, d, len_k, b_transposed=True),  # dP = dO Vᵀ
        Product(bh, len_q, len_k, d),  # dQ = dS K
        Product(bh, len_k, len_q, d, a_transposed=True),  # dK = dSᵀ Q
    ]


def step_products(c: TransformerConfig, batch: int, src_len: int, tgt_len: int):
    """Every matmul of one training step (forward and backward) of the
    encoder-decoder Transformer with config `c`."""
    d, h = c.d_model, c.n_heads
    rows_s, rows_t = batch * src_len, batch * tgt_len
    products = []
    for _ in range(c.n_layers):  # encoder layer: self-attention, FFN
        products += 4 * _linear(rows_s, d, d)
        products += _attention(batch, h, src_len, src_len, d // h)
        products += _linear(rows_s, d, c.d_ff) + _linear(rows_s, c.d_ff, d)
    for _ in range(c.n_layers):  # decoder layer: self, cross, FFN
        products += 4 * _linear(rows_t, d, d)
        products += _attention(batch, h, tgt_len, tgt_len, d // h)
        products += 2 * _linear(rows_t, d, d) + 2 * _linear(rows_s, d, d)
        products += _attention(batch, h, tgt_len, src_len, d // h)
        products += _linear(rows_t, d, c.d_ff) + _linear(rows_t, c.d_ff, d)
    products += _linear(rows_t, d, c.tgt_vocab)  # output projection
    return products


def _operands(p: Product, xp, rng):
    """Random float32 operands laid out as the engine holds them."""

    def matrix(rows, cols, transposed):
        shape = (*p.batch, cols, rows) if transposed else (*p.batch, rows, cols)
        array = xp.asarray(rng.standard_normal(shape, dtype=np.float32))
        return array.swapaxes(-1, -2) if transposed else array

    return (
        matrix(p.m, p.k, p.a_transposed),
        matrix(p.k, p.n, p.b_transposed),
    )


def time_products(products, device: str, repeats: int = 5) -> float:
    """Median milliseconds to run all `products` once, after a warm-up run."""

    xp = xp_for(device)
    rng = np.random.default_rng(0)
    pairs = [_operands(p, xp, rng) for p in products]
    times = []
    for _ in range(repeats + 1):
        start = time.perf_counter()
        for a, b in pairs:
            a @ b
        synchronize(device)
        times.append(1e3 * (time.perf_counter() - start))
    return statistics.median(times[1:])
