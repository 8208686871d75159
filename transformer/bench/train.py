"""`python cli.py bench train`: training steps of the Transformer, ours beside PyTorch's.

One training step is forward, label-smoothed cross-entropy (padding ignored),
backward and one Adam step (β = 0.9, 0.98, eps 1e-9), as in transformer/train.py.
The benchmark prints, for the encoder-decoder Transformer of a named size:

  - the median milliseconds per step, tokens per second (source and target
    positions) and the peak memory of a step;
  - when PyTorch is installed: the same figures for `transformer.torch_twin`,
    the same model in PyTorch with our weights copied over, fed the same
    batches in the same process, blocks of its steps taking turns with blocks
    of ours (so slow changes of the machine's load hit both); the ratios ours
    / PyTorch; and the loss and gradients of the first batch on both sides
    (dropout off for that check), which must agree within 1e-4: a correctness
    check for free;
  - the matmul floor: the step's matrix products alone, at their real shapes,
    in NumPy (`matmul_floor.py`), and how close each step comes to it.

Peak memory is what the step holds at its highest: the arrays held between
steps (parameters, gradients, Adam's moments) plus the most allocated during
the step above that. Ours: tracemalloc, which sees NumPy's arrays; PyTorch's:
its profiler's memory timeline. On a GPU: CuPy's memory pool and
torch.cuda.max_memory_allocated.
"""

from __future__ import annotations

import os
import platform
import statistics
import time
import tracemalloc
from dataclasses import dataclass, field

import numpy as np

import tinygrad_tx
from tinygrad_tx import Tensor, optim
from tinygrad_tx import functional as F
from tinygrad_tx.backend import check_device, synchronize, to_numpy, xp_for
from tinygrad_tx.bench.memory import keep_freed_memory

from ..config import TransformerConfig
from ..masks import make_masks
from ..model import Transformer
from . import matmul_floor

PAD_ID = 0  # padding; ids 1-3 are the other specials, words start at 4
LABEL_SMOOTHING = 0.1

# The sizes measured (vocabulary, model, batch of B sentences of L tokens).
SIZES: dict[str, dict] = {
    "tiny": dict(vocab=50, d_model=32, n_heads=4, n_layers=1, d_ff=64, batch=4, length=6),
    "toy": dict(vocab=300, d_model=128, n_heads=4, n_layers=2, d_ff=512, batch=64, length=16),
    "small": dict(vocab=1000, d_model=256, n_heads=8, n_layers=3, d_ff=1024, batch=32, length=32),
    "base": dict(vocab=37000, d_model=512, n_heads=8, n_layers=6, d_ff=2048, batch=8, length=64),
}  # fmt: skip


@dataclass
class TrainBenchConfig:
    size: str = "toy"  # a key of SIZES
    device: str = "cpu"
    threads: int | None = None  # BLAS and PyTorch threads; None: as they are
    dropout: float = 0.1
    steps: int = 20  # timed steps per side, in blocks taking turns
    warmup: int = 3  # untimed steps per side first
    batches: int = 4  # distinct batches, cycled
    seed: int = 0
    compare_torch: bool = True  # also run PyTorch when it is installed
    keep_freed_memory: bool = True  # bench.memory: fewer page faults, both sides

    def model_config(self) -> TransformerConfig:
        s = SIZES[self.size]
        return TransformerConfig(
            src_vocab=s["vocab"], tgt_vocab=s["vocab"], d_model=s["d_model"],
            n_heads=s["n_heads"], n_layers=s["n_layers"], d_ff=s["d_ff"],
            dropout=self.dropout, max_len=max(64, s["length"]),
            share_embeddings=self.size == "base",
        )  # fmt: skip


@dataclass
class Side:
    """The figures of one implementation."""

    name: str
    times_ms: list[float] = field(default_factory=list)
    blocks: list[float] = field(default_factory=list)  # median of each timed block
    peak_mb: float | None = None
    first_loss: float = 0.0

    @property
    def median_ms(self) -> float:
        return statistics.median(self.times_ms)


@dataclass
class TrainBenchResult:
    config: TrainBenchConfig
    ours: Side
    torch: Side | None = None
    torch_note: str = ""  # why PyTorch did not run, when it did not
    grad_gap: float = 0.0  # largest |grad ours - grad PyTorch| / largest |grad|
    floor_ms: float = 0.0
    floor_gflop: float = 0.0
    load_before: tuple = ()
    load_after: tuple = ()
    versions: str = ""
    threads_note: str = ""
    memory_note: str = ""

    @property
    def tokens_per_step(self) -> int:
        s = SIZES[self.config.size]
        return s["batch"] * 2 * s["length"]


