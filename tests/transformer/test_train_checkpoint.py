"""Checkpoint files: what is refused (missing, truncated, mismatched), and that a
new or failed run never destroys what an earlier run saved."""

import json

import numpy as np
import pytest

from tinygrad_tx import optim
from transformer import checkpoint as ckpt
from transformer.model import Transformer
from transformer.train import TrainConfig, train
from transformer.translator import Translator

SHORT = dict(
    steps=12, batch_size=32, lr=3e-3, warmup=5, eval_every=6,
    train_pairs=300, valid_pairs=10, test_pairs=10,
)  # fmt: skip
SHORT_MODEL = dict(d_model=16, n_heads=2, n_layers=1, d_ff=32, dropout=0.0)


def _run(out, **changes):
    config = TrainConfig(**{**SHORT, **changes.pop("config", {})})
    return train(config, SHORT_MODEL, str(out), echo=lambda line: None, **changes)


@pytest.fixture(scope="module")
def saved_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("ckpt") / "run"
    _run(out)
    return out


def _copy_run(src, dst):
    dst.mkdir()
    for path in src.iterdir():
        (dst / path.name).write_bytes(path.read_bytes())
    return dst


def test_missing_checkpoint_names_the_path_and_the_command(tmp_path):
    with pytest.raises(
        ckpt.CheckpointError, match=r"no trained model in .*nothing.*"
    ) as e:
        Translator.load(tmp_path / "nothing")
    assert "python cli.py train-toy-translation --out" in str(e.value)
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / "config.json").write_text("{}")
    with pytest.raises(
        ckpt.CheckpointError, match=r"has no model\.safetensors, vocab\.json"
    ):
        Translator.load(tmp_path / "half")


def test_truncated_weights_are_refused(saved_run, tmp_path):
    run = _copy_run(saved_run, tmp_path / "run")
    weights = (run / "model.safetensors").read_bytes()
    (run / "model.safetensors").write_bytes(weights[: len(weights) // 2])
    with pytest.raises(ckpt.CheckpointError, match="not a readable safetensors file"):
        Translator.load(run)


def test_config_that_does_not_fit_the_weights_is_refused(saved_run, tmp_path):
    run = _copy_run(saved_run, tmp_path / "run")
    config = json.loads((run / "config.json").read_text())
    config["model"]["d_ff"] = 48
    (run / "config.json").write_text(json.dumps(config))
    shapes = r"has shape \(32,\) in the file but is \(48,\) in the model"
    with pytest.raises(
        ckpt.CheckpointError, match=r"does not fit the model .*" + shapes
    ):
        Translator.load(run)


def test_vocabulary_of_another_run_is_refused(saved_run, tmp_path):
    run = _copy_run(saved_run, tmp_path / "run")
    vocab = json.loads((run / "vocab.json").read_text())
    vocab["tgt"] = vocab["tgt"][:-3]
    (run / "vocab.json").write_text(json.dumps(vocab))
    with pytest.raises(ckpt.CheckpointError, match=r"vocab\.json has .* target tokens"):
        Translator.load(run)


def test_broken_json_is_refused_with_the_file_name(saved_run, tmp_path):
    run = _copy_run(saved_run, tmp_path / "run")
    (run / "config.json").write_text('{"model": {"d_mo')
    with pytest.raises(ckpt.CheckpointError, match=r"config.json is not valid JSON"):
        Translator.load(run)


def test_train_state_round_trip_restores_adam(tmp_path):
    model = Transformer(10, 10, d_model=8, n_heads=2, n_layers=1, d_ff=16)
    adam = optim.Adam(model.parameters(), lr=0.1, betas=(0.9, 0.98), eps=1e-9)
    for p in model.parameters():
        p.grad = np.ones_like(p.data)
    adam.step()
    ckpt.save_train_state(tmp_path / "s.safetensors", model, adam, {"step": 1})
    fresh = Transformer(10, 10, d_model=8, n_heads=2, n_layers=1, d_ff=16)
    fresh_adam = optim.Adam(fresh.parameters(), lr=0.0)
    state = ckpt.load_train_state(tmp_path / "s.safetensors", fresh, fresh_adam)
    assert state == {"step": 1}
    assert (fresh_adam.steps, fresh_adam.lr) == (1, 0.1)
    for i, buffers in adam.state.items():
        for name, value in buffers.items():
            np.testing.assert_array_equal(fresh_adam.state[i][name], value)
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(fresh.state_dict()[name], value)


def test_a_new_run_moves_the_previous_one_aside(saved_run, tmp_path):
    out = _copy_run(saved_run, tmp_path / "run")
    before = (out / "model.safetensors").read_bytes()
    _run(out, config={"seed": 1})
    backup = tmp_path / "run.previous-1"
    assert (backup / "model.safetensors").read_bytes() == before
    assert (out / "model.safetensors").read_bytes() != before


def test_a_failed_run_leaves_the_earlier_files_whole(saved_run, tmp_path):
    out = _copy_run(saved_run, tmp_path / "run")
    saved = {p.name: p.read_bytes() for p in out.iterdir()}

    def crash(step):
        if step == 8:  # after the first validation wrote new files
            raise RuntimeError("simulated crash")

    with pytest.raises(RuntimeError, match="simulated crash"):
        _run(out, on_step=crash, config={"seed": 1})
    backup = tmp_path / "run.previous-1"
    assert {p.name: p.read_bytes() for p in backup.iterdir()} == saved


def test_unwritable_output_directory_is_refused(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(
        ckpt.CheckpointError, match="cannot write to the output directory"
    ):
        _run(blocker / "run")
