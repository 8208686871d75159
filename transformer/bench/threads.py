"""Threads for `bench train`: the same count for NumPy's BLAS and for PyTorch.

NumPy's OpenBLAS is set through its own function at run time (transformer/cpu.py),
PyTorch's with torch.set_num_threads, so both sides of the comparison compute
with the same number of threads, and no second process is needed.
"""

from __future__ import annotations

from ..cpu import set_blas_threads


def use_threads(threads: int) -> str:
    """Set NumPy's BLAS to `threads` threads; returns a note for the report
    saying how it was set and what OpenBLAS reports."""
    reported = set_blas_threads(threads)
    count = f"{threads} thread" + ("s" if threads > 1 else "")
    if reported is None:
        return (
            f"{count} asked for; NumPy's BLAS is not OpenBLAS here, so it keeps its "
            f"own count; torch.set_num_threads({threads})"
        )
    return (
        f"{count}: OpenBLAS set to {threads} (it reports {reported}); "
        f"torch.set_num_threads({threads})"
    )
