"""The course in several languages, from one source per lesson.

A lesson's code is written once, in lessons/NN_topic.py. What a student reads is
text, kept per language in lessons/text/<lang>/NN_topic.md as keyed sections:

    <!-- say: title -->          a label: the lesson's title, or a line it prints
    Por que atenção              (str.format fields allowed: {steps}, {grad:.2e})

    <!-- cell: goals -->         a markdown cell; the .py marks where it goes
    **Objetivos**                with the line `# %% [markdown] key="goals"`

A lesson prints through its labels: `text = lesson_text(1)`, then
`text.say("key", value=...)` prints one and `text("key")` returns one (a figure
title). lessons/text/<lang>/course.md holds the labels all lessons share. A
language is a folder of such files, so adding one (Chinese: lessons/text/zh/) is
adding text files, not code.

The language is the one asked for, else the one this lesson chose (a notebook's
`lesson_text(1, "pt")` makes the shared labels Portuguese too), else
$TINYGRAD_TX_LANG (what `lesson run --lang` sets for the script it starts), else
the locale ($LC_ALL, $LC_MESSAGES, $LANG, in that order: LANG=pt_BR.UTF-8 gives
pt), else English.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path

from tinygrad_tx.languages import DEFAULT
from tinygrad_tx.languages import resolve_language as _by_the_course_rule

LESSONS = Path(__file__).resolve().parent
TEXT = LESSONS / "text"
COURSE = "course"  # lessons/text/<lang>/course.md: the labels every lesson shares

_MARKER = re.compile(r"^<!--\s*(cell|say)\s*:\s*(.*?)\s*-->\s*$")
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


# ---------------------------------------------------------------- which language

_chosen: str | None = None  # set by lesson_text(N, language): the lesson's language


def languages() -> list[str]:
    """The course's languages: the folders of lessons/text/ that hold a course.md."""
    if not TEXT.is_dir():
        return [DEFAULT]
    return sorted(d.name for d in TEXT.iterdir() if (d / f"{COURSE}.md").is_file())


def resolve_language(requested: str | None = None) -> str:
    """The language to use: `requested`, else the lesson's choice, else
    $TINYGRAD_TX_LANG, else the locale's when the course has it, else English
    (tinygrad_tx.languages.resolve_language: the grader's rule too)."""
    env = os.environ.get("TINYGRAD_TX_LANG")
    source = " (from $TINYGRAD_TX_LANG)" if env and not (requested or _chosen) else ""
    asked = requested or _chosen or env
    return _by_the_course_rule(asked, languages(), source=source)


# ---------------------------------------------------------------- text files


@dataclass(frozen=True)
class Section:
    kind: str  # "cell" (a markdown cell) or "say" (a label)
    key: str
    text: str
    line: int  # where its marker is, for messages


