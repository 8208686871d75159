"""The engine benchmark runs end to end at a small size and reports what it
measured (the timings themselves are the benchmark's business, not asserted)."""

import importlib.util
from pathlib import Path

import numpy as np
from click.testing import CliRunner

from tinygrad_tx.bench.engine import (
    EngineBenchConfig,
    measure_cycles,
    measure_step_overhead,
    report_lines,
    run_engine_bench,
)
from tinygrad_tx.bench.reference import NumpyMLP


def small_config(**changes):
    options = dict(
        sizes=(12, 8, 3), batch=4, timed_steps=5, memory_steps=12, gc_steps=2
    )
    options.update(changes)
    return EngineBenchConfig(**options)


def test_the_numpy_reference_gradients_are_right():
    """The yardstick itself: its hand-derived gradients match central differences."""
    rng = np.random.default_rng(0)
    weights = [rng.standard_normal((4, 3)), rng.standard_normal((2, 4))]
    biases = [rng.standard_normal(4), rng.standard_normal(2)]
    x, y = rng.standard_normal((5, 3)), rng.integers(0, 2, 5)
    mlp = NumpyMLP(weights, biases, np)
    _, grads_w, grads_b = mlp.loss_and_grads(x, y)
    for params, grads in ((mlp.weights, grads_w), (mlp.biases, grads_b)):
        for p, g in zip(params, grads):
            numerical = np.zeros_like(p)
            for i in np.ndindex(p.shape):
                p[i] += 1e-6
                plus = mlp.loss_and_grads(x, y)[0]
                p[i] -= 2e-6
                minus = mlp.loss_and_grads(x, y)[0]
                p[i] += 1e-6
                numerical[i] = (plus - minus) / 2e-6
            np.testing.assert_allclose(g, numerical, rtol=1e-5, atol=1e-8)


def test_engine_and_reference_train_the_same_model():
    config = small_config()
    from tinygrad_tx.bench.engine import EngineBenchResult

    result = EngineBenchResult(config)
    measure_step_overhead(config, result)
    assert result.loss_gap < 1e-5  # float32: the same losses, step after step
    assert result.engine_ms > 0 and result.numpy_ms > 0


def test_a_step_leaves_nothing_for_the_cycle_collector():
    from tinygrad_tx.bench.engine import EngineBenchResult

    config = small_config()
    result = EngineBenchResult(config)
    measure_cycles(config, result)
    assert result.collected == 0


def test_full_report():
    result = run_engine_bench(small_config())
    lines = report_lines(result)
    text = "\n".join(lines)
    for heading in (
        "(a) training step",
        "(b) dispatch cost",
        "(c) peak traced",
        "(d) reference cycles",
    ):
        assert heading in text
    assert len(result.peaks_mb) == 12
    assert set(result.dispatch_us) >= {"numpy a + b", "tinygrad_tx a + b, backward"}


def _repository_cli():
    """The working tree's cli.py, loaded by path (an installed copy of cli.py in
    site-packages can be older and would shadow it)."""
    path = Path(__file__).resolve().parents[2] / "cli.py"
    spec = importlib.util.spec_from_file_location("_engine_cli_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_bench_engine_runs_and_rejects_bad_options():
    cli = _repository_cli()
    runner = CliRunner()
    out = runner.invoke(
        cli.main,
        ["bench", "engine", "--steps", "5", "--memory-steps", "11", "--batch", "2"],
    )
    assert out.exit_code == 0, out.output
    assert "(a) training step" in out.output and "ratio" in out.output
    bad = runner.invoke(cli.main, ["bench", "engine", "--device", "tpu"])
    assert bad.exit_code != 0 and "unknown device 'tpu'" in bad.output
    assert "Traceback" not in bad.output
