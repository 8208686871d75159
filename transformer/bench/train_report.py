"""The report of `python cli.py bench train`: the lines it prints from a
TrainBenchResult (see train.py for what is measured and how)."""

from __future__ import annotations

import os
import platform

from .train import BLOCK, SIZES, TrainBenchResult, paired_ratio


def report_lines(r: TrainBenchResult) -> list[str]:
    c, s = r.config, SIZES[r.config.size]
    lines = [
        f"bench train: config {c.size} (d_model {s['d_model']}, {s['n_heads']} heads, "
        f"{s['n_layers']}+{s['n_layers']} layers, d_ff {s['d_ff']}, vocab "
        f"{s['vocab']:,}), batch {s['batch']} x length {s['length']}, "
        f"dropout {c.dropout}, device {c.device}",
        f"{r.versions}; {_cpu_name()}, {os.cpu_count()} CPUs; {r.threads_note}",
        f"load average before {_fmt_load(r.load_before)}, after {_fmt_load(r.load_after)}"
        f"; {r.memory_note}",
        "",
    ]
    lines += _check_lines(r)
    lines += _table_lines(r)
    lines += _floor_lines(r)
    return lines


def _cpu_name() -> str:
    """The processor's model name (Linux's /proc/cpuinfo), or its architecture."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _fmt_load(load: tuple) -> str:
    return " ".join(f"{x:.2f}" for x in load) if load else "unknown"


def _check_lines(r: TrainBenchResult) -> list[str]:
    if r.torch is None:
        return [f"PyTorch: not compared ({r.torch_note})", ""]
    gap = abs(r.ours.first_loss - r.torch.first_loss)
    verdict = "ok" if gap < 1e-4 else "TOO LARGE"
    return [
        "first batch, dropout off on both sides (a correctness check):",
        f"  loss ours {r.ours.first_loss:.6f}, PyTorch {r.torch.first_loss:.6f}, "
        f"difference {gap:.1e} ({verdict}: must be < 1e-4)",
        f"  largest gradient difference {r.grad_gap:.1e} of the largest gradient"
        " (float32; a ReLU input within rounding of 0 flips a whole entry)",
        "",
    ]


def _table_lines(r: TrainBenchResult) -> list[str]:
    c = r.config
    lines = [
        f"{c.steps} timed steps per side after {c.warmup} warm-up steps"
        + (f", in blocks of {BLOCK} taking turns" if r.torch else ""),
        "                   median ms/step   fastest ms   tokens/s   peak MiB",
    ]
    for side in (r.ours, r.torch):
        if side is None:
            continue
        peak = f"{side.peak_mb:8.1f}" if side.peak_mb is not None else "     n/a"
        lines.append(
            f"  {side.name:16s} {side.median_ms:14.1f} {min(side.times_ms):12.1f}"
            f" {r.tokens_per_step * 1e3 / side.median_ms:10,.0f}   {peak}"
        )
    if r.torch is not None:
        time_ratio = paired_ratio(r.ours.blocks, r.torch.blocks)
        fastest_ratio = min(r.ours.times_ms) / min(r.torch.times_ms)
        memory = (
            f"{r.ours.peak_mb / r.torch.peak_mb:8.2f}x"
            if r.torch.peak_mb
            else "     n/a"
        )
        lines.append(
            f"  ours / PyTorch   {time_ratio:13.2f}x {fastest_ratio:11.2f}x"
            f" {'':10s}   {memory}"
        )
        lines.append(
            f"  (time ratio: median over pairs of neighbouring blocks of {BLOCK} steps;"
            " memory: peak / peak)"
        )
    return [*lines, ""]


def _floor_lines(r: TrainBenchResult) -> list[str]:
    rate = r.floor_gflop / r.floor_ms * 1e3
    shares = f"{r.floor_ms / r.ours.median_ms:.0%} of our step"
    if r.torch is not None:
        shares += f", {r.floor_ms / r.torch.median_ms:.0%} of PyTorch's"
    return [
        f"matmul floor: the step's {r.floor_gflop:.2f} GFLOP of matrix products alone, "
        f"at their real shapes in {'CuPy' if r.config.device == 'cuda' else 'NumPy'}: "
        f"{r.floor_ms:.1f} ms ({rate:.0f} GFLOP/s) = {shares}",
    ]