def read_sections(path: Path) -> list[Section]:
    """The keyed sections of a text file, in order; a clear error (file and
    line) for a bad marker, a repeated key, or text before the first marker."""
    path = Path(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    markers = [(i, m) for i, line in enumerate(lines) if (m := _MARKER.match(line))]
    header = "\n".join(lines[: markers[0][0] if markers else len(lines)])
    if not re.fullmatch(r"\s*(<!--.*?-->\s*)*", header, flags=re.S):
        raise ValueError(
            f"{path}:1: text before the first section marker; start each "
            "section with '<!-- cell: KEY -->' or '<!-- say: KEY -->'"
        )
    sections: list[Section] = []
    for n, (i, match) in enumerate(markers):
        end = markers[n + 1][0] if n + 1 < len(markers) else len(lines)
        _check_key(path, i + 1, match[1], match[2], sections)
        body = "\n".join(lines[i + 1 : end]).strip("\n")
        sections.append(Section(match[1], match[2], body, i + 1))
    return sections


def _check_key(path: Path, number: int, kind: str, key: str, sections: list) -> None:
    if not _KEY.match(key):
        raise ValueError(
            f"{path}:{number}: bad key {key!r} in a '{kind}' marker; keys are "
            "lower-case letters, digits and _ (e.g. 'rnn_steps')"
        )
    for earlier in sections:
        if (earlier.kind, earlier.key) == (kind, key):
            raise ValueError(
                f"{path}:{number}: '{kind}: {key}' repeats the section of line "
                f"{earlier.line}; each key appears once per file"
            )


class LessonText:
    """One text file of one language: `text(key, **values)` returns a label,
    `text.say(key, **values)` prints it, `text.cell(key)` is a markdown cell."""

    def __init__(self, path: Path, language: str):
        self.path, self.language = Path(path), language
        sections = read_sections(self.path)
        self.cells = {s.key: s.text for s in sections if s.kind == "cell"}
        self.labels = {s.key: s.text for s in sections if s.kind == "say"}

    def __call__(self, key: str, **values) -> str:
        if key not in self.labels:
            raise ValueError(
                f"{self.path}: no label {key!r} (a '<!-- say: {key} -->' section); "
                "every language's file needs it (lessons/README.md)"
            )
        try:
            return self.labels[key].format(**values)
        except (KeyError, IndexError) as exc:
            raise ValueError(
                f"{self.path}: label {key!r} needs the value {exc}; pass it by "
                f"name: say({key!r}, {str(exc).strip(chr(39))}=...)"
            ) from None

    def say(self, key: str, **values) -> None:
        """Print the label `key`, filled with `values`."""
        print(self(key, **values))

    def cell(self, key: str) -> str:
        if key not in self.cells:
            raise ValueError(
                f"{self.path}: no markdown cell {key!r} (a '<!-- cell: {key} -->' "
                "section); the lesson's .py asks for it"
            )
        return self.cells[key]


@functools.cache
def _parsed(path: Path, language: str, modified: int) -> LessonText:
    return LessonText(path, language)


def _load(path: Path, language: str) -> LessonText:
    """Parsed once per version of the file (an edited text is read again)."""
    return _parsed(path, language, path.stat().st_mtime_ns)


def text_path(stem: str, language: str) -> Path:
    """lessons/text/<language>/<stem>.md."""
    return TEXT / language / f"{stem}.md"


def text_languages(stem: str) -> list[str]:
    """The languages a lesson (by file stem, e.g. '01_why_attention') is written in."""
    return [lang for lang in languages() if text_path(stem, lang).is_file()]


def lesson_script(number: int) -> Path:
    """lessons/NN_topic.py for lesson `number`."""
    found = sorted(LESSONS.glob(f"{number:02d}_*.py")) if number >= 0 else []
    if len(found) != 1:
        from transformer.commands import command  # only here: the model is heavy

        numbers = sorted(int(p.name[:2]) for p in LESSONS.glob("[0-9][0-9]_*.py"))
        raise ValueError(
            f"there is no lesson {number}; the lessons are {numbers[0]} to "
            f"{numbers[-1]} ({command('lesson list')})"
        )
    return found[0]


def lesson_text(number: int, language: str | None = None) -> LessonText:
    """The texts of lesson `number` in `language` (default: resolve_language()),
    for the lesson itself: a language given here becomes the one the shared
    labels (course.md) use too, for the rest of the run."""
    global _chosen
    if language is not None:
        _chosen = resolve_language(language)
    return read_lesson_text(number, language)


def read_lesson_text(number: int, language: str | None = None) -> LessonText:
    """The texts of lesson `number` in `language`, with no other effect."""
    language = resolve_language(language)
    stem = lesson_script(number).stem
    path = text_path(stem, language)
    if not path.is_file():
        written = ", ".join(text_languages(stem)) or "none yet"
        raise ValueError(
            f"lesson {number} is not written in {language!r}: {path} is missing "
            f"(it is written in: {written})"
        )
    return _load(path, language)


def course_text(language: str | None = None) -> LessonText:
    """The labels every lesson shares (lessons/text/<lang>/course.md)."""
    language = resolve_language(language)
    return _load(text_path(COURSE, language), language)
