"""The graph page in a real browser (headless Chromium through Playwright): no
console error, no request of any kind, the numbers shown equal the engine's,
the steppers visit every node in a valid order and end with the engine's
gradients, and folding a cluster hides its nodes."""

from __future__ import annotations

import re
from contextlib import contextmanager

import numpy as np
import pytest

from tinygrad_tx.viz import graph_page
from tinygrad_tx.viz.browser import open_page, screenshot
from tinygrad_tx.viz.record import record
from transformer import graph_examples as gx

NUMBER = re.compile(r"-?\d+\.\d+(?:e[-+]?\d+)?")


@contextmanager
def visit(chromium, page, tmp_path, name="page"):
    """Open the saved page; afterwards, check it logged no error and asked
    for nothing."""
    opened = open_page(chromium, page.save(tmp_path / name))
    try:
        yield opened.page
    finally:
        opened.page.close()
    assert opened.errors == []
    assert opened.requests == []


def numbers(text: str) -> np.ndarray:
    return np.array([float(x) for x in NUMBER.findall(text)])


def assert_shown(text: str, array) -> None:
    """The printed numbers equal the engine's to the 4 decimals printed."""
    np.testing.assert_allclose(numbers(text), np.ravel(array), atol=6e-5, rtol=0)


def build(name: str):
    root = gx.get_example(name).build("cpu")
    return root, record(root)


def index_of(rec, name: str) -> int:
    return next(i for i, t in enumerate(rec.graph.tensors) if t.name == name)


@pytest.mark.parametrize("name", list(gx.EXAMPLES))
def test_every_example_opens_without_error_or_request(chromium, tmp_path, name):
    root, _ = build(name)
    page = graph_page(root, depth=gx.get_example(name).page_depth)
    with visit(chromium, page, tmp_path, name) as p:
        assert p.locator(".txv svg").count() == 1
        assert p.locator(".txv-node, .txv-box").count() > 0


@pytest.mark.parametrize("name", ["o", "n", "x1", "w1", "b", "x2*w2"])
def test_neuron_values_and_gradients_on_click(chromium, tmp_path, name):
    root, rec = build("neuron")
    i = index_of(rec, name)
    t = rec.graph.tensors[i]
    with visit(chromium, graph_page(root), tmp_path) as p:
        p.click(f"g.txv-node[data-node='{i}']")
        assert p.get_attribute(".txv-panel", "data-node") == str(i)
        assert_shown(p.inner_text(".txv-panel .txv-value pre"), t.data)
        engine = t.grad if t.grad is not None else rec.grads[i]
        assert_shown(p.inner_text(".txv-panel .txv-grad pre"), engine)


def test_thinking_machines_shows_the_slides_numbers(chromium, tmp_path):
    root, rec = build("thinking-machines")
    shown = {}
    with visit(chromium, graph_page(root), tmp_path) as p:
        for name in ("scores", "scores/√d_k", "weights", "z1"):
            p.click(f"g.txv-node[data-node='{index_of(rec, name)}']")
            shown[name] = p.inner_text(".txv-panel .txv-value pre")
    assert shown["scores"] == "[[112.0000  96.0000]]"
    assert shown["scores/√d_k"] == "[[14.0000 12.0000]]"
    assert shown["weights"] == "[[0.8808 0.1192]]"
    assert_shown(shown["z1"], rec.graph.tensors[index_of(rec, "z1")].data)


def test_portuguese_page_groups_large_counts_with_spaces(chromium, tmp_path):
    root, _ = build("encoder-layer")  # self_attn: 4 · (16 · 16 + 16) parameters
    page = graph_page(root, depth=1, lang="pt")
    with visit(chromium, page, tmp_path) as p:
        box = p.locator("g.txv-box", has_text="self_attn").text_content()
    assert "1 088 parâmetros" in box and "1,088" not in box


MARKED = """() => {
  const ids = (sel) => [...document.querySelectorAll(sel)].map((e) => +e.dataset.node);
  return [ids("g.txv-node"), ids("g.txv-pending"), ids("g.txv-grad-done")];
}"""


def _check_marks(p, seen) -> None:
    """Nodes not yet evaluated are drawn pending; in backward, exactly the
    nodes whose gradient was computed so far are marked."""
    shown, pending, with_grad = (set(x) for x in p.evaluate(MARKED))
    forward = {i for phase, i in seen if phase == "forward"}
    backward = {i for phase, i in seen if phase == "backward"}
    if seen[-1][0] == "forward":
        assert pending == shown - forward and not with_grad
    else:
        assert not pending and with_grad == shown & backward


def _walk_steps(p, rec):
    """Press → until the last step; return [(phase, node)] and check the panel
    and the marks at each step against the engine."""
    seen = []
    while True:
        before = p.get_attribute(".txv", "data-step")
        p.keyboard.press("ArrowRight")
        if p.get_attribute(".txv", "data-step") == before:
            return seen
        phase = p.get_attribute(".txv", "data-phase")
        i = int(p.get_attribute(".txv", "data-current"))
        seen.append((phase, i))
        _check_marks(p, seen)
        t = rec.graph.tensors[i]
        if phase == "forward" and t.data.size <= 64:
            assert_shown(p.inner_text(".txv-panel .txv-value pre"), t.data)
        if phase == "backward" and t.data.size <= 64:
            engine = t.grad if t.grad is not None else rec.grads[i]
            assert_shown(p.inner_text(".txv-panel .txv-grad pre"), engine)


