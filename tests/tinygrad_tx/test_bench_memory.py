"""keep_freed_memory: freed arrays are reused instead of faulted in afresh."""

import subprocess
import sys

import pytest

from tinygrad_tx.bench.memory import keep_freed_memory

FAULTS = """
import resource, sys
import numpy as np
from tinygrad_tx.bench.memory import keep_freed_memory
if sys.argv[1] == "keep":
    assert keep_freed_memory()

def step():  # like a training step: the same arrays allocated and freed
    a = np.ones(2_000_000, np.float32)  # 8 MB
    b = a * 2
    del a, b

step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):
    step()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _page_faults(mode: str) -> int:
    run = subprocess.run(
        [sys.executable, "-c", FAULTS, mode], capture_output=True, text=True, check=True
    )
    return int(run.stdout)


def test_freed_arrays_are_reused_without_page_faults():
    if not keep_freed_memory():
        pytest.skip("no glibc malloc here (macOS, Windows, musl): nothing to tune")
    assert keep_freed_memory() is True  # calling again is harmless
    plain, kept = _page_faults("plain"), _page_faults("keep")
    assert plain > 20 * 2 * 100  # 40 fresh 8 MB arrays: hundreds of faults each
    assert kept < plain / 20, (
        f"{kept} page faults with freed memory kept, {plain} without"
    )
