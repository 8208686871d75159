"""Every Portuguese text of the grader uses the course glossary's terms.

The texts: the exercises' Portuguese docstrings and block instructions
(lessons/exercises/texts/pt/), the student README, and every `Text(en, pt)` and
`hint(id, en=..., pt=...)` in the grading package and the check files: hints,
messages, report labels. None may use a variant the glossary forbids, and a
text whose English names a glossary term names its Portuguese term.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
GLOSSARY = REPO / "lessons" / "glossary.tsv"
SOURCES = [
    *sorted((REPO / "tinygrad_tx" / "grading").glob("*.py")),
    *sorted((REPO / "lessons" / "exercises" / "checks").glob("*.py")),
    *sorted((REPO / "lessons" / "exercises" / "hidden").glob("*.py")),
]
TEXTS = sorted((REPO / "lessons" / "exercises" / "texts" / "pt").glob("*.md"))


def glossary() -> list[dict]:
    rows = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or line.startswith("english\t"):
            continue
        english, portuguese, forbidden, *note = [*line.split("\t"), "", ""][:4]
        variants = [v.strip() for v in forbidden.split(",") if v.strip()]
        rows.append(
            {"en": english, "pt": portuguese, "forbidden": variants, "note": note[0]}
        )
    return rows


def _words(phrase: str) -> re.Pattern:
    """A phrase as whole words, case-insensitive, plural -s/-es allowed."""
    return re.compile(rf"(?<![\w-]){re.escape(phrase)}(?:e?s)?(?![\w-])", re.I)


def _text(node) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            v.value
            for v in node.values
            if isinstance(v, ast.Constant) and isinstance(v.value, str)
        )
    return None


def pairs() -> list[tuple[str, str, str]]:
    """(where, English, Portuguese) for every Text(...) and hint(...) call."""
    found = []
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            skip = {"Text": 0, "hint": 1}.get(node.func.id)
            if skip is None:
                continue
            args = [_text(a) for a in node.args[skip:]]
            kw = {k.arg: _text(k.value) for k in node.keywords}
            en = kw.get("en") or (args[0] if args else None)
            pt = kw.get("pt") or (args[1] if len(args) > 1 else None)
            if en and pt:
                found.append((f"{path.name}:{node.lineno}", en, pt))
    return found


def portuguese_documents() -> list[tuple[str, str]]:
    """The texts, without the English originals they quote (<!-- comment: -->)."""
    english = re.compile(r"^<!-- comment: .* -->$", re.M)
    return [(p.name, english.sub("", p.read_text(encoding="utf-8"))) for p in TEXTS]


def _prose(text: str) -> str:
    """Text without code: `spans` and calls such as f(weight, ids=ids)."""
    text = re.sub(r"`[^`]*`", " ", text)
    return re.sub(r"[\w.]+\([^()]*\)", " ", text)


def test_there_are_texts_to_check():
    assert len(pairs()) > 150 and len(TEXTS) == 15


@pytest.mark.parametrize("term", glossary(), ids=lambda t: t["en"])
def test_no_forbidden_variant(term):
    texts = [(w, pt) for w, _, pt in pairs()] + portuguese_documents()
    found = [
        f"{where}: {variant!r}"
        for variant in term["forbidden"]
        for where, text in texts
        if _words(variant).search(text)
    ]
    assert not found, f"use {term['pt']!r}:\n" + "\n".join(found)


@pytest.mark.parametrize("term", glossary(), ids=lambda t: t["en"])
def test_english_terms_have_their_portuguese_term(term):
    """Where the Portuguese term differs from the English one and the note does
    not leave the word free for ordinary uses."""
    if term["pt"].lower() == term["en"].lower() or "ordinary" in term["note"]:
        pytest.skip(f"{term['en']!r} is kept as it is, or free for ordinary uses")
    english, portuguese = _words(term["en"]), _words(term["pt"])
    stem = re.compile(rf"(?<!\w){re.escape(term['pt'][:-1])}\w*", re.I)
    missing = [
        f"{where}: {pt!r}"
        for where, en, pt in pairs()
        if english.search(_prose(en)) and not (portuguese.search(pt) or stem.search(pt))
    ]
    assert not missing, f"without {term['pt']!r}:\n" + "\n".join(missing)
