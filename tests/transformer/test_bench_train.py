"""`python cli.py bench train`: a tiny run end to end (no timings asserted), the
first batch agreeing with PyTorch within 1e-4, the matmul floor's list of
products, the batches, and the thread handling of the CLI."""

import numpy as np
import pytest
from click.testing import CliRunner

from cli import main
from transformer.bench import train as bench
from transformer.bench.matmul_floor import step_products
from transformer.bench.train_report import report_lines
from transformer.config import TransformerConfig
from transformer.cpu import blas_threads, set_blas_threads


@pytest.fixture(autouse=True)
def _no_pauses(monkeypatch):
    monkeypatch.setattr(bench, "PAUSE_S", 0.0)  # the pauses only matter for timing


def _tiny(**overrides):
    return bench.TrainBenchConfig(
        **{"size": "tiny", "steps": 3, "warmup": 1, **overrides}
    )


def test_tiny_run_agrees_with_pytorch_on_the_first_batch():
    pytest.importorskip("torch")
    result = bench.run_train_bench(_tiny(dropout=0.1))
    assert result.torch is not None, result.torch_note
    assert abs(result.ours.first_loss - result.torch.first_loss) < 1e-4
    assert result.grad_gap < 1e-4
    for side in (result.ours, result.torch):
        assert len(side.times_ms) == 3 and len(side.blocks) == 1
        assert side.peak_mb is not None and side.peak_mb > 0
    lines = "\n".join(report_lines(result))
    assert "difference" in lines and "(ok: must be < 1e-4)" in lines
    assert "ours / PyTorch" in lines and "matmul floor" in lines


def test_tiny_run_without_pytorch_reports_ours_alone():
    result = bench.run_train_bench(_tiny(compare_torch=False, dropout=0.0))
    assert result.torch is None and result.torch_note == "not asked for"
    lines = report_lines(result)
    assert any("PyTorch: not compared (not asked for)" in line for line in lines)
    assert result.floor_ms > 0 and np.isfinite(result.ours.first_loss)


def test_peak_memory_counts_what_is_held_between_steps():
    config = _tiny(compare_torch=False)
    ours = bench.Ours(config, bench.make_batches(config))
    ours.step(0)
    held = ours.held_bytes()
    params = sum(p.data.nbytes for p in ours.model.parameters())
    assert held == 4 * params  # parameters, gradients, Adam's m and v (float32)
    assert ours.peak_mb(1) * 2**20 > held


def test_batches_are_padded_sentences_shifted_for_teacher_forcing():
    config = _tiny(batches=2)
    batches = bench.make_batches(config)
    length = bench.SIZES["tiny"]["length"]
    assert len(batches) == 2
    for src, tgt_in, tgt_out in batches:
        assert src.shape == tgt_in.shape == tgt_out.shape == (4, length)
        assert (tgt_in[:, 0] == 1).all()  # <s>
        np.testing.assert_array_equal(tgt_in[:, 1:], tgt_out[:, :-1])  # shifted
        for row in src:  # real words, then padding only
            real = row != 0
            assert real[: length // 2].all() and not (real[1:] & ~real[:-1]).any()


def test_matmul_floor_lists_every_product_of_a_step():
    c = TransformerConfig(src_vocab=7, tgt_vocab=11, d_model=8, n_heads=2,
                          n_layers=1, d_ff=12)  # fmt: skip
    products = step_products(c, batch=2, src_len=3, tgt_len=5)
    # 17 linears (encoder 6, decoder 10, output 1), 3 products each (forward,
    # dx, dW); 3 attentions (encoder, decoder, cross), 6 products each.
    assert len(products) == 3 * 17 + 6 * 3
    rows_s, rows_t = 2 * 3, 2 * 5  # B · L
    linear_macs = (
        rows_s * (4 * 8 * 8 + 8 * 12 + 12 * 8)  # encoder: q, k, v, o, FFN
        + rows_t * (4 * 8 * 8 + 8 * 12 + 12 * 8)  # decoder: self q, k, v, o, FFN
        + rows_t * 2 * 8 * 8
        + rows_s * 2 * 8 * 8  # cross: q, o on tgt; k, v on memory
        + rows_t * 8 * 11  # output projection
    )
    # each attention product is B · H · Lq · Lk · D multiply-adds (D = 4)
    attention_macs = 6 * 2 * 2 * 4 * (3 * 3 + 5 * 5 + 5 * 3)
    assert sum(p.flops for p in products) == 2 * (3 * linear_macs + attention_macs)


@pytest.fixture
def _blas_threads_restored():
    """The CLI sets this process's BLAS thread count: put it back afterwards."""
    before = blas_threads()
    yield
    if before is not None:
        set_blas_threads(before)


def _bench_train(*options):
    return CliRunner().invoke(
        main, ["bench", "train", "--config", "tiny", "--steps", "3", *options]
    )


def test_cli_sets_the_blas_threads_in_this_process(_blas_threads_restored):
    if blas_threads() is None:
        pytest.skip("NumPy's BLAS is not OpenBLAS here: its threads cannot be set")
    set_blas_threads(2)
    result = _bench_train("--threads", "1", "--dropout", "0", "--no-torch")
    assert result.exit_code == 0, result.output
    assert "config tiny" in result.output
    assert "1 thread: OpenBLAS set to 1 (it reports 1)" in result.output
    assert blas_threads() == 1  # no child process: this one was set
    assert "freed memory kept for reuse" in result.output


def test_cli_return_freed_memory(_blas_threads_restored):
    result = _bench_train("--threads", "1", "--no-torch", "--return-freed-memory")
    assert result.exit_code == 0, result.output
    assert "malloc as it is" in result.output


def test_cli_refuses_more_threads_than_cpus():
    result = _bench_train("--threads", "100000")
    assert result.exit_code == 2
    assert "Invalid value for '--threads': 100000 is not in the range" in result.output


def test_cli_bad_device_is_a_clear_error(_blas_threads_restored):
    result = _bench_train("--threads", "1", "--device", "tpu")
    assert result.exit_code == 1
    assert "unknown device 'tpu'" in result.output and "Traceback" not in result.output
