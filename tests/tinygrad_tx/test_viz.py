"""draw_graph: the DOT source it builds (nodes, edges, clusters, folding, styles)."""

from __future__ import annotations

import numpy as np
import pytest
from dot_source import clusters, count, edges, nodes
from viz_models import tower_loss

from tinygrad_tx import Tensor, nn
from tinygrad_tx.viz import draw_graph, style


def _tiny():
    a = Tensor([1.0, 2.0], requires_grad=True, name="a")
    b = Tensor([3.0, 4.0], requires_grad=True, name="b")
    return a * b + 1.5


def test_tensors_and_ops_of_a_small_expression():
    source = draw_graph(_tiny()).source
    found = nodes(source)
    # tensors a, b, a*b, the constant 1.5, the sum; ops mul, add
    assert count(found, "t") == 5
    assert count(found, "o") == 2
    assert len(edges(source)) == 6  # 2 + 1 for mul, 2 + 1 for add
    assert "<B>a</B>" in source and "<B>b</B>" in source
    assert "1.5<BR/>" in source and "const float32" in source
    assert "subgraph" not in source  # no module ran: no cluster


def test_values_and_gradients_of_small_tensors_only():
    out = _tiny()
    out.backward(np.ones(2, np.float32))
    source = draw_graph(out, show_data=True, show_grad=True).source
    assert "data [3. 4.]" in source  # b
    assert "grad [1. 2.]" in source  # dL/db = a
    big = Tensor(np.arange(17.0), requires_grad=True, name="big")
    assert "data" not in draw_graph(big * 2, show_data=True).source


def test_graph_drawn_after_backward_is_the_same():
    loss, _ = tower_loss(backward=False)
    before = draw_graph(loss).source
    loss.backward()  # frees what each op saved, keeps the links
    assert draw_graph(loss).source == before


# ---------------------------------------------------------------- clusters


def test_clusters_nest_as_the_module_calls_did():
    loss, _ = tower_loss()
    found = clusters(draw_graph(loss).source)
    assert found["cluster_Tower"]["parent"] is None
    assert found["cluster_blocks.0"]["parent"] == "cluster_Tower"
    assert found["cluster_blocks.0.mix"]["parent"] == "cluster_blocks.0"
    assert found["cluster_blocks.0.mix.q"]["parent"] == "cluster_blocks.0.mix"
    assert found["cluster_blocks.1.ffn.2"]["parent"] == "cluster_blocks.1.ffn"
    assert found["cluster_head"]["parent"] == "cluster_Tower"
    assert found["cluster_blocks.0.mix"]["label"] == "blocks.0.mix (Mix)"
    assert found["cluster_Tower"]["label"] == "Tower"


def test_parameters_show_their_dotted_names_inside_their_module():
    loss, model = tower_loss()
    source = draw_graph(loss).source
    found, inside = nodes(source), clusters(source)
    for name, _ in model.named_parameters():
        node = next(k for k, attr in found.items() if f"<B>{name}</B>" in attr)
        owner = "cluster_" + name.rsplit(".", 1)[0]
        assert node in inside[owner]["nodes"], (name, owner)


def test_named_input_sits_outside_every_module():
    loss, _ = tower_loss()
    source = draw_graph(loss).source
    x = next(k for k, attr in nodes(source).items() if "<B>x</B>" in attr)
    assert all(x not in c["nodes"] for c in clusters(source).values())


def test_a_module_called_twice_gets_two_clusters():
    class Twice(nn.Module):
        def __init__(self):
            self.lin = nn.Linear(2, 2)

        def forward(self, x):
            return self.lin(self.lin(x))

    out = Twice()(Tensor([[1.0, 2.0]], name="x"))
    found = clusters(draw_graph(out).source)
    assert found["cluster_lin"]["label"] == "lin (Linear)"
    assert found["cluster_lin#2"]["label"] == "lin (Linear), call 2"


# ---------------------------------------------------------------- folding


# depth -> (clusters drawn, folded boxes), counted by hand from viz_models.Tower:
# Tower > blocks.i > {mix > {q, k}, ffn > {0, 1, 2}, norm}, and Tower > head.
FOLDING = {
    0: (0, 1),  # the whole Tower is one box
    1: (1, 3),  # Tower; boxes blocks.0, blocks.1, head
    2: (4, 6),  # + blocks.0, blocks.1, head; boxes mix, ffn, norm per block
    3: (10, 10),  # + mix, ffn, norm per block; boxes q, k, ffn.0-2 per block
    4: (20, 0),  # everything
}


