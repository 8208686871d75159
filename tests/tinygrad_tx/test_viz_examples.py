"""The render-graph examples: counts, names and the numbers they print."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from dot_source import clusters, count, edges, nodes

from tinygrad_tx.viz import draw_graph, graph_text
from transformer import graph_examples as gx


def test_neuron_nodes_and_edges():
    source = draw_graph(gx.neuron()).source
    found = nodes(source)
    # tensors x1 x2 w1 w2 b, x1*w1, x2*w2, their sum, n, o; ops mul mul add add tanh
    assert (count(found, "t"), count(found, "o")) == (10, 5)
    assert len(edges(source)) == 14  # 2 + 2 + 2 + 2 + 1 inputs, 5 outputs


def test_neuron_values_and_gradients_by_hand():
    """o = tanh(0.8814) = 0.7071, do/dn = 1 - o² = 0.5; dw1 = x1·0.5, dx1 = w1·0.5."""
    o = gx.neuron()
    text = graph_text(o, show_data=True, show_grad=True)
    assert "o = tanh(n)  -> () float32  data 0.7071  grad 1.0000  <- output" in text
    assert "x1  input () float32  data 2.0000  grad -1.5000" in text
    assert "w1  param () float32  data -3.0000  grad 1.0000" in text
    assert "w2  param () float32  data 1.0000  grad 0.0000" in text
    assert "x2  input () float32  data 0.0000  grad 0.5000" in text
    source = draw_graph(o, show_data=True, show_grad=True).source
    assert "data 0.8814" in source and "grad 0.5000" in source


def test_mlp_nodes_edges_and_names():
    loss = gx.mlp()
    source = draw_graph(loss).source
    found = nodes(source)
    # x, y; per layer weight, bias, output; two tanh outputs; sub, the constant 2,
    # pow, the loss: 17 tensors; 3 linear, 2 tanh, sub, pow, mean: 8 ops
    assert (count(found, "t"), count(found, "o")) == (17, 8)
    assert len(edges(source)) == 3 * 4 + 2 * 2 + 3 + 3 + 2
    for k in range(3):
        assert f"<B>layers.{k}.weight</B>" in source
        assert clusters(source)[f"cluster_layers.{k}"]["parent"] == "cluster_MLP"


def test_mlp_loss_is_the_mean_squared_error():
    loss = gx.mlp()
    assert loss.item() == pytest.approx(float(np.mean(_mlp_errors() ** 2)), rel=1e-5)


def _mlp_errors():
    """MLP(x) - y recomputed in NumPy from the same seeded weights."""
    import tinygrad_tx

    tinygrad_tx.manual_seed(0)
    model = gx.MLP()
    h = np.array(
        [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    )
    layers = list(model.layers)
    for k, layer in enumerate(layers):
        h = h @ layer.weight.numpy().T + layer.bias.numpy()
        h = np.tanh(h) if k < len(layers) - 1 else h
    return h - np.array([[1.0], [-1.0], [-1.0], [1.0]])


def test_softmax_fused_and_composed_agree():
    panels = gx.softmax()
    fused, composed = panels.values()
    want = np.exp([2.0, 1.0, 0.1]) / np.exp([2.0, 1.0, 0.1]).sum()
    np.testing.assert_allclose(fused.numpy()[0], want, rtol=1e-6)
    np.testing.assert_allclose(composed.numpy()[0], want, rtol=1e-6)
    source = draw_graph(panels).source
    found = clusters(source)
    fused_ops = [n for n in found["cluster_panel0"]["nodes"] if n.startswith("o")]
    composed_ops = [n for n in found["cluster_panel1"]["nodes"] if n.startswith("o")]
    assert len(fused_ops) == 1  # softmax
    assert len(composed_ops) == 4  # sub, exp, sum, div
    text = graph_text(panels, show_grad=True)
    assert text.count("grad [[ 0.2247 -0.1598 -0.065 ]]") == 3  # x twice, sub once


def test_every_example_builds_and_draws():
    for name, example in gx.EXAMPLES.items():
        graph = draw_graph(example.build("cpu"), **example.options)
        assert graph.n_nodes > 0, name


def test_unknown_example():
    with pytest.raises(ValueError, match="unknown graph example 'nope'; choose one of"):
        gx.get_example("nope")


@pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz's dot is not installed"
)
def test_docs_images_are_small_pngs(tmp_path):
    paths = gx.write_docs_images(tmp_path)
    assert [p.name for p in paths] == [f"{n}.png" for n in gx.DOCS_IMAGES]
    for path in paths:
        data = path.read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) < 200_000, path


def test_examples_draw_the_same_on_every_device(device):
    """Labels read values and gradients through to_numpy: CuPy arrays too."""
    on_cpu = draw_graph(gx.neuron("cpu"), show_data=True, show_grad=True).source
    assert (
        draw_graph(gx.neuron(device), show_data=True, show_grad=True).source == on_cpu
    )
    layer = gx.encoder_layer(device)
    colored = draw_graph(layer, color_by_grad=True, compact=True)
    assert colored.source.count("fillcolor=") > 0
    assert draw_graph(layer).source == draw_graph(gx.encoder_layer("cpu")).source
