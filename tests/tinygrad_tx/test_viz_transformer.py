"""Drawings of the Transformer examples: module clusters, folding, where masks enter.

The checks hold whatever ops a module uses inside (fused or composed): they
follow the module tree, the parameter names and the ops that apply masks.
"""

from __future__ import annotations

import shutil

import pytest
from dot_source import clusters, count, nodes

from tinygrad_tx.viz import draw_graph, style
from transformer import graph_examples as gx


def _path(cluster: str) -> str:
    return cluster.removeprefix("cluster_")


def _enclosing(path: str, paths: set[str]) -> str | None:
    """The longest dotted prefix of `path` among `paths` (its parent cluster)."""
    parts = path.split(".")
    for k in range(len(parts) - 1, 0, -1):
        if ".".join(parts[:k]) in paths:
            return ".".join(parts[:k])
    return None


def _masked_ops(source: str) -> list[str]:
    return [k for k, a in nodes(source).items() if "shape=octagon" in a]


def _cluster_of(node: str, found: dict) -> str | None:
    return next((c for c, info in found.items() if node in info["nodes"]), None)


@pytest.mark.parametrize("compact", [False, True], ids=["ops-and-tensors", "compact"])
def test_encoder_layer_clusters_nest_by_dotted_path(compact):
    found = clusters(draw_graph(gx.encoder_layer(), compact=compact).source)
    assert found["cluster_EncoderLayer"]["parent"] is None
    assert found["cluster_self_attn"]["parent"] == "cluster_EncoderLayer"
    assert found["cluster_ffn"]["parent"] == "cluster_EncoderLayer"
    assert found["cluster_self_attn"]["label"] == "self_attn (MultiHeadAttention)"
    paths = {_path(c) for c in found} - {"EncoderLayer"}
    for path in paths:
        parent = _enclosing(path, paths)
        want = f"cluster_{parent}" if parent else "cluster_EncoderLayer"
        assert found[f"cluster_{path}"]["parent"] == want, path


def test_encoder_layer_parameters_sit_in_their_modules():
    from transformer.layers import EncoderLayer

    source = draw_graph(gx.encoder_layer()).source
    found, inside = nodes(source), clusters(source)
    names = [n for n, _ in EncoderLayer(16, 2, 32).named_parameters()]
    assert len(names) == 16  # w_q, w_k, w_v, w_o, linear1, linear2, norm1, norm2
    for name in names:
        node = next(k for k, a in found.items() if f"<B>{name}</B>" in a)
        owner = _path(_cluster_of(node, inside))
        assert owner == "EncoderLayer" or name.startswith(owner + "."), (name, owner)


def test_encoder_layer_mask_enters_in_self_attention():
    source = draw_graph(gx.encoder_layer()).source
    (masked,) = _masked_ops(source)
    assert _cluster_of(masked, clusters(source)).startswith("cluster_self_attn")
    assert "applies an attention mask" in nodes(source)["legend"]


def test_decoder_layer_masks_enter_in_both_attentions():
    source = draw_graph(gx.decoder_layer()).source
    found = clusters(source)
    where = sorted(_cluster_of(op, found) for op in _masked_ops(source))
    assert len(where) == 2
    assert where[0].startswith("cluster_cross_attn")  # padding mask of the source
    assert where[1].startswith("cluster_self_attn")  # causal mask
    memory = next(k for k, a in nodes(source).items() if "<B>memory</B>" in a)
    assert _cluster_of(memory, found) is None  # an input: outside every module


