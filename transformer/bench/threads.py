"""Threads for `bench train`: the same count for NumPy's BLAS and for PyTorch.

NumPy's BLAS reads its thread count from environment variables once, when
NumPy loads; PyTorch's can be set at any time (torch.set_num_threads). So the
CLI checks the variables, and when they differ from --threads it runs the
benchmark again in a child process that starts with them set.
"""

from __future__ import annotations

import os

import numpy as np

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def threads_set(threads: int) -> bool:
    """True when this process started with every BLAS thread variable at
    `threads`. NumPy's BLAS reads them once, when NumPy loads, so a process
    that started otherwise cannot change its count (threadpoolctl could, but
    is not a dependency): the CLI then runs the benchmark in a new process."""
    return all(os.environ.get(v) == str(threads) for v in THREAD_VARIABLES)


def rerun_with_threads(args: list[str], threads: int, echo) -> int:
    """Run `python cli.py bench train ARGS` in a child process whose thread
    variables are `threads`; its output lines go through `echo`. Returns its
    exit status."""
    import subprocess
    import sys
    from pathlib import Path

    cli = Path(__file__).resolve().parents[2] / "cli.py"
    env = {**os.environ, **{v: str(threads) for v in THREAD_VARIABLES}}
    command = [sys.executable, str(cli), "bench", "train", *args]
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True) as child:
        for line in child.stdout:
            echo(line.rstrip("\n"))
    return child.returncode


def threads_note(threads: int) -> str:
    """How the thread count was set, and what OpenBLAS reports when asked."""
    reported = blas_threads()
    blas = f", OpenBLAS reports {reported}" if reported is not None else ""
    count = f"{threads} thread" + ("s" if threads > 1 else "")
    return (
        f"{count}: {'/'.join(THREAD_VARIABLES)}={threads} set before NumPy "
        f"loaded{blas}; torch.set_num_threads({threads})"
    )


def blas_threads() -> int | None:
    """The thread count of the OpenBLAS inside NumPy's wheel (None when NumPy
    uses another BLAS, or it cannot be asked)."""
    import ctypes
    import glob

    libs = os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs")
    for path in glob.glob(os.path.join(libs, "libscipy_openblas*")):
        try:
            return int(ctypes.CDLL(path).scipy_openblas_get_num_threads64_())
        except (OSError, AttributeError):
            return None
    return None
