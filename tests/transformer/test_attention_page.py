"""The attention page: the weights it carries are the model's own (checked
against the decoder's cross-attention and the masks), `translate --html` writes
it for any checkpoint (toy corpus or a TSV), it fits the size budget, and in a
real browser it shows the engine's numbers, the causal mask and the words a
query attends to, with no error and no request."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from click.testing import CliRunner

from cli import main
from tinygrad_tx.viz.browser import open_page
from transformer.attention_page import LABELS, attention_page, record_attention
from transformer.data import make_toy_splits
from transformer.decode import cross_attention, greedy_decode
from transformer.evaluation import max_output_length
from transformer.model import Transformer
from transformer.train import DEFAULT_MODEL, TrainConfig, train
from transformer.translator import Translator

# A checkpoint, not a good model: a few steps are enough to test the page.
QUICK = dict(
    steps=4, batch_size=16, lr=3e-3, warmup=2, eval_every=4,
    train_pairs=300, valid_pairs=10, test_pairs=10,
)  # fmt: skip
QUICK_MODEL = dict(d_model=32, n_heads=2, n_layers=2, d_ff=64, dropout=0.0)
SENTENCE = "the cat sleeps on the mat"
TARGET = "o gato dorme no tapete"  # teacher-forced, so the maps have 6 rows


@pytest.fixture(scope="module")
def toy_run(tmp_path_factory):
    """A checkpoint of a few steps on the toy corpus (2 layers, 2 heads)."""
    out = tmp_path_factory.mktemp("attention") / "toy"
    train(TrainConfig(**QUICK), QUICK_MODEL, out=str(out), echo=lambda line: None)
    return out


@pytest.fixture(scope="module")
def tsv_run(tmp_path_factory):
    """A user's own run: sentence pairs from a TSV file."""
    root = tmp_path_factory.mktemp("attention-tsv")
    pairs = make_toy_splits(seed=1, n_train=400, n_valid=10, n_test=10).train
    tsv = root / "pairs.tsv"
    tsv.write_text("".join(f"{en}\t{pt}\n" for en, pt in pairs), encoding="utf-8")
    config = TrainConfig(**{**QUICK, "data": str(tsv)})
    train(
        config, {**QUICK_MODEL, "n_layers": 1}, str(root / "run"), echo=lambda s: None
    )
    return root / "run"


def _data(page) -> dict:
    found = re.search(
        r'<script type="application/json" id="[^"]+">(.*?)</script>', page.html, re.S
    )
    return json.loads(found.group(1).replace("<\\/", "</"))


def _ids(translator):
    return translator.src_vocab.encode(SENTENCE), translator.tgt_vocab.encode(TARGET)


def test_weights_are_distributions_and_respect_the_masks(toy_run):
    translator = Translator.load(toy_run)
    src, out = _ids(translator)
    rec = record_attention(translator.model, src, out)
    s, t = len(src), len(out) + 1
    assert (s, t) == (6, 6)
    assert rec.weights["encoder"].shape == (2, 2, s, s)
    assert rec.weights["decoder"].shape == (2, 2, t, t)
    assert rec.weights["cross"].shape == (2, 2, t, s)
    for kind, w in rec.weights.items():
        np.testing.assert_allclose(w.sum(axis=-1), 1.0, rtol=1e-5, err_msg=kind)
    causal = np.tril(np.ones((t, t), dtype=bool))
    np.testing.assert_array_equal(rec.allowed["decoder"], causal)
    assert (rec.weights["decoder"][..., ~causal] == 0).all()  # masked: exactly 0
    assert rec.allowed["encoder"].all() and rec.allowed["cross"].all()


def test_the_last_cross_attention_is_the_decoders_own(toy_run):
    translator = Translator.load(toy_run)
    src, out = _ids(translator)
    data = _data(attention_page(translator, SENTENCE, target=TARGET))
    cross = next(v for v in data["views"] if v["kind"] == "cross")
    expected = cross_attention(translator.model, src, out)  # (H, T, S)
    np.testing.assert_allclose(cross["weights"][-1], expected, atol=5e-5)
    assert cross["keys"] == SENTENCE.split()
    assert cross["queries"] == [*TARGET.split(), "</s>"]
    decoder = next(v for v in data["views"] if v["kind"] == "decoder")
    assert decoder["keys"] == ["<s>", *TARGET.split()]  # shifted by one
    assert "teacher forcing" in data["title"]


def test_without_a_target_the_model_reads_its_own_translation(toy_run):
    translator = Translator.load(toy_run)
    src = translator.src_vocab.encode(SENTENCE)
    out = greedy_decode(
        translator.model, [src], max_output_length(translator.model, 6)
    )[0]
    data = _data(attention_page(translator, SENTENCE))
    assert data["translation"] == translator.translate([SENTENCE])[0].output
    cross = next(v for v in data["views"] if v["kind"] == "cross")
    assert cross["queries"][:-1] == translator.tgt_vocab.decode_tokens(out)
    np.testing.assert_allclose(
        cross["weights"][-1], cross_attention(translator.model, src, out), atol=5e-5
    )


