"""One self-contained HTML file: styles, script and data inline, nothing fetched.

A page is a <div> with its own id, the data it shows as JSON in a
<script type="application/json">, and a script that draws the div from that
data. No CDN, no font, no image is loaded from anywhere: the file opens from
disk with no server and no network. The same fragment is what a notebook cell
shows (`_repr_html_`): its styles are scoped under `.txv`, and its script finds
its own div by id, so two pages in one notebook do not interfere.

    page = HtmlPage("title", data, css=..., script=..., lang="pt")
    page.save("out/page.html")       # a whole document, written atomically
    page                             # in Jupyter: displayed in the cell
"""

from __future__ import annotations

import json
import os
import uuid
from html import escape
from importlib import resources
from pathlib import Path

from ..io import atomic_write_bytes

LANGS = ("en", "pt")
WROTE = {  # what `show` prints outside a notebook, in the page's language
    "en": "wrote {path} (open it in a browser)",
    "pt": "página gravada em {path} (abra no navegador)",
}


def asset(package: str, name: str) -> str:
    """The text of a file shipped beside the code (`assets/` of `package`)."""
    return resources.files(package).joinpath("assets", name).read_text("utf-8")


def check_lang(lang: str, who: str) -> str:
    if lang not in LANGS:
        raise ValueError(
            f"{who}: lang must be 'en' (English) or 'pt' (Brazilian Portuguese), "
            f"got {lang!r}"
        )
    return lang


class HtmlPage:
    """A page: `html` is the whole document, `fragment()` the part a notebook
    cell shows. `data` must be JSON-serialisable; `script` is a JavaScript
    function expression `(function (root, data) {...})` that draws the page
    into its <div> `root` from `data`."""

    def __init__(self, title: str, data: dict, *, css: str, script: str, lang="en"):
        self.title, self.data, self.css, self.script = title, data, css, script
        self.lang = check_lang(lang, "HtmlPage")

    def fragment(self, uid: str | None = None) -> str:
        """<style>, the page's <div>, its data and its script."""
        uid = uid or f"txv-{uuid.uuid4().hex[:12]}"
        payload = json.dumps(self.data, ensure_ascii=False, separators=(",", ":"))
        payload = payload.replace("</", "<\\/")  # never closes the <script> early
        return (
            f"<style>{self.css}</style>\n"
            f'<div class="txv" id="{uid}" tabindex="0" lang="{self.lang}" '
            f'aria-label="{escape(self.title)}"></div>\n'
            f'<script type="application/json" id="{uid}-data">{payload}</script>\n'
            f"<script>({self.script.strip()})(document.getElementById('{uid}'), "
            f"JSON.parse(document.getElementById('{uid}-data').textContent));"
            "</script>\n"
        )

    @property
    def html(self) -> str:
        """The whole document: opens from disk in any browser."""
        return (
            f'<!DOCTYPE html>\n<html lang="{self.lang}">\n<head>\n'
            '<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(self.title)}</title>\n</head>\n"
            f'<body class="txv-standalone">\n{self.fragment("txv-page")}</body>\n'
            "</html>\n"
        )

    def save(self, path: str | os.PathLike) -> Path:
        """Write the document to `path` (".html" added when it has no suffix);
        returns the path written."""
        path = Path(path)
        if not path.suffix:
            path = path.with_suffix(".html")
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, self.html.encode("utf-8"))
        path.chmod(0o644)  # a page to open and share (the atomic write leaves 0o600)
        return path

    def show(self, path: str | os.PathLike) -> None:
        """In a notebook, display the page in the cell; elsewhere (a lesson run
        as a script) save it at `path` and print where it went, in the page's
        language."""
        if _in_notebook():
            from IPython.display import display

            display(self)
        else:
            print(WROTE[self.lang].format(path=self.save(path)))

    def _repr_html_(self) -> str:
        return self.fragment()

    def __repr__(self) -> str:
        size = len(self.html.encode("utf-8"))
        return (
            f"<HtmlPage {self.title!r}, {size / 1024:.0f} KiB; .save(path) writes it>"
        )


def _in_notebook() -> bool:
    """True inside a Jupyter kernel (where a cell can show HTML)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")
