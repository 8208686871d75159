"""Nothing a user saved is lost (issue 15, "Data loss"): each probe is the
command a user ran, and what they get now: a one-line error naming the problem
and what to do, a non-zero exit status, and every file as it was."""

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from cli import main
from tinygrad_tx import io
from transformer import run_dir, run_setup
from transformer.run_setup import make_config
from transformer.train import TrainConfig, train

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "en-pt.tsv"
SMALL = ["--data", str(EXAMPLE), "--d-model", "16", "--heads", "2", "--layers", "1",
         "--d-ff", "32", "--batch-size", "32", "--warmup", "2", "--eval-every", "3",
         "--steps", "6"]  # fmt: skip


def invoke(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input)


def train_cli(out, *extra):
    return invoke("train-toy-translation", *SMALL, "--out", out, *extra)


def files(folder: Path) -> dict:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def copy_run(src: Path, dst: Path) -> Path:
    dst.mkdir()
    for name, data in files(src).items():
        (dst / name).write_bytes(data)
    return dst


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    out = tmp_path_factory.mktemp("probes") / "run"
    result = train_cli(out)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def run(finished, tmp_path):
    """A copy of a finished run, to be probed."""
    return copy_run(finished, tmp_path / "run")


# ------------------------------------------------------------------ a run owns its folder


def test_a_run_marks_its_folder_and_records_its_data(finished):
    assert run_dir.is_run(finished)
    saved = json.loads((finished / "config.json").read_text())
    assert saved["train"]["data"] == str(EXAMPLE)  # resolved
    assert saved["data"]["path"] == str(EXAMPLE)
    assert len(saved["data"]["sha256"]) == 64


def test_a_second_run_into_a_folder_in_use_is_refused(run, tmp_path):
    with run_dir.claim_existing(run):  # as a running training holds it
        before = files(run)
        for extra in ([], ["--resume", "--steps", "9"]):
            result = train_cli(run, *extra)
            assert result.exit_code == 1, result.output
            assert f"{run} is in use by another training run (pid {os.getpid()}" in (
                result.output
            )
            assert "wait for it to finish or stop it" in result.output
    assert files(run) == before
    assert not (tmp_path / "run.previous-1").exists()


@pytest.mark.slow
def test_two_runs_at_once_then_sigterm_saves_like_ctrl_c(tmp_path):
    """Two real processes: the second is refused, naming the first; SIGTERM
    then stops the first after a step and saves what --resume needs."""
    out = tmp_path / "run"
    command = [sys.executable, str(ROOT / "cli.py"), "train-toy-translation", *SMALL,
               "--steps", "100000", "--eval-every", "100000", "--out", str(out)]  # fmt: skip
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True)  # fmt: skip
    try:
        _wait_for(lambda: (out / "config.json").is_file(), child)
        pid = json.loads((out / run_dir.MARKER).read_text())["pid"]
        assert pid == child.pid
        second = train_cli(out)
        assert second.exit_code == 1
        assert f"is in use by another training run (pid {child.pid} on" in second.output
        assert not (tmp_path / "run.previous-1").exists()
        time.sleep(1.0)  # let it take a few steps
        child.send_signal(signal.SIGTERM)
        output, _ = child.communicate(timeout=120)
    finally:
        child.kill()
    assert child.returncode == 143, output  # 128 + SIGTERM, as a shell reports it
    assert "SIGTERM: stopped at step" in output and "--resume" in output
    assert json.loads((out / "metrics.json").read_text())["interrupted"] is True
    assert (out / "train_state.safetensors").is_file()