# ------------------------------------------------------------------ batches


def make_batches(config: TrainBenchConfig) -> list[tuple[np.ndarray, ...]]:
    """(src, tgt_in, tgt_out) int64 arrays (B, L), seeded: random words, each
    sentence padded after a random length between L/2 and L."""
    s = SIZES[config.size]
    rng = np.random.default_rng(config.seed)
    batch, length, vocab = s["batch"], s["length"], s["vocab"]
    batches = []
    for _ in range(config.batches):
        src, tgt = (rng.integers(4, vocab, (batch, length + 1)) for _ in "st")
        for ids in (src, tgt):
            keep = rng.integers(length // 2, length + 1, batch)  # real tokens
            ids[np.arange(length + 1) >= keep[:, None]] = PAD_ID
        tgt[:, 0] = 1  # <s>
        batches.append((src[:, :length], tgt[:, :-1], tgt[:, 1:]))
    return batches


# ------------------------------------------------------------------ our side


class Ours:
    """Our model, its Adam and the batches (with masks) on the device."""

    def __init__(self, config: TrainBenchConfig, batches):
        tinygrad_tx.manual_seed(config.seed)
        self.device = config.device
        self.model = Transformer.from_config(config.model_config()).to(self.device)
        self.optimizer = optim.Adam(
            self.model.parameters(), lr=1e-4, betas=(0.9, 0.98), eps=1e-9
        )
        self.batches = []
        for src, tgt_in, tgt_out in batches:
            src, tgt_in = (
                Tensor(src, device=self.device),
                Tensor(tgt_in, device=self.device),
            )
            masks = make_masks(src, tgt_in, PAD_ID)
            self.batches.append(
                (src, tgt_in, *masks, Tensor(tgt_out, device=self.device))
            )

    def loss(self, i: int):
        src, tgt_in, src_mask, tgt_mask, tgt_out = self.batches[i % len(self.batches)]
        logits = self.model(src, tgt_in, src_mask, tgt_mask)
        return F.cross_entropy(
            logits, tgt_out, ignore_index=PAD_ID, label_smoothing=LABEL_SMOOTHING
        )

    def step(self, i: int) -> float:
        loss = self.loss(i)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        synchronize(self.device)
        return loss.item()

    def gradients(self) -> dict:
        """Forward and backward of batch 0 with dropout off: loss and gradients."""
        self.model.eval()
        self.optimizer.zero_grad()
        loss = self.loss(0)
        loss.backward()
        grads = {n: to_numpy(p.grad) for n, p in self.model.named_parameters()}
        self.optimizer.zero_grad()
        self.model.train()
        return {"loss": loss.item(), "grads": grads}

    def held_bytes(self) -> int:
        """Parameters, gradients and optimizer buffers held between steps."""
        arrays = [p.data for p in self.model.parameters()]
        arrays += [p.grad for p in self.model.parameters() if p.grad is not None]
        arrays += [
            v
            for s in self.optimizer.state.values()
            for v in s.values()
            if hasattr(v, "nbytes")
        ]
        return sum(a.nbytes for a in _unique(arrays))

    def peak_mb(self, i: int) -> float:
        if self.device == "cuda":
            pool = xp_for("cuda").get_default_memory_pool()
            pool.free_all_blocks()  # the pool grows to the step's peak, and stays
            self.step(i)
            return pool.total_bytes() / 2**20
        held = self.held_bytes()
        tracemalloc.start()
        try:
            self.step(i)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        return (held + peak) / 2**20


def _unique(arrays):
    """Each array once (a view counts with its base, a shared weight once)."""
    seen, out = set(), []
    for a in arrays:
        base = a if a.base is None else a.base
        if id(base) not in seen:
            seen.add(id(base))
            out.append(base)
    return out


# ------------------------------------------------------------------ measuring


def run_train_bench(config: TrainBenchConfig, echo=None) -> TrainBenchResult:
    """Check, warm up, time (blocks taking turns), measure memory, time the floor."""
    echo = echo or (lambda line: None)
    result, sides = _prepare(config)
    echo("checking the first batch (dropout off)")
    _check_first_batch(sides, result)
    echo(f"{config.warmup} warm-up and {config.steps} timed steps per side")
    _time_steps(sides, result, config)
    echo("measuring the peak memory of one step per side")
    result.ours.peak_mb = sides["ours"].peak_mb(0)
    if result.torch is not None:
        result.torch.peak_mb = sides["torch"].peak_mb(0)
    echo("timing the matmul floor")
    s = SIZES[config.size]
    products = matmul_floor.step_products(
        config.model_config(), s["batch"], s["length"], s["length"]
    )
    result.floor_gflop = sum(p.flops for p in products) / 1e9
    result.floor_ms = matmul_floor.time_products(products, config.device)
    result.load_after = _load()
    result.versions = _versions(result.torch is not None)
    return result


def _prepare(config: TrainBenchConfig) -> tuple[TrainBenchResult, dict]:
    """Threads, malloc, batches and each side's model: (result, sides)."""
    from .threads import use_threads
    from .torch_steps import TorchSide, torch_missing

    if config.size not in SIZES:
        raise ValueError(
            f"unknown size {config.size!r}; choose one of {', '.join(SIZES)}"
        )
    config.device = check_device(config.device)
    kept = config.keep_freed_memory and keep_freed_memory()
    threads_note = use_threads(config.threads) if config.threads else "default threads"
    result = TrainBenchResult(config, Side("tinygrad_tx"), load_before=_load())
    result.threads_note = threads_note
    result.memory_note = (
        "freed memory kept for reuse (tinygrad_tx.bench.memory.keep_freed_memory)"
        if kept
        else "malloc as it is (freed memory returned to the system)"
    )
    batches = make_batches(config)
    sides = {"ours": Ours(config, batches)}
    result.torch_note = (
        torch_missing(config.device) if config.compare_torch else "not asked for"
    )
    if not result.torch_note:
        sides["torch"] = TorchSide(
            sides["ours"].model, batches, config.device, config.threads
        )
        result.torch = Side("PyTorch")
    return result, sides


def _check_first_batch(sides: dict, result: TrainBenchResult) -> None:
    """Loss and gradients of batch 0 on each side, dropout off (eval mode)."""
    checks = {name: side.gradients() for name, side in sides.items()}
    result.ours.first_loss = checks["ours"]["loss"]
    if "torch" in checks:
        result.torch.first_loss = checks["torch"]["loss"]
        ours, theirs = checks["ours"]["grads"], checks["torch"]["grads"]
        largest = max(float(np.abs(g).max()) for g in ours.values())
        gap = max(float(np.abs(g - theirs[n]).max()) for n, g in ours.items())
        result.grad_gap = gap / largest


# Timed steps go in blocks of BLOCK steps per side, the sides taking turns,
# with a pause of PAUSE_S seconds before each block. After a burst of work the
# worker threads of NumPy's BLAS and of PyTorch's OpenMP keep spinning for a
# while (up to ~0.1 s), waiting for more: alternating single steps, each side
# would run while the other's threads still hold the CPUs (measured on a
# 2-core machine: PyTorch's toy step 144 ms instead of 49). After the pause
# each block runs as if alone, and taking turns still shares slow changes of
# the machine's load between the sides.
BLOCK, PAUSE_S = 5, 0.25


def _time_steps(sides: dict, result: TrainBenchResult, config: TrainBenchConfig):
    """Warm-up steps, then timed blocks of steps, the sides taking turns (and
    turns at going first)."""
    for i in range(config.warmup):
        for side in sides.values():
            side.step(i)
    figures = {"ours": result.ours, "torch": result.torch}
    names, step = list(sides), config.warmup
    for block in range(-(-config.steps // BLOCK)):
        size = min(BLOCK, config.steps - block * BLOCK)
        for name in names if block % 2 == 0 else names[::-1]:
            time.sleep(PAUSE_S)
            times = []
            for i in range(size):
                start = time.perf_counter()
                sides[name].step(step + i)
                times.append(1e3 * (time.perf_counter() - start))
            figures[name].times_ms += times
            figures[name].blocks.append(statistics.median(times))
        step += size


def paired_ratio(tops: list[float], bottoms: list[float]) -> float:
    """The median of top_i / bottom_i over pairs of blocks run one right after
    the other (each block's median step time)."""
    return statistics.median(t / b for t, b in zip(tops, bottoms))


def _load() -> tuple:
    try:
        return os.getloadavg()
    except OSError:  # not on every platform
        return ()


def _versions(with_torch: bool) -> str:
    parts = [f"Python {platform.python_version()}", f"NumPy {np.__version__}"]
    if with_torch:
        import torch

        parts.append(f"PyTorch {torch.__version__}")
    return ", ".join(parts)