@pytest.mark.parametrize("depth", sorted(FOLDING))
def test_collapse_at_each_depth(depth):
    loss, _ = tower_loss()
    source = draw_graph(loss, depth=depth).source
    n_clusters, n_boxes = FOLDING[depth]
    assert len(clusters(source)) == n_clusters
    assert count(nodes(source), "m") == n_boxes


def test_depth_zero_is_one_box_with_its_shapes():
    loss, _ = tower_loss()
    graph = draw_graph(loss, depth=0)
    found = nodes(graph.source)
    assert (count(found, "t"), count(found, "o"), count(found, "m")) == (2, 1, 1)
    (box,) = [attr for k, attr in found.items() if k.startswith("m")]
    assert "<B>Tower</B>" in box
    assert "(2, 5, 4) → (2, 5, 3)" in box  # x in, the head's output out
    assert "applies mask" in box  # a masked op hides inside
    assert graph.n_nodes == 4  # x, the box, mean, the loss


def test_folded_box_keeps_its_inputs_and_outputs():
    loss, _ = tower_loss()
    source = draw_graph(loss, depth=2).source
    found = nodes(source)
    mix = next(k for k, a in found.items() if "blocks.0.mix<BR/>" in a)
    ffn = next(k for k, a in found.items() if "blocks.0.ffn<BR/>" in a)
    assert "40 params" in found[mix]  # q and k: 2 × (4·4 + 4)
    assert "76 params" in found[ffn]  # (4·8 + 8) + (8·4 + 4)
    targets = [b for a, b in edges(source) if a == mix]
    assert len(targets) == 1 and targets[0].startswith("o")  # into the residual add


def test_deeper_depth_never_draws_fewer_nodes():
    loss, _ = tower_loss()
    counts = [draw_graph(loss, depth=d).n_nodes for d in range(6)]
    assert counts == sorted(counts)
    assert counts[4] == counts[5] == draw_graph(loss).n_nodes == 79


def test_auto_collapse_to_the_deepest_depth_that_fits():
    loss, _ = tower_loss()
    graph = draw_graph(loss, max_nodes=30)
    assert graph.depth == 2
    assert graph.n_nodes == 21 <= 30
    assert draw_graph(loss, depth=3).n_nodes > 30
    assert "auto-collapsed to module depth 2 (21 of 79 nodes)" in graph.source
    assert "max_nodes=30" in graph.source


def test_no_note_when_the_depth_is_given_or_the_graph_fits():
    loss, _ = tower_loss()
    assert draw_graph(loss, depth=4, max_nodes=30).note is None
    assert draw_graph(loss).note is None  # 79 nodes fit the default


def test_auto_collapse_says_when_even_depth_zero_is_too_big():
    x = Tensor([1.0], requires_grad=True, name="x")
    for _ in range(20):
        x = x * 1.5  # 40 nodes, no module to fold
    graph = draw_graph(x, max_nodes=10)
    assert graph.depth == 0
    assert "still over max_nodes" in graph.note


# ---------------------------------------------------------------- styles


def test_mask_op_drawn_distinctly_with_a_legend():
    loss, _ = tower_loss()
    found = nodes(draw_graph(loss).source)
    masked = [a for a in found.values() if "masked_fill" in a and "shape=octagon" in a]
    assert len(masked) == 2  # one per block
    assert all(f'color="{style.MASK_RED}"' in a for a in masked)
    ops = [a for k, a in found.items() if k.startswith("o") and "masked_fill" not in a]
    assert ops and all("shape=ellipse" in a for a in ops)
    assert "applies an attention mask" in found["legend"]


def test_folded_box_with_a_mask_inside_is_red():
    loss, _ = tower_loss()
    found = nodes(draw_graph(loss, depth=2).source)
    mix = [a for a in found.values() if "<B>Mix</B>" in a]
    ffn = [a for a in found.values() if "<B>Sequential</B>" in a]
    assert len(mix) == 2 and all(style.MASK_RED in a for a in mix)
    assert len(ffn) == 2 and not any(style.MASK_RED in a for a in ffn)


def test_no_legend_without_masks_or_colours():
    assert "legend" not in nodes(draw_graph(_tiny()).source)


def test_gradient_colours_on_a_log_scale():
    big = Tensor(np.ones(3), requires_grad=True, name="big")
    tiny = Tensor(np.ones(3), requires_grad=True, name="tiny")
    dead = Tensor(np.ones(3), requires_grad=True, name="dead")
    loss = (big * 1000.0).sum() + (tiny * 0.001).sum() + (dead * 0.0).sum()
    loss.backward()  # grads: 1000, 0.001 and 0 everywhere
    found = nodes(draw_graph(loss, color_by_grad=True).source)

    def fill(name):
        attr = next(a for a in found.values() if f"<B>{name}</B>" in a)
        return attr.split('fillcolor="')[1].split('"')[0]

    assert fill("big") == style.GRAD_COLORS[-1]  # the top decade: darkest
    assert fill("tiny") == style.GRAD_COLORS[0]  # six decades down: palest
    assert fill("dead") == style.ZERO_GRAD
    legend = found["legend"]
    assert "1e3 to 1e4" in legend and "below 1e-2" in legend
    assert "exactly 0" in legend and "retain_grads=True" in legend


