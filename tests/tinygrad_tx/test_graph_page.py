"""graph_page without a browser: the recorded run (values, gradients, chain-rule
terms) against the engine and hand-computed numbers, the op math read from
docstrings, and the file itself (self-contained, small, in either language)."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from viz_models import tower_loss

from tinygrad_tx import Tensor
from tinygrad_tx.ops.elementwise import Mul, Tanh
from tinygrad_tx.ops.movement import Reshape
from tinygrad_tx.ops.normalization import LayerNorm
from tinygrad_tx.ops.softmax import Softmax
from tinygrad_tx.viz import HtmlPage, graph_page, style
from tinygrad_tx.viz.op_math import op_math
from tinygrad_tx.viz.record import array_text, record
from transformer import graph_examples as gx
from transformer.pages import example_page


def _data(page: HtmlPage) -> dict:
    """The JSON the page carries, read back from its HTML."""
    found = re.search(
        r'<script type="application/json" id="[^"]+">(.*?)</script>', page.html, re.S
    )
    return json.loads(found.group(1).replace("<\\/", "</"))


def _by_name(rec, name):
    return next(i for i, t in enumerate(rec.graph.tensors) if t.name == name)


# ---------------------------------------------------------------- the recording


@pytest.mark.parametrize(
    "name",
    ["neuron", "thinking-machines", "mlp", "softmax", "encoder-layer", "decoder-layer"],
)
def test_replayed_gradients_equal_the_engines(name):
    root = gx.get_example(name).build("cpu")  # backward(retain_grads=True) ran
    rec = record(root)
    checked = 0
    for i, t in enumerate(rec.graph.tensors):
        if t.grad is not None:
            np.testing.assert_allclose(rec.grads[i], t.grad, rtol=1e-5, atol=1e-6)
            checked += 1
        else:
            assert rec.grads[i] is None or t._ctx is not None  # only unretained ones
    assert checked >= 5


def test_terms_add_up_to_the_gradient_one_term_per_use():
    rec = record(gx.encoder_layer())
    for i in range(len(rec.graph)):
        uses = sum(p == i for ps in rec.graph.parents for p in ps)
        if rec.grads[i] is None:
            continue
        if i in rec.graph.root_ids:
            assert rec.terms[i] == []
            continue
        assert len(rec.terms[i]) == uses
        total = sum(term.value.astype(np.float64) for term in rec.terms[i])
        np.testing.assert_allclose(total, rec.grads[i], rtol=1e-5, atol=1e-6)


def test_a_variable_used_twice_gets_two_terms():
    x = Tensor(3.0, requires_grad=True, name="x")
    y = x * x  # dy/dx = 2x = 6, as 3 + 3
    y.backward(retain_graph=True)
    rec = record(y)
    i = _by_name(rec, "x")
    assert [term.arg for term in rec.terms[i]] == [0, 1]
    assert [float(term.value) for term in rec.terms[i]] == [3.0, 3.0]
    assert float(rec.grads[i]) == float(x.grad) == 6.0


def test_neuron_chain_rule_by_hand():
    """o = tanh(n), n = 0.8814: do/dn = 1 - o² = 0.5; dL/dx1 = w1 · 0.5 = -1.5."""
    data = _data(example_page("neuron"))
    nodes = {n["name"]: n for n in data["nodes"]}
    (to_n,) = nodes["n"]["terms"]
    assert to_n[2:] == ["0.5000", None, "0.5000"]  # term, summary, local do/dn
    (to_x1,) = nodes["x1"]["terms"]
    assert to_x1[2] == "-1.5000" and to_x1[4] == "-3.0000"  # d(x1 w1)/dx1 = w1
    assert (nodes["o"]["v"], nodes["o"]["g"]) == ("0.7071", "1.0000")
    assert nodes["b"]["g"] == "0.5000" and nodes["w2"]["g"] == "0.0000"


def test_thinking_machines_numbers_are_the_slides():
    rec = record(gx.thinking_machines())
    value = lambda name: rec.graph.tensors[_by_name(rec, name)].data  # noqa: E731
    np.testing.assert_array_equal(value("scores"), [[112.0, 96.0]])
    np.testing.assert_array_equal(value("scores/√d_k"), [[14.0, 12.0]])
    w = np.exp([14.0, 12.0]) / np.exp([14.0, 12.0]).sum()  # float64 oracle
    np.testing.assert_allclose(value("weights"), [w], rtol=1e-6)
    assert array_text(value("weights")) == "[[0.8808 0.1192]]"
    v = np.array([[1.0, 0.0, 2.0], [0.0, 1.0, -1.0]])
    np.testing.assert_allclose(value("z1"), [w @ v], rtol=1e-6)
    # backward by hand: L = sum(z1); dL/dw = V·1; softmax: w (g - Σ g w); / 8
    g_w = v.sum(axis=1)
    g_scaled = w * (g_w - (g_w * w).sum())
    g_scores = g_scaled / 8
    grad = lambda name: rec.grads[_by_name(rec, name)]  # noqa: E731
    np.testing.assert_allclose(grad("weights"), [g_w], rtol=1e-6)
    np.testing.assert_allclose(grad("scores/√d_k"), [g_scaled], rtol=1e-5)
    keys = np.stack([np.full(64, 0.875), np.full(64, 0.75)])
    np.testing.assert_allclose(grad("q1"), [g_scores @ keys], rtol=1e-5)


def test_a_freed_graph_is_a_clear_error():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()  # frees what the ops saved
    with pytest.raises(ValueError, match=r"graph through sum was freed by backward\(\); "
                       r"call backward\(retain_graph=True\)"):  # fmt: skip
        graph_page(y)


def test_a_root_without_a_gradient_must_be_one_number():
    x = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError, match=r"root has shape \(2,\) and no .grad"):
        graph_page(x * 2)
    page = graph_page((x * 2).sum())  # before backward: the page seeds dL/dL = 1
    nodes = _data(page)["nodes"]
    assert nodes[0]["g"] == "[2.0000 2.0000]"
    assert x.grad is None  # the page changed nothing in the engine's state


def test_bad_options_are_named():
    with pytest.raises(ValueError, match="lang must be 'en'"):
        graph_page(Tensor(1.0, requires_grad=True) * 2, lang="fr")
    with pytest.raises(TypeError, match="graph_page: root must be a Tensor"):
        graph_page("x")


# ---------------------------------------------------------------- op math


@pytest.mark.parametrize(
    ("op", "forward", "derivative"),
    [
        (Mul, "z = x * y.", "dz/dx = y, dz/dy = x."),
        (Tanh, "y = tanh x.", "dy/dx = 1 - tanh² x = 1 - y²."),
        (Reshape, "y = x with a new shape (same elements, same order).",
         "Backward: reshape back."),
        (Softmax, "y_i = exp(x_i) / Σ_j exp(x_j) along `axis`.",
         "grad_x = y * (g - Σ_j g_j y_j)"),
        (LayerNorm, "μ = (1/D) Σ x", "grad_x = (1/σ) (ĝ - mean(ĝ) - x̂ * mean(ĝ * x̂))"),
    ],
    ids=["mul", "tanh", "reshape", "softmax", "layer_norm"],
)  # fmt: skip
def test_formula_and_derivative_come_from_the_docstring(op, forward, derivative):
    math = op_math(op)
    assert forward in math["forward"]
    assert derivative in math["derivative"]
    assert "Saves" not in math["forward"] + math["derivative"].split("\n")[0]
    assert math["doc"].startswith(math["forward"].split("\n")[0][:10])


# ---------------------------------------------------------------- the file


def test_the_page_is_self_contained(tmp_path):
    path = example_page("encoder-layer").save(tmp_path / "layer")
    assert path.name == "layer.html"
    html = path.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert path.stat().st_size < 2 * 1024 * 1024  # the size budget: 2 MB
    for fetches in ("https://", "<link", " src=", "@import", "@font-face", "url(http"):
        assert fetches not in html, fetches
    assert set(re.findall(r"http://[^\"' ]+", html)) == {"http://www.w3.org/2000/svg"}


def test_the_encoder_layer_starts_folded_at_module_depth():
    data = _data(example_page("encoder-layer"))
    by_path = {c["path"]: c for c in data["clusters"]}
    assert not by_path["EncoderLayer"]["folded"]
    assert by_path["self_attn"]["folded"] and by_path["ffn"]["folded"]
    assert by_path["self_attn"]["mask"] and not by_path["ffn"]["mask"]
    want = style.CLUSTER_FILLS[gx.MODULE_COLORS["MultiHeadAttention"]]
    assert by_path["self_attn"]["fill"] == want
    assert by_path["self_attn"]["params"] == 4 * (16 * 16 + 16)
    assert data["max_level"] == 3


def test_forward_and_backward_orders_are_topological():
    loss, _ = tower_loss(backward=False)
    data = _data(graph_page(loss))
    nodes = data["nodes"]
    seen = set()
    for i in data["forward"]:
        assert all(p in seen for p in nodes[i]["in"]), i
        seen.add(i)
    assert sorted(data["forward"]) == list(range(len(nodes)))
    assert set(data["backward"]) == {
        i for i, n in enumerate(nodes) if n["g"] is not None
    }
    done = set()
    for i in data["backward"]:
        users = [j for j, n in enumerate(nodes) if i in n["in"] and n["g"] is not None]
        assert all(j in done for j in users), i
        done.add(i)


def test_labels_follow_the_language():
    en, pt = (
        _data(example_page("neuron", lang=lang))["labels"] for lang in ("en", "pt")
    )
    assert en.keys() == pt.keys()
    assert (en["gradient"], pt["gradient"]) == ("gradient", "gradiente")
    assert pt["backward"] == "retropropagação"  # the glossary's term
    assert 'lang="pt"' in example_page("neuron", lang="pt").html


def test_titles_follow_the_language():
    for name in gx.EXAMPLES:
        en, pt = (_data(example_page(name, lang=lang))["title"] for lang in ("en", "pt"))
        assert en == gx.get_example(name).title and pt != en, name
    assert _data(example_page("neuron", lang="pt"))["title"].startswith("um neurônio")
    x = Tensor(2.0, requires_grad=True, name="x")
    assert _data(graph_page(x * x, lang="pt"))["title"] == "grafo de computação"
    assert _data(graph_page(x * x))["title"] == "computation graph"


def test_each_notebook_fragment_has_its_own_id():
    page = example_page("neuron")
    a, b = page._repr_html_(), page._repr_html_()
    ids = [re.search(r'class="txv" id="([^"]+)"', x).group(1) for x in (a, b)]
    assert ids[0] != ids[1]
    assert f"getElementById('{ids[0]}')" in a and "<html" not in a


def test_show_outside_a_notebook_writes_the_file_and_says_where(tmp_path, capsys):
    from tinygrad_tx.viz import show_graph_page

    x = Tensor(2.0, requires_grad=True, name="x")
    show_graph_page(x * x, path=tmp_path / "square.html")
    assert (
        capsys.readouterr().out
        == f"wrote {tmp_path / 'square.html'} (open it in a browser)\n"
    )
    assert (tmp_path / "square.html").stat().st_size > 1000
    show_graph_page(x * x, path=tmp_path / "quadrado.html", lang="pt")
    assert capsys.readouterr().out == (
        f"página gravada em {tmp_path / 'quadrado.html'} (abra no navegador)\n"
    )


def test_portuguese_labels_use_no_variant_the_glossary_forbids():
    from pathlib import Path

    from tinygrad_tx.viz.graph_page import DEFAULT_TITLE
    from tinygrad_tx.viz.graph_page import LABELS as GRAPH
    from tinygrad_tx.viz.html_page import WROTE
    from transformer.attention_page import LABELS as ATTENTION
    from transformer.pages import TITLES_PT
    from transformer.plots import ATTENTION_LABELS

    glossary = Path(__file__).resolve().parents[2] / "lessons" / "glossary.tsv"
    lines = glossary.read_text(encoding="utf-8").splitlines()
    rows = [line.split("\t") for line in lines if line and not line.startswith("#")][1:]
    text = " ".join([
        *GRAPH["pt"].values(), *ATTENTION["pt"].values(), *style.WORDS["pt"].values(),
        *ATTENTION_LABELS["pt"].values(), *TITLES_PT.values(), DEFAULT_TITLE["pt"],
        WROTE["pt"],
    ])  # fmt: skip
    for english, _, forbidden, *_ in rows:
        for variant in filter(None, (v.strip() for v in forbidden.split(","))):
            pattern = rf"(?<!\w){re.escape(variant)}(?!\w)"
            assert not re.search(pattern, text, re.IGNORECASE), (english, variant)
    assert "autoatenção" in text and "atenção cruzada" in text and "cabeça" in text