def _wait_for(condition, child, seconds=120.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert child.poll() is None, child.stdout.read()
        assert time.monotonic() < deadline, "the training process did not start"
        time.sleep(0.1)


def test_only_a_folder_marked_as_a_run_is_moved_aside(tmp_path):
    own = tmp_path / "project"
    own.mkdir()
    (own / "config.json").write_text('{"mine": true}')
    (own / "notes.txt").write_text("my notes")
    before = files(own)
    result = train_cli(own)
    assert result.exit_code == 1
    assert "is not empty and is not the folder of a training run" in result.output
    assert "config.json, notes.txt" in result.output and "--out DIR" in result.output
    assert files(own) == before and not (tmp_path / "project.previous-1").exists()


def test_a_new_run_moves_a_marked_run_aside_whole(run, tmp_path):
    before = files(run)
    result = train_cli(run, "--seed", "1")
    assert result.exit_code == 0, result.output
    assert f"{run} held a previous run: moved it to {tmp_path / 'run.previous-1'}" in (
        result.output
    )
    assert files(tmp_path / "run.previous-1") == before


def test_out_empty_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "keep.txt").write_text("mine")
    result = train_cli("")
    assert result.exit_code == 1
    assert "the output folder is empty (--out '')" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


def test_out_dot_in_a_folder_of_other_files_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "keep.txt").write_text("mine")
    result = train_cli(".")
    assert result.exit_code == 1
    assert f"{tmp_path} is not empty and is not the folder of a training run" in (
        result.output
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


def test_out_dot_inside_a_run_cannot_move_it_aside(run, monkeypatch):
    monkeypatch.chdir(run)
    before = files(run)
    result = train_cli(".")
    assert result.exit_code == 1
    assert "is the current folder (or contains it), so it cannot be moved aside" in (
        result.output
    )
    assert files(run) == before


def test_invalid_model_options_touch_nothing(run, tmp_path):
    before = files(run)
    result = train_cli(run, "--d-model", "30", "--heads", "4")
    assert result.exit_code == 1
    assert "--d-model = 30 is not divisible by --heads = 4" in result.output
    assert "Traceback" not in result.output
    assert files(run) == before and not (tmp_path / "run.previous-1").exists()


def test_a_model_too_large_for_memory_is_refused_before_anything(tmp_path):
    result = train_cli(tmp_path / "run", "--d-model", "200000")
    assert result.exit_code == 1
    assert "the model is too large for this machine" in result.output
    assert "choose a smaller --d-model, --d-ff or --layers" in result.output
    assert not (tmp_path / "run").exists()


def test_a_batch_too_large_for_memory_is_refused_before_anything(tmp_path, monkeypatch):
    monkeypatch.setattr(run_setup, "_physical_memory", lambda: 8 * 2**20)  # 8 MiB
    result = train_cli(tmp_path / "run", "--batch-size", "100000000")
    assert result.exit_code == 1
    said = re.search(r"--batch-size 100,000,000 is too large for this machine: a "
                     r"batch of (\d+) sentence pairs", result.output)  # fmt: skip
    assert said and int(said.group(1)) < 1000  # the whole training split, no more
    assert "use a smaller --batch-size" in result.output
    assert not (tmp_path / "run").exists()


def test_the_activation_estimate_of_the_toy_batch(monkeypatch):
    """The toy model (d_model 128, 4 heads, 2+2 layers, d_ff 512, vocab 300) on
    64 pairs padded to 16 tokens: per token 2 · (2432 + 3328) + 900 = 12,420
    floats, 4 bytes each, times 1,024 tokens = 50,872,320 bytes."""
    config = make_config(dict(d_model=128, n_heads=4, n_layers=2, d_ff=512), 300, 300)
    pairs = [(" ".join(["w"] * 16), " ".join(["p"] * 15))] * 64
    monkeypatch.setattr(run_setup, "_physical_memory", lambda: 50_872_320)
    run_setup.check_batch_fits_in_memory(config, 64, pairs)  # fits exactly
    monkeypatch.setattr(run_setup, "_physical_memory", lambda: 50_872_319)
    with pytest.raises(ValueError, match=r"needs at least 0\.0 GiB"):
        run_setup.check_batch_fits_in_memory(config, 64, pairs)


def test_threads_beyond_the_cpu_count_are_refused(tmp_path):
    result = train_cli(tmp_path / "run", "--threads", "100000")
    assert result.exit_code == 2
    assert "Invalid value for '--threads': 100000 is not in the range" in result.output


# ------------------------------------------------------------------ resume


def test_resume_keeps_the_saved_steps(tmp_path):
    out = tmp_path / "run"

    def press_ctrl_c(step):
        if step == 4:
            signal.raise_signal(signal.SIGINT)

    config = TrainConfig(steps=8, batch_size=32, warmup=2, eval_every=3,
                         data=str(EXAMPLE))  # fmt: skip
    model = dict(d_model=16, n_heads=2, n_layers=1, d_ff=32)
    stopped = train(config, model, str(out), echo=lambda line: None,
                    on_step=press_ctrl_c)  # fmt: skip
    assert stopped["interrupted"] and stopped["step"] == 4
    result = invoke("train-toy-translation", "--resume", "--out", out)
    assert result.exit_code == 0, result.output
    assert "resuming from step 4 of 8" in result.output  # not of the CLI's 1500
    assert json.loads((out / "metrics.json").read_text())["train"][-1]["step"] == 8


def test_resuming_a_finished_run_does_nothing(run):
    before = files(run)
    for extra in ([], ["--steps", "6"], ["--steps", "4"], SMALL):
        result = invoke("train-toy-translation", "--resume", "--out", run, *extra)
        assert result.exit_code == 0, result.output
        assert "has already trained 6 steps" in result.output
        assert "nothing to do" in result.output and "--steps larger than 6" in (
            result.output
        )
    assert files(run) == before


def test_stale_temporary_files_are_removed_on_the_next_start(run, tmp_path):
    stale = run / ".model.safetensors.k3j2x9.tmp"  # left by a SIGKILL mid-write
    stale.write_bytes(b"\0" * 8192)
    state = run / "train_state.safetensors"
    result = invoke("train-toy-translation", "--resume", "--steps", "7", "--out", run)
    assert result.exit_code == 0, result.output
    assert f"removed {stale.name}" in result.output
    assert not stale.exists() and state.is_file()
    stale.write_bytes(b"\0" * 8192)
    assert train_cli(run).exit_code == 0  # a new run: the old one is moved aside
    assert not list((tmp_path / "run.previous-1").glob(".*.tmp"))


# ------------------------------------------------------------------ export-torch


@pytest.mark.parametrize("name", ["model.safetensors", "train_state.safetensors"])
def test_export_torch_never_overwrites_a_file_of_a_run(run, name):
    before = files(run)
    result = invoke("export-torch", run, run / name)
    assert result.exit_code == 1
    assert f"{run / name} is a file of the training run in {run}" in result.output
    assert files(run) == before
    assert invoke("translate", "--checkpoint", run, "I am hungry.").exit_code == 0


def test_export_torch_overwrites_only_its_own_exports(run, tmp_path):
    export = tmp_path / "toy.safetensors"
    assert invoke("export-torch", run, export).exit_code == 0
    assert invoke("export-torch", run, export).exit_code == 0  # its own: replaced
    other = tmp_path / "other.safetensors"
    other.write_bytes(b"someone's file")
    result = invoke("export-torch", run, other)
    assert result.exit_code == 1
    assert "exists and was not written by export-torch" in result.output
    assert other.read_bytes() == b"someone's file"


# ------------------------------------------------------------------ a diverging run


def test_a_loss_that_is_not_a_number_stops_the_run_at_once(tmp_path):
    out = tmp_path / "diverging"
    result = train_cli(out, "--lr", "1000", "--steps", "40")
    assert result.exit_code == 1, result.output
    found = re.search(r"step (\d+): training diverged \(loss \S+, gradient norm "
                      r"(inf|nan)\): stopped before this step changed the weights; "
                      r"the last checkpoint \(step (\d+), the best so far\) is kept",
                      result.output)  # fmt: skip
    assert found, result.output
    step, kept = int(found[1]), int(found[3])
    assert kept < step < 40
    assert "train again with a smaller --lr (this run had 1000)" in result.output
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["diverged"]["step"] == step and len(metrics["train"]) == step - 1
    weights = io.load_with_metadata(out / "model.safetensors")
    assert json.loads(weights[1]["info"])["step"] == kept
    assert all(np.isfinite(w).all() for w in weights[0].values())