def test_gradient_scale_bins():
    scale = style.GradScale([0.5, 0.05])  # decades -1 and -2
    assert [label for label, _ in scale.bins()] == ["1e-1 to 1e0", "below 1e-1"]
    assert scale.color(0.5) == style.GRAD_COLORS[-1]
    assert scale.color(1e-9) == style.GRAD_COLORS[0]  # smaller: palest
    assert style.GradScale([]).empty


def test_rms_gradient_size():
    assert style.grad_rms(np.array([3.0, -4.0])) == pytest.approx(np.sqrt(12.5))


# ---------------------------------------------------------------- roots, panels, errors


def test_panels_side_by_side():
    x = Tensor([1.0, 2.0], requires_grad=True, name="x")
    graph = draw_graph({"double": x * 2, "square": x * x})
    found = clusters(graph.source)
    assert found["cluster_panel0"]["label"] == "double"
    assert found["cluster_panel1"]["label"] == "square"
    x_nodes = [k for k, a in nodes(graph.source).items() if "<B>x</B>" in a]
    assert len(x_nodes) == 1  # shared: drawn once, in the first panel
    assert x_nodes[0] in found["cluster_panel0"]["nodes"]


def test_several_roots_in_one_picture():
    x = Tensor([1.0, 2.0], requires_grad=True, name="x")
    graph = draw_graph([x.exp(), x.log()])
    assert count(nodes(graph.source), "o") == 2
    assert sum("penwidth=2" in a for a in nodes(graph.source).values()) == 2


def test_a_deep_graph_needs_no_recursion():
    x = Tensor([1.0], requires_grad=True, name="x")
    for _ in range(3000):
        x = x * 1.0
    # x; per step a constant 1.0, the mul op and its output
    assert draw_graph(x, max_nodes=10**6).n_nodes == 1 + 3 * 3000


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"depth": -1}, ValueError, "depth must be None or an integer >= 0, got -1"),
        ({"rankdir": "XY"}, ValueError, "rankdir must be one of LR, TB, RL, BT"),
        ({"max_nodes": 0}, ValueError, "max_nodes must be a positive integer"),
    ],
)
def test_bad_options(kwargs, error, match):
    with pytest.raises(error, match=match):
        draw_graph(_tiny(), **kwargs)


@pytest.mark.parametrize(
    "root", ["x", [], [Tensor([1.0]), 3]], ids=["str", "empty", "list"]
)
def test_root_must_be_tensors(root):
    with pytest.raises(TypeError, match="root must be a Tensor"):
        draw_graph(root)


def test_rankdir_reaches_the_source():
    assert "rankdir=TB" in draw_graph(_tiny(), rankdir="TB").source


# ---------------------------------------------------------------- compact


def test_compact_draws_an_op_and_its_unnamed_output_as_one_node():
    out = _tiny()  # a * b + 1.5: the product is unnamed, the sum is the root
    graph = draw_graph(out, compact=True)
    found = nodes(graph.source)
    assert (count(found, "t"), count(found, "o")) == (4, 2)  # a, b, 1.5, the root
    assert graph.n_nodes == 6
    mul = next(k for k, a in found.items() if "<B>mul</B>" in a)
    assert "→ (2,)" in found[mul]  # the op shows its output's shape
    assert set(edges(graph.source)) == {
        ("t0", mul),
        ("t1", mul),
        (mul, "o4"),
        ("t3", "o4"),
        ("o4", "t4"),
    }


def test_compact_keeps_named_tensors():
    a = Tensor([1.0, 2.0], requires_grad=True, name="a")
    h = a.exp()
    h.name = "h"
    found = nodes(draw_graph(h.sum(), compact=True).source)
    assert any("<B>h</B>" in attr for k, attr in found.items() if k.startswith("t"))


def test_compact_auto_collapse_counts_merged_nodes():
    loss, _ = tower_loss()
    # 28 ops, each output unnamed; all but the loss (a root) merge with their op
    assert draw_graph(loss, compact=True).n_nodes == 79 - 27
    graph = draw_graph(loss, compact=True, max_nodes=20)
    assert (
        graph.n_nodes
        <= 20
        < draw_graph(loss, compact=True, depth=graph.depth + 1).n_nodes
    )
    # depth 2: x; per block 3 boxes and 2 adds; head weight, bias, linear; mean, loss
    assert (graph.depth, graph.n_nodes) == (2, 1 + 2 * 5 + 3 + 2)


