"""Shared test fixtures: the devices to run on, and hypothesis settings.

Tests that take a `device` argument run once per device: "cpu" always, "cuda"
when CuPy sees a GPU, and otherwise the cuda case is skipped with the reason.
"strict" always: NumPy behind CuPy's rules (no implicit conversion of a device
array to NumPy, see tinygrad_tx/strict.py), so the GPU's code path runs here.
"""

import os

import pytest
from hypothesis import HealthCheck, settings

from tinygrad_tx.backend import cuda_status

settings.register_profile(
    "default",
    deadline=None,
    max_examples=40,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

CUDA_OK, CUDA_WHY = cuda_status()
requires_cuda = pytest.mark.skipif(not CUDA_OK, reason=f"no CUDA device: {CUDA_WHY}")

DEVICES = [
    pytest.param("cpu", id="cpu"),
    pytest.param("strict", id="strict", marks=pytest.mark.strict),
    pytest.param("cuda", id="cuda", marks=[pytest.mark.cuda, requires_cuda]),
]


@pytest.fixture(params=DEVICES)
def device(request):
    """Each device the suite runs on ("cuda" skips with a reason without a GPU)."""
    return request.param


@pytest.fixture(autouse=True)
def _seed():
    """Every test starts from the same random state."""
    import tinygrad_tx

    tinygrad_tx.manual_seed(0)


@pytest.fixture(scope="session")
def chromium():
    """Headless Chromium driven by Playwright, for the HTML pages' tests; skips
    with the reason where Playwright or a Chromium is missing."""
    from tinygrad_tx.viz.browser import browser, why_no_browser

    reason = why_no_browser()
    if reason:
        pytest.skip(reason)
    with browser() as launched:
        yield launched
