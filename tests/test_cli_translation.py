"""`train-toy-translation`, `translate` and `evaluate` through click's CliRunner:
what a student sees, including a clear message (never a traceback) for each
kind of bad input."""

import json
import re

import pytest
from click.testing import CliRunner

from cli import main
from transformer.data import make_toy_splits
from transformer.train import DEFAULT_MODEL, TrainConfig

TINY_OPTIONS = [
    "--steps", "300", "--d-model", "64", "--layers", "1", "--heads", "4",
    "--d-ff", "128", "--dropout", "0", "--lr", "3e-3", "--warmup", "50",
    "--eval-every", "150", "--batch-size", "64",
]  # fmt: skip


def invoke(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input)


def _write_tsv(path, pairs):
    path.write_text("".join(f"{en}\t{pt}\n" for en, pt in pairs), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A tiny model trained through the CLI on toy pairs given as a TSV file."""
    root = tmp_path_factory.mktemp("cli")
    pairs = make_toy_splits(seed=0, n_train=4000, n_valid=10, n_test=10).train
    tsv = _write_tsv(root / "pairs.tsv", pairs)
    out = root / "run"
    result = invoke("train-toy-translation", *TINY_OPTIONS, "--data", str(tsv),
                    "--out", str(out))  # fmt: skip
    assert result.exit_code == 0, result.output
    return out, result.output


# ------------------------------------------------------------------ training


@pytest.mark.slow
def test_training_prints_the_data_the_model_the_scores_and_the_files(trained):
    out, output = trained
    assert re.search(r"pairs: train \d+, valid 200, test 200", output)
    assert "random split by source sentence" in output
    assert "model: d_model 64, 4 heads, 1 layer," in output
    assert re.search(r"test \(200 held-out sentences\): exact match", output)
    assert f"written to {out}/" in output
    assert "Traceback" not in output
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["test"]["exact_match"] >= 0.5  # ~0.7: a tiny model, 300 steps


def test_help_shows_the_defaults_of_the_library():
    text = invoke("train-toy-translation", "--help").output
    config = TrainConfig()
    for option, value in [
        ("--steps", config.steps), ("--batch-size", config.batch_size),
        ("--lr", config.lr), ("--warmup", config.warmup),
        ("--d-model", DEFAULT_MODEL["d_model"]), ("--layers", DEFAULT_MODEL["n_layers"]),
        ("--heads", DEFAULT_MODEL["n_heads"]), ("--d-ff", DEFAULT_MODEL["d_ff"]),
        ("--dropout", DEFAULT_MODEL["dropout"]), ("--seed", config.seed),
        ("--eval-every", config.eval_every), ("--max-len", DEFAULT_MODEL["max_len"]),
    ]:  # fmt: skip
        help_text = " ".join(
            text.split(option + " ", 1)[1].split("\n  --", 1)[0].split()
        )
        assert re.search(rf"\[default: {value}[;\]]", help_text), option
    assert "issue" not in text


def test_tsv_without_valid_lines_is_refused(tmp_path):
    tsv = tmp_path / "bad.tsv"
    tsv.write_text("no tab here\nnor here\n", encoding="utf-8")
    result = invoke("train-toy-translation", "--data", str(tsv), "--out",
                    str(tmp_path / "run"))  # fmt: skip
    assert result.exit_code == 1
    assert "no valid sentence pairs" in result.output
    assert "line 1: no tab between source and target" in result.output
    assert "Traceback" not in result.output


def test_missing_tsv_is_refused(tmp_path):
    result = invoke("train-toy-translation", "--data", str(tmp_path / "none.tsv"),
                    "--out", str(tmp_path / "run"))  # fmt: skip
    assert result.exit_code == 1
    assert f"pairs file not found: {tmp_path / 'none.tsv'}" in result.output


def test_unwritable_output_directory_is_refused(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = invoke("train-toy-translation", "--steps", "1", "--out",
                    str(blocker / "run"))  # fmt: skip
    assert result.exit_code == 1
    assert f"cannot write to the output directory {blocker / 'run'}" in result.output
    assert "--out DIR" in result.output


def test_resume_refuses_to_change_the_model(trained, tmp_path):
    run = _copy(trained[0], tmp_path / "run")
    before = {p.name: p.read_bytes() for p in run.iterdir()}
    result = invoke("train-toy-translation", "--resume", "--d-model", "32",
                    "--heads", "4", "--out", str(run))  # fmt: skip
    assert result.exit_code == 1
    assert "a resumed run keeps its saved settings: --d-model 32 (the run has 64)" in (
        result.output
    )
    assert "--heads" not in result.output.split("settings:")[1].split(";")[0]
    assert "only --steps and --device may change" in result.output
    assert {p.name: p.read_bytes() for p in run.iterdir()} == before


def test_resume_without_a_run_says_how_to_start_one(tmp_path):
    result = invoke("train-toy-translation", "--resume", "--out", str(tmp_path))
    assert result.exit_code == 1
    assert f"nothing to resume in {tmp_path}" in result.output


# ------------------------------------------------------------------ translating


SLIDES = ["I love books", "the cat sleeps on the mat"]
EXPECTED = "eu amo livros\no gato dorme no tapete\n"


@pytest.mark.parametrize("beam", ["1", "3"])
def test_translate_the_slide_sentences(trained, beam):
    out, _ = trained
    result = invoke("translate", "--checkpoint", str(out), "--beam", beam, *SLIDES)
    assert result.exit_code == 0, result.output
    assert result.stdout == EXPECTED


def test_translate_reads_standard_input_one_output_line_per_input_line(trained):
    out, _ = trained
    lines = "I love books\n\n  \nthe cat sleeps on the mat\n"
    result = invoke("translate", "--checkpoint", str(out), input=lines)
    assert result.exit_code == 0, result.output
    assert result.stdout == "eu amo livros\n\n\no gato dorme no tapete\n"
    assert result.stderr == ""  # blank lines in a stream are not a mistake


def test_translate_reads_utf8_stdin_with_a_bom_and_names_a_line_that_is_not(trained):
    out, _ = trained
    bom = "\ufeffI love books\n".encode()  # as Windows' Notepad saves UTF-8
    result = invoke("translate", "--checkpoint", str(out), input=bom)
    assert (result.exit_code, result.stdout) == (0, "eu amo livros\n"), result.output
    latin1 = "I love books\nthe cat sleeps on the mat\né\n".encode("latin-1")
    result = invoke("translate", "--checkpoint", str(out), input=latin1)
    assert result.exit_code == 2
    assert (
        "standard input is not UTF-8 text (line 3 has the byte 0xe9)" in result.output
    )


def test_translate_draws_the_attention_heatmap(trained, tmp_path):
    out, _ = trained
    png = tmp_path / "attention.png"
    result = invoke("translate", "--checkpoint", str(out), "--show-attention",
                    str(png), SLIDES[1])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"attention heatmap written to {png}" in result.stderr


def test_unknown_words_become_unk_with_a_warning_naming_them(trained):
    out, _ = trained
    result = invoke(
        "translate", "--checkpoint", str(out), "the zorgle sleeps on the blorp"
    )
    assert result.exit_code == 0
    assert "warning: unknown word(s) 'zorgle', 'blorp'" in result.stderr
    assert "translated as <unk>" in result.stderr
    assert len(result.stdout.splitlines()) == 1  # still translated


def test_an_empty_sentence_is_reported_and_the_others_translated(trained):
    out, _ = trained
    result = invoke("translate", "--checkpoint", str(out), "I love books", "  ",
                    "the cat sleeps on the mat")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout == "eu amo livros\n\no gato dorme no tapete\n"
    assert "warning: sentence 2 is empty: nothing to translate" in result.stderr


def test_nothing_but_empty_sentences_is_refused(trained):
    out, _ = trained
    result = invoke("translate", "--checkpoint", str(out), " ", "")
    assert result.exit_code == 2
    assert "every sentence is empty: nothing to translate" in result.output
    result = invoke("translate", "--checkpoint", str(out), input="\n\n")
    assert result.exit_code == 2
    assert "no sentences on standard input" in result.output


def test_missing_checkpoint_names_the_path_and_the_command(tmp_path):
    result = invoke("translate", "--checkpoint", str(tmp_path / "nope"), "hello")
    assert result.exit_code == 1
    assert f"no trained model in {tmp_path / 'nope'}" in result.output
    assert "python cli.py train-toy-translation --out" in result.output


def _copy(run, dst):
    dst.mkdir()
    for path in run.iterdir():
        (dst / path.name).write_bytes(path.read_bytes())
    return dst


def test_truncated_checkpoint_is_refused(trained, tmp_path):
    run = _copy(trained[0], tmp_path / "run")
    data = (run / "model.safetensors").read_bytes()
    (run / "model.safetensors").write_bytes(data[:1000])
    for command in (["translate", "hello"], ["evaluate"]):
        result = invoke(command[0], "--checkpoint", str(run), *command[1:])
        assert result.exit_code == 1
        assert "is not a readable safetensors file (truncated" in result.output
        assert "Traceback" not in result.output


def test_incompatible_checkpoint_is_refused(trained, tmp_path):
    run = _copy(trained[0], tmp_path / "run")
    config = json.loads((run / "config.json").read_text())
    config["model"]["src_vocab"] += 1
    (run / "config.json").write_text(json.dumps(config))
    result = invoke("translate", "--checkpoint", str(run), "hello")
    assert result.exit_code == 1
    assert "source and" in result.output and "the files come from different runs" in (
        result.output
    )


# ------------------------------------------------------------------ evaluating


def test_evaluate_prints_bleu_exact_match_and_token_accuracy(trained):
    out, _ = trained
    result = invoke("evaluate", "--checkpoint", str(out))
    assert result.exit_code == 0, result.output
    metrics = json.loads((out / "metrics.json").read_text())["test"]
    assert result.output.splitlines() == [
        "test split: 200 sentence pairs",
        f"BLEU            {metrics['bleu']:.1f}",
        f"exact match     {metrics['exact_match']:.1%}",
        f"token accuracy  {metrics['token_accuracy']:.1%}",
        f"loss            {metrics['loss']:.3f}",
    ]
    valid = invoke("evaluate", "--checkpoint", str(out), "--split", "valid")
    assert valid.output.startswith("valid split: 200 sentence pairs")


def test_a_sentence_too_long_for_the_model_is_reported_and_the_others_translated(
    trained,
):
    out, _ = trained
    long = " ".join(["the cat sleeps"] * 30)  # 90 tokens; the model reads 64
    result = invoke("translate", "--checkpoint", str(out), "I love books", long)
    assert result.exit_code == 1
    assert result.stdout == "eu amo livros\n\n"
    assert "warning: sentence 2 has 90 tokens, more than the 64 this model reads" in (
        result.stderr
    )
    assert "unknown word" not in result.stderr
    assert "Error: some sentences were not translated" in result.stderr


def test_show_attention_never_replaces_a_file_that_is_not_a_picture(trained, tmp_path):
    run = _copy(trained[0], tmp_path / "run")
    weights = (run / "model.safetensors").read_bytes()
    result = invoke("translate", "--checkpoint", str(run), "--show-attention",
                    str(run / "model.safetensors"), "I love books")  # fmt: skip
    assert result.exit_code == 1
    assert "is a file of the training run" in result.output
    assert (run / "model.safetensors").read_bytes() == weights
    notes = tmp_path / "notes.txt"
    notes.write_text("mine")
    result = invoke("translate", "--checkpoint", str(run), "--show-attention",
                    str(notes), "I love books")  # fmt: skip
    assert result.exit_code == 1
    assert "exists and is not a PNG picture, so it is not replaced" in result.output
    assert notes.read_text() == "mine"
    result = invoke("translate", "--checkpoint", str(run), "--html",
                    str(run / "vocab.json"), "I love books")  # fmt: skip
    assert result.exit_code == 1 and "is a file of the training run" in result.output
    page = tmp_path / "page.html"
    for _ in range(2):  # a page written before is replaced
        result = invoke("translate", "--checkpoint", str(run), "--html", str(page),
                        "I love books")  # fmt: skip
        assert result.exit_code == 0, result.output
