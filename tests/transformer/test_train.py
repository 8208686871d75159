"""Training end to end on a tiny configuration: it learns to translate held-out
sentences, writes its files, and is reproducible (same seed, same numbers;
an interrupted and resumed run equals an uninterrupted one)."""

import json
import signal

import numpy as np
import pytest

from tinygrad_tx import io
from transformer import checkpoint as ckpt
from transformer.cpu import blas_threads, set_blas_threads
from transformer.train import TrainConfig, train
from transformer.translator import Translator

# Trains in about 5 s on a 2-core CPU and reaches ~55% exact match on its test
# (BLEU ~80): the toy language has negation, questions and "and" since issue 14,
# which a one-layer model of 400 steps only begins to learn.
TINY = dict(
    steps=400, batch_size=64, lr=3e-3, warmup=50, eval_every=200,
    train_pairs=4000, valid_pairs=100, test_pairs=200,
)  # fmt: skip
TINY_MODEL = dict(d_model=64, n_heads=4, n_layers=1, d_ff=128, dropout=0.0)
# A few steps only, with dropout on, so that the random generator matters.
SHORT = dict(
    steps=40, batch_size=32, lr=3e-3, warmup=10, eval_every=15,
    train_pairs=600, valid_pairs=20, test_pairs=20,
)  # fmt: skip
SHORT_MODEL = dict(d_model=32, n_heads=2, n_layers=1, d_ff=64, dropout=0.1)


@pytest.fixture(scope="module", autouse=True)
def one_blas_thread():
    """As the CLI does: one BLAS thread is fastest for these small matrices."""
    before = blas_threads()
    set_blas_threads(1)
    yield
    if before is not None:
        set_blas_threads(before)


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("tiny") / "run"
    lines = []
    summary = train(TrainConfig(**TINY), TINY_MODEL, out=str(out), echo=lines.append)
    return out, summary, "\n".join(lines)


def _short_run(out, seed=0, on_step=None, resume=False, steps=None):
    config = TrainConfig(**{**SHORT, "seed": seed, "steps": steps or SHORT["steps"]})
    lines = []
    summary = train(config, SHORT_MODEL, str(out), resume, lines.append, on_step)
    return summary, "\n".join(lines)


def _reproducible(summary: dict) -> dict:
    """metrics.json without the wall time and memory (they vary run to run)."""
    return {k: v for k, v in summary.items() if k != "run"}


# ------------------------------------------------------------------ learning


@pytest.mark.slow
def test_tiny_model_translates_held_out_sentences(tiny_run):
    out, summary, _ = tiny_run
    assert summary["test"]["exact_match"] >= 0.4  # held-out combinations only
    assert summary["test"]["bleu"] >= 70
    assert summary["train"][0]["loss"] > 3 * summary["train"][-1]["loss"]
    translator = Translator.load(out)
    slides = ["I love books", "the cat sleeps on the mat"]
    expected = ["eu amo livros", "o gato dorme no tapete"]
    for beam in (1, 3):
        assert [t.output for t in translator.translate(slides, beam)] == expected


def test_run_prints_the_splits_rule_and_a_summary(tiny_run):
    out, _, log = tiny_run
    assert "pairs: train 4000, valid 100, test 200" in log
    assert "held out of training" in log
    assert "test (200 held-out sentences): exact match" in log
    assert f"written to {out}/" in log
    assert log.count(" -> ") >= 5  # five sample translations