def test_module_colours_are_stable_and_differ_from_the_enclosing_cluster():
    assert style.module_color("Linear") == style.module_color("Linear")
    assert style.module_color("Linear", avoid=style.module_color("Linear")) != (
        style.module_color("Linear")
    )
    a = clusters(draw_graph(tower_loss()[0]).source)  # hashed: no palette given
    b = clusters(draw_graph(tower_loss(n_blocks=1)[0]).source)
    assert a["cluster_head"] == {
        **b["cluster_head"],
        "nodes": a["cluster_head"]["nodes"],
    }


def test_module_colours_come_from_the_callers_palette():
    loss = tower_loss(n_blocks=1)[0]
    hashed = clusters(draw_graph(loss).source)["cluster_head"]["fill"]
    k = (style.CLUSTER_FILLS.index(hashed) + 3) % len(style.CLUSTER_FILLS)
    found = clusters(draw_graph(loss, module_colors={"Linear": k}).source)
    assert found["cluster_head"]["fill"] == style.CLUSTER_FILLS[k]
    # the engine names no model: its fallback is a hash of the class name
    assert not hasattr(style, "MODULE_COLORS")


@pytest.mark.parametrize(
    ("palette", "error", "match"),
    [
        ({"Linear": 8}, ValueError, r"'Linear' -> 8 is not a colour index; use an "
         r"integer from 0 to 7"),
        ({"Linear": "red"}, ValueError, "'Linear' -> 'red' is not a colour index"),
        ([("Linear", 0)], TypeError, "module_colors must be a dict"),
    ],
)  # fmt: skip
def test_bad_palette_is_named(palette, error, match):
    with pytest.raises(error, match=match):
        draw_graph(_tiny(), module_colors=palette)


def test_viz_modules_import_each_other_without_a_circle():
    """Every `from .x import` in tinygrad_tx/viz (at the top or inside a function)
    is an edge; the graph of modules must have no cycle."""
    import ast
    import graphlib
    from pathlib import Path

    import tinygrad_tx.viz

    folder = Path(tinygrad_tx.viz.__file__).parent
    deps = {}
    for path in folder.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        deps[path.stem] = {
            (node.module or "__init__").split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.level == 1
        }
    deps.pop("__init__")  # the package's front door re-exports the modules
    list(graphlib.TopologicalSorter(deps).static_order())  # CycleError on a circle


# ---------------------------------------------------------------- languages


def test_legend_and_added_words_in_portuguese():
    loss, _ = tower_loss()  # after backward: its gradients are there to colour
    found = nodes(draw_graph(loss, color_by_grad=True, lang="pt").source)
    legend = found["legend"]
    assert "<B>legenda</B>" in legend and "aplica uma máscara de atenção" in legend
    assert "tamanho do gradiente √mean(g²), escala logarítmica" in legend
    assert "exatamente 0" in legend and "sem .grad guardado" in legend
    assert "de 1e" in legend and " a 1e" in legend and "abaixo de 1e" in legend
    words = " ".join(found.values())
    assert "legend<" not in words and " to 1e" not in words and "exactly 0" not in words
    boxes = nodes(draw_graph(loss, depth=2, lang="pt").source)
    mix = next(a for a in boxes.values() if "blocks.0.mix<BR/>" in a)
    assert "40 parâmetros" in mix and "aplica máscara" in mix and "operações" in mix


def test_large_parameter_counts_are_grouped_by_spaces():
    layer = nn.Linear(32, 32)  # 32·32 + 32 = 1 056 parameters
    out = layer(Tensor(np.ones((1, 32), np.float32))).sum()
    for lang, word in (("en", "params"), ("pt", "parâmetros")):
        found = nodes(draw_graph(out, depth=0, lang=lang).source)
        (box,) = [a for k, a in found.items() if k.startswith("m")]
        assert f"1 056 {word}" in box and "1,056" not in box


def test_unnamed_leaves_are_named_in_the_drawing_language():
    w = nn.Linear(2, 1, bias=False)
    out = w(Tensor(np.ones((1, 2), np.float32), requires_grad=True)) * 2.0
    words = " ".join(nodes(draw_graph(out, lang="pt").source).values())
    assert "entrada" in words and "parâmetro" not in words  # weight is named
    assert "input" not in words


def test_a_language_the_drawing_does_not_know_is_a_clear_error():
    with pytest.raises(ValueError, match=r"draw_graph: lang must be 'en'.*got 'zh'"):
        draw_graph(_tiny(), lang="zh")
