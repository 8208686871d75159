"""The course's texts: one source per lesson, complete in every language, and
Portuguese that follows the glossary.

- Every key a lesson's .py uses (its keyed markdown cells, its `text("key")` and
  `text.say("key")` labels) exists in every language; no text file holds a key
  that nothing uses; a label has the same {fields} in every language.
- Every Portuguese text uses the glossary's term where the English text uses
  the English one, and none of the variants the glossary forbids. Quotations of
  the slides are exempt: blockquote lines (`> ...`) in a cell, and labels whose
  key starts with `slide_`.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from pathlib import Path

import pytest

from lessons import i18n
from lessons.catalog import catalog
from lessons.i18n import COURSE, LessonText, languages, read_sections, text_path
from lessons.utils import DRAW_HEADS_LABELS

ROOT = Path(__file__).resolve().parent.parent
LESSONS = [info for info in catalog("en") if info.bilingual]
LANGUAGES = languages()
SAY = re.compile(r"""\btext(?:\.say)?\(\s*["']([a-z][a-z0-9_]*)["']""")
CELL_KEY = re.compile(r'^# %% \[markdown\] key="([^"]+)"\s*$', re.M)
ALWAYS = {"title", "summary"}  # labels the catalogue reads, not the .py


def keys_of(path: Path) -> tuple[set[str], set[str]]:
    """(markdown cell keys, label keys) a lesson's .py uses."""
    source = path.read_text(encoding="utf-8")
    labels = set(SAY.findall(source)) | ALWAYS
    if "draw_heads(" in source:  # lessons.utils.draw_heads reads the lesson's labels
        labels |= set(DRAW_HEADS_LABELS)
    return set(CELL_KEY.findall(source)), labels


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_some_lessons_are_bilingual_and_english_and_portuguese_exist():
    assert {"en", "pt"} <= set(LANGUAGES)
    assert len(LESSONS) >= 5


@pytest.mark.parametrize("info", LESSONS, ids=lambda i: f"lesson{i.number:02d}")
def test_every_key_exists_in_every_language_and_none_is_orphan(info):
    cells, labels = keys_of(info.path)
    for language in LANGUAGES:
        path = text_path(info.path.stem, language)
        assert path.is_file(), f"lesson {info.number} has no {language} text: {path}"
        text = LessonText(path, language)
        assert cells - set(text.cells) == set(), f"{path}: missing cells"
        assert labels - set(text.labels) == set(), f"{path}: missing labels"
        assert set(text.cells) - cells == set(), f"{path}: cells nothing uses"
        assert set(text.labels) - labels == set(), f"{path}: labels nothing uses"


@pytest.mark.parametrize("stem", [i.path.stem for i in LESSONS] + [COURSE])
def test_labels_take_the_same_fields_in_every_language(stem):
    texts = {lang: LessonText(text_path(stem, lang), lang) for lang in LANGUAGES}
    english = texts["en"]
    for language, text in texts.items():
        assert set(text.labels) == set(english.labels), f"{stem}: {language} keys"
        for key, template in text.labels.items():
            assert fields(template) == fields(english.labels[key]), (
                f"{text.path}: label {key!r} takes {fields(template)}, English "
                f"takes {fields(english.labels[key])}"
            )


@pytest.mark.parametrize("info", LESSONS, ids=lambda i: f"lesson{i.number:02d}")
def test_a_bilingual_lesson_keeps_no_prose_in_its_code(info):
    """Its markdown cells are empty key markers; its first is the goals and its
    last what we built; it asks for its texts once."""
    source = info.path.read_text(encoding="utf-8")
    cells = re.split(r"^# %%", source, flags=re.M)[1:]
    markdown = [c for c in cells if c.startswith(" [markdown]")]
    for cell in markdown:
        body = cell.split("\n", 1)[1].strip()
        assert 'key="' in cell.split("\n", 1)[0] and not body, cell[:200]
    keys = CELL_KEY.findall(source)
    assert keys[0] == "goals" and keys[-1] == "what_we_built", keys
    assert source.count(f"lesson_text({info.number})") == 1


def test_course_labels_are_all_used_by_the_lessons_package():
    code = "".join(
        (ROOT / "lessons" / name).read_text() for name in
        ("utils.py", "cli.py", "notebooks.py", "catalog.py")
    )  # fmt: skip
    english = LessonText(text_path(COURSE, "en"), "en")
    unused = {key for key in english.labels if f'"{key}"' not in code}
    assert not unused, f"course.md labels nothing uses: {unused}"


# ---------------------------------------------------------------- the file format


def test_a_lesson_with_neither_texts_nor_a_title_line_is_a_clear_error(tmp_path):
    from lessons.catalog import lesson_info

    bad = tmp_path / "99_untitled.py"
    bad.write_text("# %% [markdown]\n# Some text\n")
    with pytest.raises(ValueError, match=r"99_untitled\.md and no title line"):
        lesson_info(bad, "en")


def test_sections_with_errors_name_the_file_and_line(tmp_path):
    bad = tmp_path / "bad.md"
    bad.write_text("<!-- say: a -->\nA\n\n<!-- cell: b -->\nB\n<!-- say: a -->\nC\n")
    with pytest.raises(ValueError, match=r"bad\.md:6: 'say: a' repeats .* line 1"):
        read_sections(bad)
    bad.write_text("<!-- header -->\nstray text\n<!-- say: a -->\nA\n")
    with pytest.raises(ValueError, match=r"bad\.md:1: text before the first"):
        read_sections(bad)
    bad.write_text("<!-- say: Not-A-Key -->\nA\n")
    with pytest.raises(ValueError, match=r"bad\.md:1: bad key 'Not-A-Key'"):
        read_sections(bad)


def test_labels_are_filled_and_missing_ones_are_clear(tmp_path):
    path = tmp_path / "t.md"
    path.write_text("<!--\n  a header\n-->\n<!-- say: steps -->\n{n:>3} passos\n")
    text = LessonText(path, "pt")
    assert text("steps", n=7) == "  7 passos"
    with pytest.raises(ValueError, match=r"label 'steps' needs the value 'n'"):
        text("steps")
    with pytest.raises(ValueError, match=r"no label 'nope'"):
        text.say("nope")


def test_the_language_follows_the_request_then_the_lesson_then_env_then_locale(
    monkeypatch,
):
    monkeypatch.setattr(i18n, "_chosen", None)
    for name in ("TINYGRAD_TX_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    assert i18n.resolve_language() == "en"
    monkeypatch.setenv("LANG", "pt_BR.UTF-8")
    assert i18n.resolve_language() == "pt"
    monkeypatch.setenv("LC_ALL", "C")  # LC_ALL wins over LANG
    assert i18n.resolve_language() == "en"
    monkeypatch.setenv("TINYGRAD_TX_LANG", "pt")
    assert i18n.resolve_language() == "pt"
    assert i18n.resolve_language("en") == "en"
    assert i18n.resolve_language("pt-BR") == "pt"
    i18n.lesson_text(1, "en")  # a lesson that chose its language
    assert i18n.resolve_language() == "en"
    monkeypatch.setattr(i18n, "_chosen", None)
    monkeypatch.setenv("TINYGRAD_TX_LANG", "fr")
    with pytest.raises(ValueError, match=r"unknown course language 'fr' \(from \$TIN"):
        i18n.resolve_language()


# ---------------------------------------------------------------- the glossary


@dataclass(frozen=True)
class Term:
    english: str
    portuguese: str
    variants: tuple[str, ...]


def read_glossary() -> list[Term]:
    terms = []
    for line in (ROOT / "lessons" / "glossary.tsv").read_text().splitlines():
        if not line.strip() or line.startswith("#") or line.startswith("english\t"):
            continue
        english, portuguese, variants, *_ = [*line.split("\t"), "", ""][:4]
        forms = tuple(v.strip() for v in variants.split(",") if v.strip())
        terms.append(Term(english.strip(), portuguese.strip(), forms))
    return sorted(terms, key=lambda t: -len(t.english))


GLOSSARY = read_glossary()


def prose(text: str) -> str:
    """The text the glossary governs: without code, math, links, HTML comments,
    format fields and quotations of the slides (blockquote lines)."""
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.S)
    text = re.sub(r"\$\$.*?\$\$", " ", text, flags=re.S)
    text = re.sub(r"\$[^$\n]+\$|`[^`\n]+`|https?://\S+", " ", text)
    text = re.sub(r"\{[a-z_0-9]*(?:[:!][^{}]*)?\}", " ", text)  # a label's {fields}
    lines = text.splitlines()
    return "\n".join(line for line in lines if not line.lstrip().startswith(">"))


def whole(phrase: str) -> str:
    """A regex for `phrase` as whole words (a hyphen counts as part of a word)."""
    return rf"(?<![\w-]){phrase}(?![\w-])"


def english_pattern(term: str) -> str:
    return whole(re.escape(term) + "(?:s|es)?")


def portuguese_forms(word: str) -> str:
    """A word and its plural: cabeça(s), neural/neurais, atenção/atenções."""
    plural = {"ão": ["ões", "ães", "ãos"], "al": ["ais"], "el": ["éis"],
              "m": ["ns"]}  # fmt: skip
    forms = [word, word + "s", word + "es"]
    for ending, endings in plural.items():
        if word.endswith(ending):
            forms += [word[: -len(ending)] + e for e in endings]
    return "(?:" + "|".join(re.escape(f) for f in forms) + ")"


def portuguese_pattern(term: str) -> str:
    return whole(r"\s+".join(portuguese_forms(w) for w in term.split()))


def glossary_problems(portuguese: str, english: str | None) -> list[str]:
    """What a Portuguese text does wrong, against the English text of the same
    section when there is one."""
    pt, en = prose(portuguese), prose(english or "")
    problems = []
    for term in GLOSSARY:
        for variant in term.variants:
            if re.search(whole(re.escape(variant)), pt, flags=re.I):
                problems.append(f"'{variant}' (write '{term.portuguese}')")
        if term.portuguese.lower() == term.english.lower():
            continue  # a word the course keeps in English
        if re.search(english_pattern(term.english), en, flags=re.I):
            en = re.sub(english_pattern(term.english), " ", en, flags=re.I)
            if not re.search(portuguese_pattern(term.portuguese), pt, flags=re.I):
                problems.append(f"'{term.english}' in English, no '{term.portuguese}'")
    return problems


def test_the_glossary_check_catches_variants_and_missing_terms():
    assert glossary_problems("A auto-atenção olha tudo.", None) == [
        "'auto-atenção' (write 'autoatenção')"
    ]
    quoted = "> Slide: a auto-atenção\n\nA autoatenção."
    assert glossary_problems(quoted, None) == []
    assert glossary_problems("`loss.backward()` calcula a perda", "the loss") == []
    assert glossary_problems("As cabeças e as redes neurais.",
                             "The heads and the neural networks.") == []  # fmt: skip
    missing = glossary_problems("Cada cabeça olha.", "Each head uses self-attention.")
    assert missing == ["'self-attention' in English, no 'autoatenção'"]


@pytest.mark.parametrize("stem", [i.path.stem for i in LESSONS] + [COURSE])
def test_portuguese_texts_follow_the_glossary(stem):
    english = {(s.kind, s.key): s.text for s in read_sections(text_path(stem, "en"))}
    problems = []
    for section in read_sections(text_path(stem, "pt")):
        if section.kind == "say" and section.key.startswith("slide_"):
            continue  # the slide's own words
        same_section = english.get((section.kind, section.key))
        found = glossary_problems(section.text, same_section)
        problems += [f"line {section.line} ({section.key}): {p}" for p in found]
    assert not problems, f"{text_path(stem, 'pt')}:\n" + "\n".join(problems)
