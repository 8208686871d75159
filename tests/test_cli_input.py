"""Input checked where it enters, and what surprised a new user (issue 15):
each probe is the command a user ran and what they get now."""

import json
import math
import os
import re
import shutil
import struct
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from tinygrad_tx import io
from transformer import commands
from transformer.checkpoint import CheckpointError
from transformer.data import Vocab
from transformer.report import plural, token_labels
from transformer.run_dir import check_replaceable

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "en-pt.tsv"
SMALL = ["--d-model", "16", "--heads", "2", "--layers", "1", "--d-ff", "32",
         "--batch-size", "32", "--warmup", "2", "--eval-every", "3", "--steps", "6"]  # fmt: skip


def invoke(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input)


@pytest.fixture(scope="module")
def relative_data_run(tmp_path_factory):
    """A run trained from a folder of its own with `--data pairs.tsv`."""
    root = tmp_path_factory.mktemp("relative")
    shutil.copy(EXAMPLE, root / "pairs.tsv")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        result = invoke("train-toy-translation", *SMALL, "--data", "pairs.tsv",
                        "--out", "run")  # fmt: skip
    assert result.exit_code == 0, result.output
    return root


# ------------------------------------------------------------------ data files


def test_a_relative_data_path_is_stored_resolved(relative_data_run, monkeypatch):
    saved = json.loads((relative_data_run / "run" / "config.json").read_text())
    assert saved["train"]["data"] == str(relative_data_run / "pairs.tsv")
    monkeypatch.chdir(ROOT)  # evaluate from another folder
    result = invoke("evaluate", "--checkpoint", relative_data_run / "run")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("test split: 19 sentence pairs")


