"""`python cli.py bench engine`: what the engine costs over hand-written NumPy.

Four measurements, each taken in one run on this machine:

  a) one training step of a 784-256-256-10 MLP (batch 128, forward + backward +
     SGD) with tinygrad_tx and with hand-written NumPy (`reference.NumpyMLP`),
     interleaved step by step: the median of each, and the ratio as the median
     of the per-pair ratios (each engine step over the NumPy step right after
     it, so a burst of load from other programs hits both sides of a pair);
     target <= 1.2;
  b) the dispatch cost of one tiny op (`a + b` on 4 elements), forward alone and
     forward + backward, beside NumPy's own `a + b`;
  c) peak traced memory (tracemalloc) over 200 training steps: flat after step 10;
  d) the objects Python's cycle collector finds after a step (0: the graph is
     freed by reference counting alone) and the step time with gc on and off.
"""

from __future__ import annotations

import gc
import itertools
import os
import statistics
import time
import timeit
import tracemalloc
from dataclasses import dataclass, field

import numpy as np

from .. import Tensor, manual_seed, nn, optim
from .. import functional as F
from ..backend import check_device, synchronize, xp_for
from .reference import NumpyMLP


@dataclass
class EngineBenchConfig:
    sizes: tuple[int, ...] = (784, 256, 256, 10)  # input, hidden..., classes
    batch: int = 128
    lr: float = 0.01
    timed_steps: int = 100  # steps per implementation for (a), interleaved
    memory_steps: int = 200  # steps for (c)
    gc_steps: int = 50  # steps per setting for (d)
    device: str = "cpu"
    seed: int = 0


@dataclass
class EngineBenchResult:
    config: EngineBenchConfig
    engine_ms: float = 0.0  # (a) median step time, tinygrad_tx
    numpy_ms: float = 0.0  # (a) median step time, hand-written NumPy
    engine_best_ms: float = 0.0  # (a) fastest step, tinygrad_tx
    numpy_best_ms: float = 0.0  # (a) fastest step, hand-written NumPy
    ratio: float = 0.0  # (a) median over pairs of engine step / NumPy step
    cpu_ratio: float = 0.0  # (a) the same with CPU time instead of wall-clock time
    loss_gap: float = 0.0  # (a) |loss_engine - loss_numpy| over the first steps
    dispatch_us: dict[str, float] = field(default_factory=dict)  # (b)
    peaks_mb: list[float] = field(default_factory=list)  # (c) peak per step
    collected: int = -1  # (d) objects found by gc.collect() after one step
    gc_on_ms: float = 0.0  # (d) median step time with the cycle collector on
    gc_off_ms: float = 0.0  # (d) ... and off
    gc_ratio: float = 0.0  # (d) median over pairs of steps of on / off

    @property
    def growth_mb(self) -> float:
        """Largest peak after step 10 minus the peak at step 10."""
        return max(self.peaks_mb[10:]) - self.peaks_mb[9]


# ------------------------------------------------------------------ the two MLPs


class _Setup:
    """The data, the tinygrad_tx model and optimizer, and its NumPy twin."""

    def __init__(self, config: EngineBenchConfig):
        manual_seed(config.seed)
        xp = xp_for(config.device)
        rng = np.random.default_rng(config.seed)
        sizes = config.sizes
        x = rng.standard_normal((config.batch, sizes[0])).astype(np.float32)
        y = rng.integers(0, sizes[-1], size=config.batch)
        self.x, self.y = (
            Tensor(x, device=config.device),
            Tensor(y, device=config.device),
        )
        self.x_raw, self.y_raw = xp.asarray(x), xp.asarray(y)
        layers = []
        for n_in, n_out in itertools.pairwise(sizes):
            layers += [nn.Linear(n_in, n_out), nn.ReLU()]
        self.model = nn.Sequential(*layers[:-1]).to(config.device)
        self.optimizer = optim.SGD(self.model.parameters(), lr=config.lr)
        linears = [m for m in self.model if isinstance(m, nn.Linear)]
        self.reference = NumpyMLP(
            [m.weight.data for m in linears], [m.bias.data for m in linears], xp
        )
        self.lr, self.device = config.lr, config.device

    def engine_step(self) -> float:
        """The training step as a user writes it."""
        loss = F.cross_entropy(self.model(self.x), self.y)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return loss.item()

    def numpy_step(self) -> float:
        return self.reference.sgd_step(self.x_raw, self.y_raw, self.lr)


