"""attention_page: every attention weight of one translation, as one HTML file.

    python cli.py translate --html out/attention.html "the cat sleeps on the mat"

    translator = Translator.load("runs/toy-translation")
    attention_page(translator, "I love books", lang="pt").save("out/a.html")
    show_attention_page(translator, "I love books")     # in a lesson's cell

The page shows, for that sentence, the encoder's self-attention, the decoder's
self-attention (the causal mask drawn as hatched cells) and the cross-attention,
for every layer and head, with the words on both axes. The weights are read
from the model's own run (teacher forcing on its translation, one forward pass)
when the page is written; the page's script only draws them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tinygrad_tx import Tensor, no_grad
from tinygrad_tx.viz import HtmlPage
from tinygrad_tx.viz.html_page import asset, check_lang

from .data import tokenize
from .decode import SpecialIds, beam_search, greedy_decode
from .evaluation import max_output_length
from .masks import causal_mask, padding_mask

KINDS = ("encoder", "decoder", "cross")

LABELS = {
    "en": {
        "encoder": "encoder self-attention", "decoder": "decoder self-attention",
        "cross": "cross-attention", "layer": "layer", "head": "head",
        "all_heads": "all heads", "query": "query", "key": "key",
        "weight": "weight", "masked": "masked: weight 0 (causal mask)",
        "source": "source words", "written": "word being written",
        "read": "word read", "attends": "attends to",
        "title": "Attention", "click_a_word": "Click a word on the left (a query) "
        "to see which words it attends to; hover a cell to read its weight.",
        "unknown": "unknown word: the model read <unk>",
        "help": "Keys: ← / → change head (and 'all heads'), ↑ / ↓ choose the query "
        "word, PageUp / PageDown change layer, 1 2 3 change the kind of attention.",
        "scale": "attention weight", "masked_cell": "masked",
        "forced": "(the decoder reads this given translation: teacher forcing)",
    },
    "pt": {
        "encoder": "autoatenção do encoder", "decoder": "autoatenção do decoder",
        "cross": "atenção cruzada", "layer": "camada", "head": "cabeça",
        "all_heads": "todas as cabeças", "query": "query", "key": "key",
        "weight": "peso", "masked": "mascarado: peso 0 (máscara causal)",
        "source": "palavras da frase de origem", "written": "palavra sendo escrita",
        "read": "palavra lida", "attends": "presta atenção em",
        "title": "Atenção", "click_a_word": "Clique numa palavra à esquerda (uma "
        "query) para ver em quais palavras ela presta atenção; passe o mouse sobre "
        "uma célula para ler o peso.",
        "unknown": "palavra desconhecida: o modelo leu <unk>",
        "help": "Teclas: ← / → trocam de cabeça (e 'todas as cabeças'), ↑ / ↓ "
        "escolhem a palavra da query, PageUp / PageDown trocam de camada, 1 2 3 "
        "trocam o tipo de atenção.",
        "scale": "peso de atenção", "masked_cell": "mascarado",
        "forced": "(o decoder lê esta tradução dada: teacher forcing)",
    },
}  # fmt: skip


@dataclass
class AttentionRecord:
    """The attention weights of one forward pass, host arrays per kind:
    weights[kind] (layers, heads, Lq, Lk) and allowed[kind] (Lq, Lk), the mask
    the model used (True where a query may look at a key)."""

    weights: dict[str, np.ndarray]
    allowed: dict[str, np.ndarray]


def record_attention(model, src_ids: list[int], out_ids: list[int]) -> AttentionRecord:
    """Run the model once on src_ids with <s> + out_ids as the decoder's input
    (teacher forcing) and keep every layer's attention weights."""
    device, ids = model.device, SpecialIds()
    src = Tensor(np.array([src_ids], dtype=np.int64), device=device)  # (1, S)
    tgt = Tensor(np.array([[ids.bos, *out_ids]], dtype=np.int64), device=device)
    src_mask = padding_mask(src, ids.pad)  # (1, 1, 1, S)
    tgt_mask = causal_mask(tgt.shape[1], device)  # (1, 1, T, T)
    with no_grad():
        memory = model.encode(src, src_mask)
        model.decode(memory, src_mask, tgt, tgt_mask)
    layers = {
        "encoder": [layer.self_attn for layer in model.encoder.layers],
        "decoder": [layer.self_attn for layer in model.decoder.layers],
        "cross": [layer.cross_attn for layer in model.decoder.layers],
    }
    weights = {
        kind: np.stack([m.attn_weights.numpy()[0] for m in modules])
        for kind, modules in layers.items()
    }  # each (layers, H, Lq, Lk)
    s, t = src.shape[1], tgt.shape[1]
    allowed = {
        "encoder": np.broadcast_to(src_mask.numpy()[0, 0], (s, s)),
        "decoder": np.broadcast_to(tgt_mask.numpy()[0, 0], (t, t)),
        "cross": np.broadcast_to(src_mask.numpy()[0, 0], (t, s)),
    }
    return AttentionRecord(weights, allowed)


