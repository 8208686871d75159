"""`python cli.py bench model`: what attention costs, measured in one run.

Two tables, both for forward + backward of scaled dot-product attention with a
causal mask, in float32:

  a) the fused op (one Function, hand-derived backward) beside the composed ops
     (matmul, masked_fill, softmax, matmul; autograd derives the backward) at
     B=32, H=8, D=64 and L = 32, 128, 512: median time, peak memory, ratios;
  b) the fused op at L = 64 ... 1024 (B=4): the L × L weight matrix grows
     fourfold each time L doubles, and so do its memory and, once it dominates,
     the time: the quadratic cost of attention that the slides point out.

Time is the median of interleaved runs after a warm-up run. Memory is the peak
above the inputs while forward and backward run, and what forward keeps for
backward; on the CPU from tracemalloc (which sees NumPy's arrays), on a GPU
from CuPy's memory pool.
"""

from __future__ import annotations

import statistics
import time
import tracemalloc
from dataclasses import dataclass, field

import numpy as np

from tinygrad_tx import Tensor
from tinygrad_tx.backend import check_device, synchronize, xp_for

from ..attention import scaled_dot_product_attention
from ..masks import causal_mask


@dataclass
class ModelBenchConfig:
    batch: int = 32  # (a) B
    heads: int = 8  # H
    d_head: int = 64  # D, the size of each query, key and value
    lengths: tuple[int, ...] = (32, 128, 512)  # (a) sequence lengths
    scaling_batch: int = 4  # (b) B, small enough for L = 1024
    scaling_lengths: tuple[int, ...] = (64, 128, 256, 512, 1024)  # (b)
    repeats: int = 3  # timed runs per measurement (after one warm-up)
    device: str = "cpu"
    seed: int = 0

    @classmethod
    def quick(cls, **overrides) -> ModelBenchConfig:
        """A run of a few seconds: fewer repeats, shorter sequences."""
        defaults = dict(
            lengths=(32, 128), scaling_lengths=(64, 128, 256, 512), repeats=1
        )
        return cls(**{**defaults, **overrides})


@dataclass
class Measurement:
    ms: float  # median time of forward + backward
    peak_mb: float  # peak memory above the inputs during forward + backward
    saved_mb: float  # memory held after forward: what backward needs


@dataclass
class ModelBenchResult:
    config: ModelBenchConfig
    fused: dict[int, Measurement] = field(default_factory=dict)  # (a) by L
    composed: dict[int, Measurement] = field(default_factory=dict)  # (a) by L
    scaling: dict[int, Measurement] = field(default_factory=dict)  # (b) by L


# ------------------------------------------------------------------ one measurement


class _Inputs:
    """Seeded q, k, v, upstream gradient and causal mask of shape (B, H, L, D)."""

    def __init__(self, batch, heads, length, d_head, device, seed):
        rng = np.random.default_rng(seed)
        shape = (batch, heads, length, d_head)
        xp = xp_for(device)
        self.arrays = [
            xp.asarray(rng.standard_normal(shape, dtype=np.float32)) for _ in range(4)
        ]
        self.mask = causal_mask(length, device)
        self.device = device

    def run(self, fused: bool, after_forward=None) -> None:
        """Forward and backward once; `after_forward()` is called in between."""
        q, k, v = (
            Tensor(a, requires_grad=True, device=self.device) for a in self.arrays[:3]
        )
        out, _ = scaled_dot_product_attention(q, k, v, self.mask, fused=fused)
        if after_forward is not None:
            after_forward()
        out.backward(self.arrays[3])
        synchronize(self.device)


def _time_ms(inputs: _Inputs, fused: bool) -> float:
    start = time.perf_counter()
    inputs.run(fused)
    return 1e3 * (time.perf_counter() - start)


def _memory_mb(inputs: _Inputs, fused: bool) -> tuple[float, float]:
    """(peak during forward + backward, held after forward), in MiB."""
    if inputs.device == "cuda":
        return _gpu_memory_mb(inputs, fused)
    held = []
    tracemalloc.start()
    try:
        inputs.run(fused, lambda: held.append(tracemalloc.get_traced_memory()[0]))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak / 2**20, held[0] / 2**20


def _gpu_memory_mb(inputs: _Inputs, fused: bool) -> tuple[float, float]:
    """CuPy's pool grows to the peak and keeps it: its size after a run from an
    emptied pool is the peak (rounded up to CuPy's blocks)."""
    pool = xp_for("cuda").get_default_memory_pool()
    pool.free_all_blocks()
    base = pool.used_bytes()
    held = []
    inputs.run(fused, lambda: held.append(pool.used_bytes() - base))
    return (pool.total_bytes() - base) / 2**20, held[0] / 2**20