def test_run_writes_its_files(tiny_run):
    out, summary, _ = tiny_run
    for name in ("model.safetensors", "config.json", "vocab.json", "metrics.json",
                 "loss.png", "attention.png", "train_state.safetensors"):  # fmt: skip
        assert (out / name).is_file(), name
    assert not list(out.glob(".*tmp"))  # no temporary files left behind
    saved = json.loads((out / "metrics.json").read_text())
    assert saved == json.loads(json.dumps(summary))
    assert [r["step"] for r in saved["train"]] == list(range(1, 401))
    assert [r["step"] for r in saved["validation"]] == [200, 400]
    assert saved["best"] == max(saved["validation"], key=lambda r: r["exact_match"])
    config = json.loads((out / "config.json").read_text())
    assert config["model"]["d_model"] == 64
    assert config["train"]["steps"] == 400
    for png in ("loss.png", "attention.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_checkpoint_round_trip_gives_identical_translations(tiny_run, tmp_path):
    out, summary, _ = tiny_run
    first = Translator.load(out)
    sources = [s["source"] for s in summary["samples"]]
    # the translations the training run reported come back from the files
    outputs = [t.output for t in first.translate(sources)]
    assert outputs == [s["output"] for s in summary["samples"]]
    # save the loaded model again, load that copy: the same weights and words
    copy = tmp_path / "copy"
    copy.mkdir()
    for name in ("config.json", "vocab.json"):
        (copy / name).write_bytes((out / name).read_bytes())
    ckpt.save_weights(copy / "model.safetensors", first.model, {"step": 0})
    second = Translator.load(copy)
    for name, value in first.model.state_dict().items():
        np.testing.assert_array_equal(second.model.state_dict()[name], value)
    assert [t.output for t in second.translate(sources, beam=3)] == [
        t.output for t in first.translate(sources, beam=3)
    ]


# ------------------------------------------------------------------ reproducible


def _weights(path):
    return io.load(path)


def _assert_same_weights(a, b):
    assert a.keys() == b.keys()
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    out = tmp_path_factory.mktemp("short") / "run"
    summary, _ = _short_run(out)
    return out, summary


def test_same_seed_gives_the_same_metrics_and_weights(uninterrupted, tmp_path):
    out, summary = uninterrupted
    again, _ = _short_run(tmp_path / "again")
    assert _reproducible(again) == _reproducible(summary)
    _assert_same_weights(
        _weights(tmp_path / "again" / "model.safetensors"),
        _weights(out / "model.safetensors"),
    )
    other, _ = _short_run(tmp_path / "other", seed=1)
    assert other["train"] != summary["train"]  # the seed does change the run


def test_ctrl_c_then_resume_equals_an_uninterrupted_run(uninterrupted, tmp_path):
    out, summary = uninterrupted
    resumed_out = tmp_path / "resumed"

    def press_ctrl_c(step):
        if step == 23:  # between validations (15, 30): mid-epoch, dropout on
            signal.raise_signal(signal.SIGINT)

    stopped, log = _short_run(resumed_out, on_step=press_ctrl_c)
    assert stopped == {"interrupted": True, "signal": "Ctrl-C", "step": 23,
                       "out": str(resumed_out)}  # fmt: skip
    assert "Ctrl-C: stopped at step 23 of 40" in log
    assert f"--out {resumed_out} --resume" in log
    state = io.load_with_metadata(resumed_out / "train_state.safetensors")[1]
    assert json.loads(state["state"])["step"] == 23

    resumed, log = _short_run(resumed_out, resume=True)
    assert "resuming from step 23 of 40" in log
    assert _reproducible(resumed) == _reproducible(summary)
    for name in ("model.safetensors", "train_state.safetensors"):
        _assert_same_weights(_weights(resumed_out / name), _weights(out / name))


def test_resuming_a_finished_run_says_so_and_touches_nothing(uninterrupted):
    out, _ = uninterrupted
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    summary, log = _short_run(out, resume=True)
    assert summary == {"finished": True, "out": str(out)}
    assert "has already trained 40 steps (it was asked for 40): nothing to do" in log
    assert "--steps larger than 40" in log
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_resume_without_a_saved_state_says_how_to_start(tmp_path):
    with pytest.raises(
        ckpt.CheckpointError, match=r"nothing to resume in .*Start a run"
    ):
        _short_run(tmp_path / "empty", resume=True)


def test_learning_rate_peaks_at_lr_at_the_end_of_the_warm_up():
    from transformer.model import Transformer
    from transformer.run_setup import make_optimizer

    model = Transformer(20, 20, d_model=16, n_heads=4, n_layers=1, d_ff=32)
    _, schedule = make_optimizer(model, TrainConfig(lr=2e-3, warmup=100))
    rates = [schedule.rate(step) for step in (1, 50, 100, 400)]
    np.testing.assert_allclose(rates, [2e-5, 1e-3, 2e-3, 1e-3], rtol=1e-12)
