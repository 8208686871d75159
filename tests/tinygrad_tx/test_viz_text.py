"""print_graph / graph_text: the graph as an indented text tree."""

from __future__ import annotations

import numpy as np
import pytest
from viz_models import tower_loss

from tinygrad_tx import Tensor
from tinygrad_tx.viz import draw_graph, graph_text, print_graph


def test_lines_read_like_code(capsys):
    a = Tensor([1.0, 2.0], requires_grad=True, name="a")
    b = Tensor([3.0, 4.0], requires_grad=True, name="b")
    out = (a * b + 1.5).sum()
    out.backward()
    print_graph(out, show_data=True, show_grad=True)
    assert capsys.readouterr().out.splitlines() == [
        "9 nodes: 6 tensors, 3 ops",  # the constant 1.5 counts, written inline
        "a  input (2,) float32  data [1. 2.]  grad [3. 4.]",
        "b  input (2,) float32  data [3. 4.]  grad [1. 2.]",
        "%1 = mul(a, b)  -> (2,) float32  data [3. 8.]",
        "%2 = add(%1, 1.5)  -> (2,) float32  data [4.5 9.5]",
        "%3 = sum(%2)  -> () float32  data 14.0000  <- output",
    ]


def test_module_calls_are_indented_headers():
    loss, _ = tower_loss()
    lines = graph_text(loss).splitlines()
    # x; per block 23 tensors and 13 ops; the head 3 and 1; the mean 1 and 1
    assert lines[0] == "79 nodes: 51 tensors, 28 ops"
    assert "Tower" in lines
    assert "  blocks.0 (Block)" in lines
    assert "    blocks.0.mix (Mix)" in lines
    assert "      blocks.0.mix.q (Linear)" in lines
    assert "        blocks.0.mix.q.weight  param (4, 4) float32" in lines
    masked = [line for line in lines if "masked_fill" in line]
    assert len(masked) == 2 and all(line.endswith("[applies mask]") for line in masked)


def test_folded_calls_are_one_line_each():
    loss, _ = tower_loss()
    text = graph_text(loss, depth=2)
    assert (
        "    %1 = blocks.0.mix(x)  -> (2, 5, 4) float32  "
        "[Mix, folded: 7 ops, 40 params; applies mask]"
    ) in text.splitlines()
    assert (
        "%5 = blocks.0.norm(%4)  -> (2, 5, 4) float32  [LayerNorm, folded: 1 op" in text
    )


def test_text_and_drawing_agree_on_the_node_count():
    loss, _ = tower_loss()
    for depth in (0, 1, 2, 3, None):
        first = graph_text(loss, depth=depth).splitlines()[0]
        assert first.startswith(f"{draw_graph(loss, depth=depth).n_nodes:,} nodes")


def test_auto_collapse_note_in_text():
    loss, _ = tower_loss()
    assert (
        graph_text(loss, max_nodes=30)
        .splitlines()[0]
        .startswith("auto-collapsed to module depth 2")
    )


def test_inputs_come_before_their_users():
    loss, _ = tower_loss()
    seen = set()
    for line in graph_text(loss).splitlines()[1:]:
        line = line.strip()
        if " = " not in line:
            seen.add(line.split()[0])
            continue
        name, call = line.split(" = ", 1)
        args = call.split("(", 1)[1].split(")", 1)[0].split(", ")
        assert all(a in seen or _is_number(a) for a in args), line
        seen.add(name)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_panels_are_headed():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True, name="x")
    text = graph_text({"exp": x.exp(), "log": x.log()})
    assert "[exp]" in text and "[log]" in text


def test_bad_depth():
    with pytest.raises(ValueError, match="depth must be None or an integer >= 0"):
        graph_text(Tensor([1.0], requires_grad=True) * 2, depth=-2)