def test_a_data_file_changed_since_training_is_refused(relative_data_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(relative_data_run / "run", run)
    data = tmp_path / "pairs.tsv"
    data.write_text(EXAMPLE.read_text(encoding="utf-8") + "Yes.\tSim.\n")
    saved = json.loads((run / "config.json").read_text())
    saved["train"]["data"] = saved["data"]["path"] = str(data)
    (run / "config.json").write_text(json.dumps(saved))
    result = invoke("evaluate", "--checkpoint", run)
    assert result.exit_code == 1
    assert f"{data} changed since this run was trained" in result.output
    assert "Restore the file, or train a new run on it" in result.output
    resumed = invoke("train-toy-translation", "--resume", "--steps", "9", "--out", run)
    assert resumed.exit_code == 1
    assert "changed since this run was trained" in resumed.output


def test_a_missing_data_file_is_named(relative_data_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(relative_data_run / "run", run)
    saved = json.loads((run / "config.json").read_text())
    saved["train"]["data"] = str(tmp_path / "gone.tsv")
    (run / "config.json").write_text(json.dumps(saved))
    result = invoke("evaluate", "--checkpoint", run)
    assert result.exit_code == 1
    assert f"the data file of this run, {tmp_path / 'gone.tsv'}, is missing" in (
        result.output
    )


def test_a_max_len_too_short_for_the_toy_corpus_is_refused_first(tmp_path):
    result = invoke("train-toy-translation", "--max-len", "4", "--out", tmp_path / "r")
    assert result.exit_code == 1
    assert "--max-len 4 is too short for this data" in result.output
    assert "use --max-len 19 or more" in result.output
    assert not (tmp_path / "r").exists()


def test_a_tiny_tsv_trains_and_reports_whatever_the_model_writes(tmp_path):
    """3 pairs: the untrained model writes <pad> and <s>; the report, the
    attention picture and evaluate cope, and say '1 held-out sentence'."""
    data = tmp_path / "three.tsv"
    data.write_text("I love books\tEu amo livros\nThe cat sleeps\tO gato dorme\n"
                    "We eat\tNós comemos\n", encoding="utf-8")  # fmt: skip
    for seed in ("0", "2", "4"):
        out = tmp_path / f"run{seed}"
        result = invoke("train-toy-translation", "--data", data, "--steps", "3",
                        "--seed", seed, "--out", out)  # fmt: skip
        assert result.exit_code == 0, result.output
        assert "test (1 held-out sentence): exact match" in result.output
        assert (out / "attention.png").read_bytes()[:4] == b"\x89PNG"
    result = invoke("evaluate", "--checkpoint", tmp_path / "run0")
    assert result.output.startswith("test split: 1 sentence pair\n")


def test_token_labels_name_every_id_the_model_wrote():
    vocab = Vocab(["gato", "dorme", "a\x00b"])
    ids = [vocab.stoi["gato"], 0, 1, vocab.stoi["a\x00b"], 3]
    assert token_labels(vocab, ids) == ["gato", "<pad>", "<s>", "a?b", "<unk>"]
    assert plural(1, "sentence pair") == "1 sentence pair"
    assert plural(1200, "held-out sentence") == "1,200 held-out sentences"


@pytest.mark.parametrize(
    "content, message",
    [
        ("Hi\tOi\n".encode("utf-16"), "is UTF-16 text, not UTF-8"),
        (b"Hi\tOi\rBye\tTchau\r", "ends its lines with CR only"),
        ("Bread\tPão\nApple\tMaçã\n".encode("latin-1"), "probably Latin-1"),
        (b"Hi\tOi\nBye\tTchau\n", "2 distinct source sentences are too few"),
        (
            b"Hi\tOi\n",
            "1 distinct source sentence is too few to split into train, "
            "validation (1) and test (1): give at least 3",
        ),
    ],
    ids=["utf-16", "cr-only", "latin-1", "too-few", "one-line"],
)
def test_unusable_tsv_files_are_named_in_one_line(tmp_path, content, message):
    data = tmp_path / "pairs.tsv"
    data.write_bytes(content)
    result = invoke("train-toy-translation", "--data", data, "--out", tmp_path / "r")
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and message in result.output
    assert "split_pairs" not in result.output  # no function names
    assert not (tmp_path / "r").exists()


def test_pairs_longer_than_max_len_are_skipped_at_load_naming_the_lines(tmp_path):
    data = tmp_path / "pairs.tsv"
    long = " ".join(["word"] * 70)
    data.write_text(EXAMPLE.read_text(encoding="utf-8") + f"{long}\tLonga.\n",
                    encoding="utf-8")  # fmt: skip
    out = tmp_path / "run"
    result = invoke("train-toy-translation", *SMALL, "--data", data, "--out", out)
    assert result.exit_code == 0, result.output
    assert "warning:" in result.output
    assert "line 380: source has 70 tokens, more than 64 (raise --max-len)" in (
        result.output
    )
    kept = invoke("train-toy-translation", *SMALL, "--data", data, "--max-len", "80",
                  "--out", tmp_path / "run80")  # fmt: skip
    assert kept.exit_code == 0 and "line 380" not in kept.output


# ------------------------------------------------------------------ checkpoints


def _crafted(path: Path, name: str, shape: list, sparse: bool):
    """A safetensors header claiming one float32 tensor of `shape`, in a 4 KB
    file, or (`sparse`) in a file as long as the header says, of which
    nothing but the header is written."""
    nbytes = 4 * math.prod(shape)
    header = json.dumps({name: {"dtype": "F32", "shape": shape,
                                "data_offsets": [0, nbytes]}}).encode()  # fmt: skip
    path.write_bytes(struct.pack("<Q", len(header)) + header)
    with open(path, "r+b") as f:
        f.truncate(8 + len(header) + nbytes if sparse else 4096)


@pytest.mark.parametrize("sparse", [False, True], ids=["4KB", "sparse-3GB"])
def test_a_crafted_weights_header_is_refused_before_reading(
    relative_data_run, tmp_path, monkeypatch, sparse
):
    run = tmp_path / "run"
    shutil.copytree(relative_data_run / "run", run)
    # 3 GB of float32; sparse: the file has them, only the shape is wrong
    _crafted(run / "model.safetensors", "src_embed.weight", [750_000_000], sparse)

    def no_reading(*args, **kwargs):
        raise AssertionError("the tensors were read before the header was checked")

    monkeypatch.setattr(io, "load_with_metadata", no_reading)
    result = invoke("translate", "--checkpoint", run, "I am hungry.")
    assert result.exit_code == 1
    if sparse:
        assert "src_embed.weight has shape (750000000,) in the file but is" in (
            result.output
        )
    else:
        assert "'src_embed.weight' claims 3,000,000,000 bytes but the file holds" in (
            result.output
        )


# ------------------------------------------------------------------ small messages


def test_bench_engine_seed_minus_one_names_the_option():
    result = invoke("bench", "engine", "--seed", "-1")
    assert result.exit_code == 2
    assert "Invalid value for '--seed': -1 is not in the range" in result.output


def _commands(group, path=()):
    for name, command in group.commands.items():
        yield (*path, name)
        if hasattr(command, "commands"):
            yield from _commands(command, (*path, name))


def test_no_help_text_leaks_an_internal_reference():
    for path in _commands(main):
        text = invoke(*path, "--help").output
        assert not re.search(r"\bissue\b|\(issue", text), path


def test_info_counts_the_parameters_of_the_trained_toy_model():
    result = invoke("info", "--model", "toy")
    assert result.exit_code == 0, result.output
    assert "src_vocab          189" in result.output
    assert "tgt_vocab          296" in result.output
    assert "total                  1,025,960  (1.03 M)" in result.output  # README's


def test_hints_print_the_command_the_user_typed(monkeypatch):
    monkeypatch.setattr("sys.argv", ["cli.py", "train-toy-translation"])
    monkeypatch.setattr("sys.orig_argv", ["python3", "cli.py"], raising=False)
    monkeypatch.delenv("UV_RUN_RECURSION_DEPTH", raising=False)
    assert commands.command("translate") == "python3 cli.py translate"
    monkeypatch.setenv("UV_RUN_RECURSION_DEPTH", "1")
    assert commands.command("translate") == "uv run python3 cli.py translate"
    monkeypatch.setattr("sys.argv", ["/home/ana/.venv/bin/tx", "translate"])
    assert commands.command("evaluate") == "uv run tx evaluate"
    monkeypatch.setattr("sys.argv", ["/usr/lib/ipykernel_launcher.py"])
    monkeypatch.delenv("UV_RUN_RECURSION_DEPTH")
    assert commands.command("evaluate") == "python cli.py evaluate"


def test_render_graph_html_never_replaces_a_file_of_another_kind(tmp_path):
    notes = tmp_path / "notes.html"
    notes.write_text("my notes, not a page")
    result = invoke("render-graph", "neuron", "--html", notes)
    assert result.exit_code == 1
    assert "exists and is not an HTML page, so it is not replaced" in result.output
    assert notes.read_text() == "my notes, not a page"


def test_a_page_or_picture_under_a_name_of_another_kind_is_refused(tmp_path):
    for name, suggestion in (("graph.png", "graph.html"), ("graph", "graph.html")):
        result = invoke("render-graph", "neuron", "--html", tmp_path / name)
        assert result.exit_code == 1
        said = f"is an HTML page: name it e.g. {suggestion}"
        assert "does not end in .html" in result.output and said in result.output
        assert not (tmp_path / name).exists()
    result = invoke("render-graph", "neuron", "--html", tmp_path / "graph.HTM")
    assert result.exit_code == 0, result.output
    check_replaceable(tmp_path / "a.png", "a PNG picture")  # nothing raised
    with pytest.raises(CheckpointError, match=r"x\.txt does not end in \.png"):
        check_replaceable(tmp_path / "x.txt", "a PNG picture")


# ------------------------------------------------------------------ without Graphviz


@pytest.fixture
def no_dot(tmp_path, monkeypatch):
    """A PATH without Graphviz's dot."""
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert shutil.which("dot") is None


def test_render_all_without_dot_says_how_to_install_once(no_dot, tmp_path):
    out = tmp_path / "graphs"
    result = invoke("render-graph", "all", "--format", "png", "--out", out)
    assert result.exit_code == 0, result.output
    assert result.stderr.count("Install Graphviz") == 1
    assert "then: dot -Tpng FILE.dot -o FILE.png" in result.stderr
    assert "-Tsvg" not in result.stderr
    assert {p.suffix for p in out.iterdir()} == {".dot"}
    one = invoke("render-graph", "neuron", "--format", "pdf", "--out", out)
    assert f"then: dot -Tpdf {out / 'neuron.dot'} -o {out / 'neuron.pdf'}" in (
        one.stderr
    )


def test_docs_images_without_dot_writes_nothing(no_dot, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("render-graph", "--docs-images")
    assert result.exit_code == 2
    assert "--docs-images writes PNGs and needs Graphviz's `dot` program" in (
        result.output
    )
    assert "nothing was written" in result.output
    assert not (tmp_path / "docs").exists()


def test_file_names_that_are_not_utf8_train_evaluate_and_resume(tmp_path):
    """A Latin-1 name ("café" as the bytes caf\xe9) reaches Python as a string with
    a lone surrogate; the run's JSON files must still be written and read back."""
    data = os.fsdecode(bytes(tmp_path) + b"/caf\xe9.tsv")
    out = tmp_path / "run"
    shutil.copy(EXAMPLE, data)
    result = invoke("train-toy-translation", *SMALL, "--data", data, "--out", out)
    assert result.exit_code == 0, result.output
    config = json.loads((Path(out) / "config.json").read_text(encoding="utf-8"))
    assert config["train"]["data"] == data  # the same name, read back
    assert invoke("evaluate", "--checkpoint", out).exit_code == 0
    result = invoke("train-toy-translation", "--resume", "--steps", "8", "--out", out)
    os.remove(data)  # a non-UTF-8 name left in pytest's tmp tree upsets later tests
    assert result.exit_code == 0, result.output
