"""`python cli.py render-graph`: listing, writing, errors."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from transformer.graph_examples import EXAMPLES


def _load_cli():
    """The repository's cli.py itself (an installed copy in site-packages can
    be older than the working tree)."""
    path = Path(__file__).resolve().parents[1] / "cli.py"
    spec = importlib.util.spec_from_file_location("tinygrad_tx_cli", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


main = _load_cli().main

needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz's dot is not installed here"
)


def _run(*args):
    return CliRunner().invoke(main, ["render-graph", *args])


def test_list_names_every_example_with_a_line():
    result = _run("--list")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert [line.split()[0] for line in lines] == list(EXAMPLES)
    assert all(len(line.split()) > 3 for line in lines)


def test_writes_dot_source(tmp_path):
    result = _run("mlp", "--format", "dot", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    path = tmp_path / "mlp.dot"
    assert result.output.strip() == f"wrote {path}"
    assert "cluster_layers.0" in path.read_text()


@needs_dot
def test_writes_png_with_depth_in_the_name(tmp_path):
    result = _run("mlp", "--depth", "1", "--format", "png", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "mlp-depth1.png").read_bytes().startswith(b"\x89PNG")


def test_show_data_flag_and_example_defaults(tmp_path):
    _run("mlp", "--format", "dot", "--out", str(tmp_path), "--show-data")
    assert "data [[" in (tmp_path / "mlp.dot").read_text()
    _run("neuron", "--format", "dot", "--out", str(tmp_path))  # on by default
    assert "grad -1.5000" in (tmp_path / "neuron.dot").read_text()
    _run("neuron", "--format", "dot", "--out", str(tmp_path), "--no-show-grad")
    assert "grad -1.5000" not in (tmp_path / "neuron.dot").read_text()


def test_text_tree(tmp_path):
    result = _run("mlp", "--text", "--depth", "1")
    assert result.exit_code == 0, result.output
    assert "%1 = layers.0(x)  -> (4, 4) float32  [Linear, folded: 1 op, 16 params]" in (
        result.output
    )


def test_all_writes_every_example(tmp_path):
    result = _run("all", "--format", "dot", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert sorted(p.stem for p in tmp_path.iterdir()) == sorted(EXAMPLES)


def test_unknown_example_lists_the_valid_ones():
    result = _run("lenet")
    assert result.exit_code == 2
    assert (
        "unknown example 'lenet'; choose one of " + ", ".join(EXAMPLES) in result.output
    )
    assert "Traceback" not in result.output


def test_no_example_is_a_usage_error():
    result = _run()
    assert result.exit_code == 2 and "name an EXAMPLE" in result.output


def test_bad_device_is_a_clear_error(tmp_path):
    result = _run("neuron", "--device", "tpu", "--out", str(tmp_path))
    assert result.exit_code == 1
    assert "unknown device 'tpu'" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_bad_depth_is_rejected_by_click():
    result = _run("mlp", "--depth", "-1")
    assert result.exit_code == 2 and "--depth" in result.output


def test_html_writes_the_interactive_page(tmp_path):
    path = tmp_path / "pages" / "layer.html"
    result = _run("encoder-layer", "--html", str(path), "--lang", "pt", "--depth", "0")
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote {path}\n"
    html = path.read_text(encoding="utf-8")
    assert '<html lang="pt">' in html and "retropropagação" in html
    assert '"folded":true' in html and '"folded":false' not in html  # depth 0


def test_html_writes_one_page_only(tmp_path):
    result = _run("all", "--html", str(tmp_path / "x.html"))
    assert result.exit_code == 2
    assert "--html" in result.output and "name one EXAMPLE, not all" in result.output
    assert not (tmp_path / "x.html").exists()
