"""The interactive pages of the render-graph examples, and the lines a lesson
calls to show them.

    python cli.py render-graph neuron --html out/pages/neuron.html
    show_example_page("thinking-machines", lang="pt")   # in a lesson's cell

Each example is built and run by the engine (forward and backward), then
written as one HTML file by `tinygrad_tx.viz.graph_page`: clusters that fold,
values and gradients on click, and a forward/backward stepper.
"""

from __future__ import annotations

import os
from pathlib import Path

from tinygrad_tx.viz import HtmlPage, graph_page

from . import graph_examples as gx

# The examples' titles in Portuguese (the English ones are in graph_examples.py),
# with the terms of lessons/glossary.tsv.
TITLES_PT = {
    "neuron": "um neurônio: o = tanh(x1·w1 + x2·w2 + b)",
    "thinking-machines": "Thinking Machines: softmax(q1 Kᵀ / √64) V, depois "
    "L = sum(z1)",
    "mlp": "MLP(3, [4, 4, 1]), perda = mean((MLP(x) - y)²)",
    "softmax": "softmax([2, 1, 0.1]): fundida e composta, mesmos valores e "
    "gradientes",
    "attention": "softmax(Q Kᵀ / √d_k) V, máscara causal (em vermelho: onde a "
    "máscara entra)",
    "multi-head": "MultiHeadAttention(d_model=16, n_heads=2), autoatenção, "
    "máscara causal",
    "encoder-layer": "EncoderLayer: x = LayerNorm(x + Sublayer(x)), máscara de "
    "padding",
    "decoder-layer": "DecoderLayer: autoatenção causal, atenção cruzada com a "
    "memória (memory), FFN",
    "transformer": "um passo de treinamento do Transformer, 2 camadas no encoder e "
    "2 no decoder (--depth 3 ou 4 para mais detalhes)",
}


def example_title(name: str, lang: str = "en") -> str:
    """The title of render-graph example `name` in `lang` ("en" or "pt")."""
    title = gx.get_example(name).title
    return TITLES_PT.get(name, title) if lang == "pt" else title


def example_page(
    name: str, *, lang: str = "en", device: str = "cpu", depth: int | None = None
) -> HtmlPage:
    """The page of render-graph example `name` (see `render-graph --list`),
    folded at `depth` (default: the example's own, e.g. 1 for the layers)."""
    example = gx.get_example(name)
    return graph_page(
        example.build(device),
        depth=example.page_depth if depth is None else depth,
        title=example_title(name, lang),
        lang=lang,
        module_colors=gx.MODULE_COLORS,
    )


def write_example_page(name: str, path: str | os.PathLike, **options) -> Path:
    """example_page(name, **options) saved at `path`; returns the path."""
    return example_page(name, **options).save(path)


def show_example_page(name: str, path: str | os.PathLike | None = None, **options):
    """Show the page in a notebook cell, or (run as a script) write it to
    `path` (default out/pages/<name>.html) and print where."""
    page = example_page(name, **options)
    page.show(path or Path("out/pages") / f"{name}.html")
    return page


# ---------------------------------------------------------------- README pictures

SENTENCE = "the cat sleeps on the mat"


def write_page_screenshots(
    out_dir="docs/images", checkpoint="runs/toy-translation", lang="en"
) -> list[Path]:
    """The README's pictures of the two pages, taken in headless Chromium:
    the Thinking Machines graph stopped at a backward step, and the
    attention page of `checkpoint` with a word clicked. Small PNGs (a
    128-colour palette). Needs Playwright and Chromium (see browser.py)."""
    from tinygrad_tx.viz.browser import browser, screenshot, why_no_browser

    from .attention_page import attention_page
    from .translator import Translator

    reason = why_no_browser()
    if reason:
        raise RuntimeError(f"cannot take screenshots: {reason}")
    out_dir = Path(out_dir)
    pages = out_dir / "pages"
    graph = example_page("thinking-machines", lang=lang).save(pages / "graph.html")
    translator = Translator.load(checkpoint)
    attention = attention_page(translator, SENTENCE, lang=lang).save(pages / "attention.html")
    shots = [
        (graph, "page-graph.png", _backward_to_softmax),
        (attention, "page-attention.png", _click_a_word),
    ]
    paths = []
    with browser() as chromium:
        for page, name, actions in shots:
            png = screenshot(chromium, page, out_dir / name, 1100, 560, actions)
            paths.append(_shrink(png))
    for page, _, _ in shots:
        page.unlink()
    pages.rmdir()
    return paths


def _backward_to_softmax(page) -> None:
    """Step to the backward step through softmax: dL/d(scores/√d_k)."""
    page.focus(".txv")
    page.keyboard.press("End")
    for _ in range(4):  # back from q1, K, transpose, scores
        page.keyboard.press("ArrowLeft")


def _click_a_word(page) -> None:
    page.click("button[data-view='cross']")
    page.click("th.txv-query[data-q='1']")


def _shrink(png: Path) -> Path:
    from PIL import Image

    with Image.open(png) as image:
        small = image.convert("RGB").quantize(colors=128)
    small.save(png, optimize=True)
    return png


if __name__ == "__main__":
    import sys

    checkpoint = sys.argv[1] if len(sys.argv) > 1 else "runs/toy-translation"
    for path in write_page_screenshots(checkpoint=checkpoint):
        print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB)")