@pytest.mark.parametrize("name", ["neuron", "thinking-machines", "encoder-layer"])
def test_steppers_visit_every_node_in_a_valid_order(chromium, tmp_path, name):
    root, rec = build(name)
    g = rec.graph
    page = graph_page(root, depth=gx.get_example(name).page_depth)
    with visit(chromium, page, tmp_path) as p:
        p.focus(".txv")
        steps = _walk_steps(p, rec)
        # after the last step every gradient is the engine's
        for i, t in enumerate(g.tensors):
            if t.grad is not None and t.data.size <= 64 and _visible(p, i):
                p.click(f"g.txv-node[data-node='{i}']")
                assert_shown(p.inner_text(".txv-panel .txv-grad pre"), t.grad)
    forward = [i for phase, i in steps if phase == "forward"]
    backward = [i for phase, i in steps if phase == "backward"]
    assert steps == [("forward", i) for i in forward] + [
        ("backward", i) for i in backward
    ]
    assert sorted(forward) == list(range(len(g)))
    done: set[int] = set()
    for i in forward:  # each node after its inputs
        assert all(p in done for p in g.parents[i]), i
        done.add(i)
    assert set(backward) == {i for i in range(len(g)) if rec.grads[i] is not None}
    done = set()
    for i in backward:  # each node after every node it feeds
        users = [
            j for j in range(len(g)) if i in g.parents[j] and rec.grads[j] is not None
        ]
        assert all(j in done for j in users), i
        done.add(i)


def _visible(p, i: int) -> bool:
    return p.locator(f"g.txv-node[data-node='{i}']").count() == 1


def test_folding_a_cluster_hides_its_nodes(chromium, tmp_path):
    root, rec = build("encoder-layer")
    g = rec.graph
    inside = [
        i
        for i, home in enumerate(g.home)
        if len(home) > 1 and home[1].path == "self_attn"
    ]
    assert inside
    page = graph_page(root, depth=1)
    with visit(chromium, page, tmp_path) as p:
        box = p.locator("g.txv-box", has_text="self_attn")
        assert box.count() == 1 and not any(_visible(p, i) for i in inside)
        c = box.get_attribute("data-cluster")
        box.click()  # unfold
        assert p.locator(f"g.txv-box[data-cluster='{c}']").count() == 0
        assert all(_visible(p, i) for i in inside if g.home[i][-1].path == "self_attn")
        p.click(f"g.txv-cluster[data-cluster='{c}'] .txv-fold")  # fold again
        assert not any(_visible(p, i) for i in inside)
        p.click("button.txv-depth >> text=all")
        assert p.locator("g.txv-node").count() == len(g)
        p.click("button.txv-depth[data-depth='0']")
        assert p.locator("g.txv-box").count() == 1  # the whole layer is one box


def test_notebook_fragments_work_side_by_side(chromium, tmp_path):
    """Two pages in one document, as two notebook cells: each draws and steps
    on its own."""
    first, second = (graph_page(build(n)[0]) for n in ("neuron", "thinking-machines"))
    host = tmp_path / "notebook.html"
    cells = first._repr_html_() + "<p>another cell</p>" + second._repr_html_()
    host.write_text(
        f"<!DOCTYPE html><meta charset='utf-8'><body>{cells}</body>", "utf-8"
    )
    opened = open_page(chromium, host)
    p = opened.page
    roots = p.locator(".txv[data-ready='1']")
    assert roots.count() == 2
    roots.nth(0).focus()
    p.keyboard.press("ArrowRight")
    assert roots.nth(0).get_attribute("data-step") == "0"
    assert roots.nth(1).get_attribute("data-step") == "-1"
    p.close()
    assert opened.errors == [] and opened.requests == []


def test_a_screenshot_is_a_small_png(chromium, tmp_path):
    page = graph_page(build("neuron")[0]).save(tmp_path / "neuron")
    png = screenshot(chromium, page, tmp_path / "neuron.png", 900, 480)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size < 300_000


@pytest.mark.slow
def test_a_notebook_cell_shows_the_page_inline(chromium, tmp_path):
    """Run a real kernel (nbclient + ipykernel): the cell's output is the page
    as text/html; put in a document as a notebook front end does, it draws."""
    nbformat = pytest.importorskip("nbformat", reason="nbformat (dev group) missing")
    nbclient = pytest.importorskip("nbclient", reason="nbclient (dev group) missing")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "from transformer.pages import show_example_page\n"
            f"_ = show_example_page('neuron', {str(tmp_path / 'unused.html')!r})"
        )
    ]
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    (output,) = nb.cells[0].outputs
    assert output.output_type == "display_data"
    assert not (tmp_path / "unused.html").exists()  # shown, not written
    host = tmp_path / "notebook.html"
    cell = f"<div class='output_html'>{output.data['text/html']}</div>"
    host.write_text(
        f"<!DOCTYPE html><meta charset='utf-8'><body>{cell}</body>", "utf-8"
    )
    opened = open_page(chromium, host)
    assert opened.page.locator("g.txv-node").count() == 10  # the neuron's tensors
    opened.page.close()
    assert opened.errors == [] and opened.requests == []
