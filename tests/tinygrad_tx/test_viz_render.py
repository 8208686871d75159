"""render_graph: images with Graphviz, the DOT source and an install hint without it."""

from __future__ import annotations

import shutil

import graphviz
import pytest
from viz_models import tower_loss

from tinygrad_tx import Tensor
from tinygrad_tx.viz import draw_graph, render_graph
from tinygrad_tx.viz import render as render_module
from tinygrad_tx.viz.dot import TensorGraph

HAS_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(
    not HAS_DOT, reason="Graphviz's dot is not installed here (CI installs it)"
)

MAGIC = {"svg": b"<svg", "png": b"\x89PNG", "pdf": b"%PDF"}


def _loss():
    return tower_loss()[0]


@needs_dot
@pytest.mark.parametrize("fmt", ["svg", "png", "pdf"])
def test_renders_an_image(tmp_path, fmt):
    path = render_graph(_loss(), tmp_path / "tower", format=fmt, depth=2)
    assert path == tmp_path / f"tower.{fmt}"
    assert MAGIC[fmt] in path.read_bytes()[:400]


@needs_dot
def test_svg_holds_the_module_labels(tmp_path):
    path = render_graph(_loss(), tmp_path / "tower.svg", format="svg", depth=2)
    svg = path.read_text()
    assert "blocks.0 (Block)" in svg and "applies mask" in svg


def test_dot_format_writes_the_source(tmp_path):
    path = render_graph(_loss(), tmp_path / "g", format="dot")
    assert path.suffix == ".dot"
    assert path.read_text().startswith("digraph tinygrad_tx {")


def test_without_dot_the_source_is_saved_with_an_install_hint(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setattr(render_module.shutil, "which", lambda name: None)
    path = render_graph(_loss(), tmp_path / "tower", format="png")
    assert path == tmp_path / "tower.dot"
    assert path.read_text().startswith("digraph tinygrad_tx {")
    assert not (tmp_path / "tower.png").exists()
    err = capsys.readouterr().err
    assert "`dot` program was not found" in err
    for hint in ("sudo apt install graphviz", "brew install graphviz", "conda install"):
        assert hint in err
    assert f"dot -Tsvg {path}" in err


def test_when_the_graphviz_backend_fails_the_source_is_saved(
    tmp_path, monkeypatch, capsys
):
    def broken(self, *args, **kwargs):
        raise graphviz.ExecutableNotFound(("dot",))

    monkeypatch.setattr(TensorGraph, "pipe", broken)
    monkeypatch.setattr(render_module.shutil, "which", lambda name: "/usr/bin/dot")
    path = render_graph(_loss(), tmp_path / "tower", format="svg")
    assert path.suffix == ".dot" and path.exists()
    assert "apt install graphviz" in capsys.readouterr().err


def test_bad_format(tmp_path):
    with pytest.raises(ValueError, match="format must be one of svg, png, pdf, dot"):
        render_graph(_loss(), tmp_path / "g", format="jpeg")


def test_draw_options_pass_through(tmp_path):
    path = render_graph(_loss(), tmp_path / "g", format="dot", depth=0, rankdir="TB")
    source = path.read_text()
    assert "rankdir=TB" in source and "<B>Tower</B>" in source


# ---------------------------------------------------------------- Jupyter


@needs_dot
def test_jupyter_shows_svg():
    bundle = draw_graph(_loss(), depth=1)._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"]


def test_jupyter_without_dot_shows_the_text_tree_and_the_hint(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    graph = draw_graph(Tensor([1.0], requires_grad=True, name="x").exp())

    def missing(self, *args, **kwargs):
        raise graphviz.ExecutableNotFound(("dot",))

    monkeypatch.setattr(graphviz.Digraph, "_repr_mimebundle_", missing)
    text = graph._repr_mimebundle_()["text/plain"]
    assert "%1 = exp(x)" in text
    assert "brew install graphviz" in text