def measure(config: ModelBenchConfig, length: int, batch: int, paths) -> dict:
    """{fused: Measurement} for each path in `paths` at one length, the paths'
    timed runs interleaved so that both see the same machine load."""
    c = config
    inputs = _Inputs(batch, c.heads, length, c.d_head, c.device, c.seed)
    # The first run of each path measures memory (tracemalloc would slow the
    # timed runs) and warms up: first-touch page faults, BLAS threads.
    memory = {fused: _memory_mb(inputs, fused) for fused in paths}
    times = {fused: [] for fused in paths}
    for _ in range(c.repeats):
        for fused in paths:
            times[fused].append(_time_ms(inputs, fused))
    return {
        fused: Measurement(statistics.median(times[fused]), *memory[fused])
        for fused in paths
    }


# ------------------------------------------------------------------ the two tables


def run_model_bench(config: ModelBenchConfig, echo=None) -> ModelBenchResult:
    """Measure (a) and (b); `echo(line)` reports progress as rows finish."""
    config.device = check_device(config.device)
    result = ModelBenchResult(config)
    for length in config.lengths:
        both = measure(config, length, config.batch, (True, False))
        result.fused[length], result.composed[length] = both[True], both[False]
        if echo:
            echo(f"  measured (a) L = {length}")
    for length in config.scaling_lengths:
        result.scaling[length] = measure(config, length, config.scaling_batch, (True,))[
            True
        ]
        if echo:
            echo(f"  measured (b) L = {length}")
    return result


# ------------------------------------------------------------------ report


def report_lines(r: ModelBenchResult) -> list[str]:
    """The two tables the CLI prints, one line each."""
    c = r.config
    setup = f"causal mask, float32, device {c.device}, median of {_runs(c.repeats)}"
    lines = [
        "(a) attention forward + backward: fused op against composed ops",
        f"    B={c.batch} H={c.heads} D={c.d_head}, {setup}",
        "    peak = most memory in use above the inputs; kept = held after forward",
        "",
        "           time (ms)                   peak memory (MB)       kept for backward (MB)",
        "       L    fused  composed  speed-up     fused  composed  ratio     fused  composed",
    ]
    for length in c.lengths:
        f, m = r.fused[length], r.composed[length]
        lines.append(
            f"    {length:4d}  {f.ms:7.1f}  {m.ms:8.1f}  {m.ms / f.ms:7.2f}x"
            f"  {f.peak_mb:8.1f}  {m.peak_mb:8.1f}  {m.peak_mb / f.peak_mb:4.2f}x"
            f"  {f.saved_mb:8.1f}  {m.saved_mb:8.1f}"
        )
    slower = [
        length for length in c.lengths if r.fused[length].ms > r.composed[length].ms
    ]
    verdict = (
        "the fused op is faster at every L"
        if not slower
        else f"the fused op is SLOWER at L = {', '.join(map(str, slower))}"
    )
    lines += [f"    {verdict}", ""]
    return lines + _scaling_lines(r)


def _scaling_lines(r: ModelBenchResult) -> list[str]:
    c = r.config
    lines = [
        "(b) how attention grows with the sequence length L (fused op)",
        f"    B={c.scaling_batch} H={c.heads} D={c.d_head}, causal mask, float32, "
        f"device {c.device}, median of {_runs(c.repeats)}",
        "    weights MB = the B x H x L x L attention matrix in float32",
        "",
        "       L   L x L entries  weights MB   time ms  x time   peak MB  x peak",
    ]
    previous = None
    for length, m in r.scaling.items():
        weights_mb = c.scaling_batch * c.heads * length**2 * 4 / 2**20
        x_time = x_peak = ""
        if previous is not None:
            x_time = f"{m.ms / previous.ms:5.2f}x"
            x_peak = f"{m.peak_mb / previous.peak_mb:5.2f}x"
        lines.append(
            f"    {length:4d}  {length * length:13,d}  {weights_mb:10.1f}  {m.ms:8.1f}"
            f"  {x_time:>6s}  {m.peak_mb:8.1f}  {x_peak:>6s}"
        )
        previous = m
    lines += _growth_summary(r)
    return lines


def _growth_summary(r: ModelBenchResult) -> list[str]:
    """What the last doubling of L cost, and why small L grows more slowly."""
    lengths = list(r.scaling)
    if len(lengths) < 2:
        return []
    short, long = lengths[-2], lengths[-1]
    before, after = r.scaling[short], r.scaling[long]
    d = r.config.d_head
    return [
        f"    L {short} -> {long}: time x{after.ms / before.ms:.2f}, peak memory "
        f"x{after.peak_mb / before.peak_mb:.2f} (quadratic growth is x4, linear x2).",
        "    At small L the (L x D) arrays (q, k, v, out, their gradients) weigh as",
        f"    much as the L x L matrix (L = D = {d}); at L = {long} the matrix is "
        f"{long // d}x each of them,",
        "    so the growth tends to x4.",
    ]


def _runs(n: int) -> str:
    return f"{n} run" if n == 1 else f"{n} runs"