def test_encoder_layer_collapse_at_each_depth():
    out = gx.encoder_layer()
    at = {d: draw_graph(out, depth=d) for d in range(5)}
    boxes = {
        d: [a for k, a in nodes(g.source).items() if k[0] == "m"] for d, g in at.items()
    }
    # depth 0: one box for the whole layer, with its shapes
    assert len(boxes[0]) == 1 and "<B>EncoderLayer</B>" in boxes[0][0]
    assert "(2, 5, 16) → (2, 5, 16)" in boxes[0][0]
    assert clusters(at[0].source) == {}
    # depth 1: the layer is a cluster; attention and feed-forward are boxes
    assert set(clusters(at[1].source)) == {"cluster_EncoderLayer"}
    attn = [b for b in boxes[1] if "<B>MultiHeadAttention</B>" in b]
    ffn = [b for b in boxes[1] if "<B>PositionwiseFeedForward</B>" in b]
    assert len(attn) == 1 and style.MASK_RED in attn[0] and "applies mask" in attn[0]
    assert len(ffn) == 1 and style.MASK_RED not in ffn[0]
    # depth 2: clusters two levels deep, nothing deeper
    names = set(clusters(at[2].source))
    assert {"cluster_EncoderLayer", "cluster_self_attn", "cluster_ffn"} <= names
    assert all(_path(c).count(".") == 0 for c in names)
    # deeper never draws fewer nodes; depth 3 is everything
    sizes = [at[d].n_nodes for d in range(5)]
    assert sizes == sorted(sizes) and sizes[3] == sizes[4] == draw_graph(out).n_nodes
    assert count(nodes(at[3].source), "m") == 0


def test_transformer_at_depth_two_is_an_overview():
    loss = gx.transformer_step()
    graph = draw_graph(loss, depth=2, compact=True)
    found = clusters(graph.source)
    assert {"cluster_Transformer", "cluster_encoder", "cluster_decoder"} <= set(found)
    assert found["cluster_encoder"]["parent"] == "cluster_Transformer"
    boxes = {k: a for k, a in nodes(graph.source).items() if k[0] == "m"}
    layers = [a for a in boxes.values() if "Layer</B>" in a]
    assert len(layers) == 4  # 2 encoder + 2 decoder layers
    assert all("applies mask" in a for a in layers)
    for path in ("encoder.layers.0", "encoder.layers.1", "decoder.layers.1"):
        box = next(k for k, a in boxes.items() if f"{path}<BR/>" in a)
        assert _cluster_of(box, found) == "cluster_" + path.split(".")[0]
    assert graph.n_nodes <= 40  # fits one screen


def test_transformer_auto_collapse():
    loss = gx.transformer_step()
    full = draw_graph(loss, max_nodes=10**6).n_nodes
    graph = draw_graph(loss, max_nodes=60)
    assert full > 60 >= graph.n_nodes
    assert draw_graph(loss, depth=graph.depth + 1).n_nodes > 60
    assert f"auto-collapsed to module depth {graph.depth}" in graph.source
    assert f"of {full:,} nodes" in graph.source


def test_parameter_names_in_the_full_transformer_graph():
    loss = gx.transformer_step()
    source = draw_graph(loss, max_nodes=10**6).source
    for name in (
        "encoder.layers.0.self_attn.w_q.weight",
        "decoder.layers.1.cross_attn.w_o.bias",
        "decoder.layers.0.ffn.linear2.weight",
        "src_embed.weight",
        "out_proj.weight",
    ):
        assert f"<B>{name}</B>" in source, name


@pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz's dot is not installed"
)
def test_transformer_renders_to_svg(tmp_path):
    path = gx.render_example("transformer", tmp_path, format="svg")
    assert path.name == "transformer.svg"
    svg = path.read_text()
    assert "encoder.layers.0" in svg and "applies mask" in svg


def test_the_examples_colour_the_transformers_modules_from_their_palette(tmp_path):
    path = gx.render_example("encoder-layer", tmp_path, format="dot")
    found = clusters(path.read_text(encoding="utf-8"))
    want = style.CLUSTER_FILLS[gx.MODULE_COLORS["MultiHeadAttention"]]
    assert found["cluster_self_attn"]["fill"] == want
    want = style.CLUSTER_FILLS[gx.MODULE_COLORS["EncoderLayer"]]
    assert found["cluster_EncoderLayer"]["fill"] == want