def attention_page(
    translator, sentence: str, *, beam: int = 1, lang: str = "en", target=None
) -> HtmlPage:
    """The page for `sentence` translated by `translator` (a Translator:
    model and vocabularies of any trained checkpoint). With `target` (a
    Portuguese sentence), the decoder reads that translation instead of its
    own (teacher forcing), e.g. the reference, to see where a model looks."""
    check_lang(lang, "attention_page")
    output = translator.translate_one(sentence, beam).output  # checks the sentence
    src_ids = translator.src_vocab.encode(sentence)
    out_ids, ended = _output_ids(translator, src_ids, beam, target)
    rec = record_attention(translator.model, src_ids, out_ids)
    labels = LABELS[lang]
    shown = output if target is None else target
    title = f'{labels["title"]}: "{sentence}" → "{shown}"'
    if target is not None:
        title += " " + labels["forced"]
    data = {
        "title": title,
        "labels": labels,
        "sentence": sentence,
        "translation": shown,
    }
    data.update(_views(translator, sentence, out_ids, ended, rec, labels))
    css = asset("tinygrad_tx.viz", "page.css") + asset(
        "transformer", "attention_page.css"
    )
    script = (
        "(function () {\n" + asset("tinygrad_tx.viz", "common.js")
        + asset("transformer", "attention_page.js") + "\nreturn attentionPage;\n})()"
    )  # fmt: skip
    return HtmlPage(title, data, css=css, script=script, lang=lang)


def _output_ids(translator, src_ids, beam: int, target) -> tuple[list[int], bool]:
    """The decoder's words: `target`'s ids, or else the model's own translation
    (greedy or beam search, as `translate`); and whether it ended with </s>
    (rather than being cut at the length limit)."""
    if target is not None:
        return translator.tgt_vocab.encode(target), True
    model = translator.model
    max_len = max_output_length(model, len(src_ids))
    if beam == 1:
        out_ids = greedy_decode(model, [src_ids], max_len)[0]
    else:
        out_ids = beam_search(model, [src_ids], beam, max_len)[0]
    return out_ids, len(out_ids) < max_len


def _views(translator, sentence, out_ids, ended, rec, labels) -> dict:
    """The three maps with their words: the decoder's query i writes word i
    (the last writes </s>) having read <s> and the words before it."""
    src_words = tokenize(sentence)
    words = translator.tgt_vocab.decode_tokens(out_ids)
    written = [*words, "</s>" if ended else "…"]
    axes = {
        "encoder": (src_words, src_words),
        "decoder": (written, ["<s>", *words]),
        "cross": (written, src_words),
    }
    unknown = set(translator.src_vocab.unknown_words(sentence))
    return {
        "unknown": [w in unknown for w in src_words],
        "heads": int(rec.weights["encoder"].shape[1]),
        "views": [_view(kind, rec, *axes[kind], labels) for kind in KINDS],
    }


def _view(kind: str, rec: AttentionRecord, queries, keys, labels) -> dict:
    weights = rec.weights[kind]  # (layers, H, Lq, Lk)
    if weights.shape[2:] != (len(queries), len(keys)):
        raise ValueError(
            f"attention_page: {kind} weights of shape {weights.shape} do not match "
            f"{len(queries)} queries x {len(keys)} keys"
        )
    return {
        "kind": kind,
        "title": labels[kind],
        "queries": queries,
        "keys": keys,
        "q_axis": labels["written"] if kind != "encoder" else labels["query"],
        "k_axis": labels["read"] if kind == "decoder" else labels["source"],
        "weights": np.round(weights.astype(np.float64), 4).tolist(),
        "allowed": rec.allowed[kind].astype(int).tolist(),
    }


def write_attention_page(
    translator, sentence: str, path: str | os.PathLike, **options
) -> Path:
    """attention_page(translator, sentence, **options) saved at `path`."""
    return attention_page(translator, sentence, **options).save(path)


def show_attention_page(translator, sentence: str, path=None, **options) -> HtmlPage:
    """The line a lesson calls: the page in the notebook cell, or (run as a
    script) written to `path` (default out/pages/attention.html)."""
    page = attention_page(translator, sentence, **options)
    page.show(path or "out/pages/attention.html")
    return page