def test_labels_in_portuguese_use_the_glossary(toy_run):
    data = _data(attention_page(Translator.load(toy_run), SENTENCE, lang="pt"))
    titles = [v["title"] for v in data["views"]]
    assert titles == [
        "autoatenção do encoder",
        "autoatenção do decoder",
        "atenção cruzada",
    ]
    assert data["labels"]["head"] == "cabeça" and data["labels"]["layer"] == "camada"
    assert data["labels"].keys() == LABELS["en"].keys()  # every label in both


def test_an_empty_sentence_is_named(toy_run):
    with pytest.raises(ValueError, match="sentence 1 is empty"):
        attention_page(Translator.load(toy_run), "   ")


def test_translate_html_for_a_tsv_run(tsv_run, tmp_path):
    path = tmp_path / "pages" / "a.html"
    result = CliRunner().invoke(main, [
        "translate", "--checkpoint", str(tsv_run), "--html", str(path), "--lang", "pt",
        "i love books",
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"attention page written to {path}" in result.output
    html = path.read_text(encoding="utf-8")
    assert 'lang="pt"' in html and "https://" not in html


def test_the_toy_size_page_fits_the_budget(toy_run):
    """The default run's model (d_model 128, 4 heads, 2 layers), untrained so
    that it writes the longest translation it may: still under 2 MB."""
    saved = Translator.load(toy_run)
    src, tgt = saved.src_vocab, saved.tgt_vocab
    model = Transformer(src_vocab=len(src), tgt_vocab=len(tgt), **DEFAULT_MODEL)
    translator = Translator(model, src, tgt, saved.saved)
    sentence = "the big black cat sleeps on the small red mat near the old dog"
    page = attention_page(translator, sentence)
    assert len(page.html.encode("utf-8")) < 2 * 1024 * 1024


# ---------------------------------------------------------------- in a browser


@pytest.fixture(scope="module")
def page_and_weights(toy_run, tmp_path_factory):
    translator = Translator.load(toy_run)
    rec = record_attention(translator.model, *_ids(translator))
    page = attention_page(translator, SENTENCE, target=TARGET)
    path = page.save(tmp_path_factory.mktemp("p") / "a")
    return path, rec


@pytest.fixture
def page(chromium, page_and_weights):
    opened = open_page(chromium, page_and_weights[0])
    yield opened.page
    opened.page.close()
    assert opened.errors == []
    assert opened.requests == []


def test_hovering_a_cell_reads_the_engines_weight(page, page_and_weights):
    weights = page_and_weights[1].weights["encoder"]
    for q, k in [(0, 0), (1, 4), (5, 2)]:
        page.hover(f"table[data-head='0'] td[data-q='{q}'][data-k='{k}']")
        shown = page.inner_text(".txv-readout")
        assert shown.endswith(f"{weights[0, 0, q, k]:.4f}"), shown


def test_the_causal_mask_is_drawn_as_masked_cells(page, page_and_weights):
    page.focus(".txv")
    page.keyboard.press("2")  # decoder self-attention
    assert page.get_attribute(".txv", "data-view") == "decoder"
    t = page_and_weights[1].weights["decoder"].shape[-1]
    masked = page.locator("td.txv-masked")
    assert masked.count() == t * (t - 1) // 2
    page.hover("td[data-q='0'][data-k='1']")
    assert "masked" in page.inner_text(".txv-readout")


def test_clicking_a_word_shows_what_it_attends_to(page, page_and_weights):
    weights = page_and_weights[1].weights["cross"]
    page.click("button[data-view='cross']")
    page.select_option("select.txv-layer", index=1)  # the second layer
    page.select_option("select.txv-head", index=1)  # the second head
    page.click("th.txv-query[data-q='2']")
    assert page.get_attribute(".txv", "data-query") == "2"
    chips = page.locator(".txv-strip .txv-chip .txv-chip-w").all_inner_texts()
    assert chips == [f"{w:.4f}" for w in weights[1, 1, 2]]


def test_all_heads_and_keys(page, page_and_weights):
    page.focus(".txv")
    page.keyboard.press("ArrowLeft")  # from head 1 back to "all heads"
    assert page.get_attribute(".txv", "data-head") == "all"
    assert page.locator("table.txv-heat").count() == 2
    page.keyboard.press("ArrowRight")
    assert page.get_attribute(".txv", "data-head") == "0"
    page.keyboard.press("PageDown")
    assert page.get_attribute(".txv", "data-layer") == "1"
    page.keyboard.press("ArrowDown")
    assert page.get_attribute(".txv", "data-query") == "0"
    weights = page_and_weights[1].weights["encoder"]
    shown = page.inner_text(".txv-readout")
    assert shown.endswith(f"{weights[1, 0, 0, -1]:.4f}"), shown