def _timed(step, device: str) -> tuple[float, float]:
    """(wall-clock seconds, CPU seconds of this process) for one call of step.

    CPU time leaves out the time spent waiting while other programs run, so it
    is the steadier of the two on a busy machine (on "cuda" it misses the GPU).
    """
    wall, cpu = time.perf_counter(), time.process_time()
    step()
    synchronize(device)
    return time.perf_counter() - wall, time.process_time() - cpu


def _paired_ratio(tops: list[float], bottoms: list[float]) -> float:
    """The median of top_i / bottom_i over pairs of steps taken one after the
    other, so that a burst of load from other programs hits both of a pair."""
    return statistics.median(t / b for t, b in zip(tops, bottoms))


# ------------------------------------------------------------------ measurements


def measure_step_overhead(config: EngineBenchConfig, result: EngineBenchResult):
    """(a) Interleaved steps of both MLPs; also checks that their losses agree."""
    setup = _Setup(config)
    gap = 0.0
    for _ in range(5):  # warm-up, and both implementations must agree
        gap = max(gap, abs(setup.engine_step() - setup.numpy_step()))
    engine, numpy_ = [], []
    for _ in range(config.timed_steps):
        engine.append(_timed(setup.engine_step, config.device))
        numpy_.append(_timed(setup.numpy_step, config.device))
    (engine_wall, engine_cpu), (numpy_wall, numpy_cpu) = zip(*engine), zip(*numpy_)
    result.engine_ms = 1e3 * statistics.median(engine_wall)
    result.numpy_ms = 1e3 * statistics.median(numpy_wall)
    result.engine_best_ms, result.numpy_best_ms = (
        1e3 * min(engine_wall),
        1e3 * min(numpy_wall),
    )
    result.ratio = _paired_ratio(engine_wall, numpy_wall)
    result.cpu_ratio = _paired_ratio(engine_cpu, numpy_cpu)
    result.loss_gap = gap


def measure_dispatch(config: EngineBenchConfig, result: EngineBenchResult):
    """(b) Microseconds per call of a + b on 4-element tensors and arrays."""
    xp = xp_for(config.device)
    a_raw, b_raw = xp.ones(4, dtype=xp.float32), xp.ones(4, dtype=xp.float32)
    a, b = Tensor(a_raw, device=config.device), Tensor(b_raw, device=config.device)
    a_g = Tensor(a_raw, requires_grad=True, device=config.device)
    b_g = Tensor(b_raw, requires_grad=True, device=config.device)
    seed = xp.ones(4, dtype=xp.float32)

    def forward_backward():
        (a_g + b_g).backward(seed)

    cases = {
        "numpy a + b": lambda: a_raw + b_raw,
        "tinygrad_tx a + b (no graph)": lambda: a + b,
        "tinygrad_tx a + b (graph)": lambda: a_g + b_g,
        "tinygrad_tx a + b, backward": forward_backward,
    }
    for name, fn in cases.items():
        result.dispatch_us[name] = _microseconds(fn, config.device)


def _microseconds(fn, device: str, number: int = 2000, repeat: int = 7) -> float:
    def run():
        for _ in range(number):
            fn()
        synchronize(device)

    times = timeit.repeat(run, number=1, repeat=repeat)
    return 1e6 * statistics.median(times) / number


def measure_memory(config: EngineBenchConfig, result: EngineBenchResult):
    """(c) Peak traced memory of each of `memory_steps` training steps."""
    setup = _Setup(config)
    tracemalloc.start()
    try:
        for _ in range(config.memory_steps):
            tracemalloc.reset_peak()
            setup.engine_step()
            result.peaks_mb.append(tracemalloc.get_traced_memory()[1] / 2**20)
    finally:
        tracemalloc.stop()


def measure_cycles(config: EngineBenchConfig, result: EngineBenchResult):
    """(d) Cycle-collector work per step, and step time with gc on and off."""
    setup = _Setup(config)
    setup.engine_step()
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        setup.engine_step()
        result.collected = gc.collect()  # unreachable objects: 0 means no cycles
        times = {True: [], False: []}
        for i in range(2 * config.gc_steps):
            on = i % 2 == 0
            gc.enable() if on else gc.disable()
            times[on].append(_timed(setup.engine_step, config.device)[0])
    finally:
        gc.enable() if was_enabled else gc.disable()
    result.gc_on_ms = 1e3 * statistics.median(times[True])
    result.gc_off_ms = 1e3 * statistics.median(times[False])
    result.gc_ratio = _paired_ratio(times[True], times[False])


def run_engine_bench(config: EngineBenchConfig) -> EngineBenchResult:
    """All four measurements, in order."""
    config.device = check_device(config.device)
    result = EngineBenchResult(config)
    measure_step_overhead(config, result)
    measure_dispatch(config, result)
    measure_memory(config, result)
    measure_cycles(config, result)
    return result


# ------------------------------------------------------------------ report


def report_lines(r: EngineBenchResult) -> list[str]:
    """The report the CLI prints, one line each."""
    c = r.config
    mlp = "-".join(map(str, c.sizes))
    verdict = "meets" if r.ratio <= 1.2 else "MISSES"
    lines = [
        f"device {c.device}; MLP {mlp}, batch {c.batch}, SGD lr {c.lr}; " + _load(),
        "",
        f"(a) training step, {c.timed_steps} interleaved steps each",
        f"    tinygrad_tx          median {r.engine_ms:7.3f} ms   "
        f"fastest {r.engine_best_ms:7.3f} ms",
        f"    hand-written NumPy   median {r.numpy_ms:7.3f} ms   "
        f"fastest {r.numpy_best_ms:7.3f} ms",
        f"    ratio                {r.ratio:7.3f}   ({verdict} the target <= 1.2; "
        "median of paired steps)",
        f"    ratio in CPU time    {r.cpu_ratio:7.3f}   "
        f"(fastest/fastest {r.engine_best_ms / r.numpy_best_ms:.3f})",
        f"    losses agree within  {r.loss_gap:.2e} over 5 warm-up steps",
        "",
        "(b) dispatch cost of one tiny op (4 elements), microseconds per call",
    ]
    lines += [f"    {name:30s} {us:7.2f} us" for name, us in r.dispatch_us.items()]
    p = r.peaks_mb
    flat = "flat" if r.growth_mb <= 0.01 * p[9] + 0.05 else "GROWING"
    lines += [
        "",
        f"(c) peak traced memory per step over {len(p)} steps (tracemalloc)",
        "    " + ", ".join(f"step {s}: {p[s - 1]:.2f} MB" for s in _marks(len(p))),
        f"    growth after step 10: {r.growth_mb:+.3f} MB ({flat})",
        "",
        "(d) reference cycles",
        f"    gc.collect() after one step finds {r.collected} objects"
        + (" (the graph is freed by reference counting)" if r.collected == 0 else ""),
        f"    step time gc on {r.gc_on_ms:.3f} ms, gc off {r.gc_off_ms:.3f} ms "
        f"(ratio {r.gc_ratio:.3f}, median of paired steps)",
    ]
    return lines


def _load() -> str:
    """The machine's load, which makes timings noisy when above its CPU count."""
    try:
        load = os.getloadavg()[0]
    except OSError:  # not on every platform
        return f"{os.cpu_count()} CPUs"
    threads = os.environ.get("OPENBLAS_NUM_THREADS")
    blas = f", OPENBLAS_NUM_THREADS={threads}" if threads else ""
    return f"load average {load:.1f} on {os.cpu_count()} CPUs{blas}"


def _marks(n: int) -> list[int]:
    return sorted({s for s in (1, 10, 11, 50, 100, 150, 200, n) if 1 <= s <= n})
