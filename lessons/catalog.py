"""The list of lessons: number, title and one-line summary, in a language.

A lesson in the bilingual format takes its title and summary from its text
files (the `title` and `summary` labels of lessons/text/<lang>/NN_topic.md). A
lesson still in the older English-only format has them in its first cell:

    # # Lesson 7: Scaled dot-product attention
    #
    # _The one-line summary._
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .i18n import (
    LESSONS,
    lesson_script,
    read_lesson_text,
    resolve_language,
    text_languages,
)


@dataclass(frozen=True)
class LessonInfo:
    number: int
    title: str
    summary: str
    path: Path  # lessons/NN_topic.py
    language: str  # the language of title and summary
    languages: tuple[str, ...]  # the languages it is written in; () = older format

    @property
    def bilingual(self) -> bool:
        return bool(self.languages)


_TITLE = re.compile(r"^# # Lesson (\d+): (.+)$")


def lesson_info(path: Path, language: str | None = None) -> LessonInfo:
    """A lesson's entry, in `language` when it is written in it, else in English."""
    path = Path(path)
    language = resolve_language(language)
    written = tuple(text_languages(path.stem))
    if written:
        number = int(path.name[:2])
        shown = language if language in written else _fallback(written)
        text = read_lesson_text(number, shown)
        return LessonInfo(number, text("title"), text("summary"), path, shown, written)
    return _older_format(path)


def _fallback(written: tuple[str, ...]) -> str:
    return "en" if "en" in written else written[0]


def _older_format(path: Path) -> LessonInfo:
    lines = path.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        match = _TITLE.match(line)
        if match:
            summary = _first_sentence(_paragraph_after(lines, i + 1))
            return LessonInfo(int(match[1]), match[2].strip(), summary, path, "en", ())
    raise ValueError(
        f"{path}: no text files in lessons/text/<lang>/{path.stem}.md and no title "
        "line of the form '# # Lesson N: Title' in the first cell"
    )


def _paragraph_after(lines: list[str], start: int) -> str:
    """The first paragraph of comment text from line `start` on, as one line."""
    words: list[str] = []
    for line in lines[start:]:
        text = line.removeprefix("#").strip()
        if not text and words:
            break
        words += text.split()
    return " ".join(words).strip("_* ")


def _first_sentence(text: str) -> str:
    end = text.find(". ")
    return text if end < 0 else text[: end + 1]


def catalog(language: str | None = None, folder: Path = LESSONS) -> list[LessonInfo]:
    """Every lesson NN_topic.py in `folder`, in order."""
    return sorted(
        (lesson_info(p, language) for p in Path(folder).glob("[0-9][0-9]_*.py")),
        key=lambda info: info.number,
    )


def find_lesson(number: int, language: str | None = None) -> LessonInfo:
    """Lesson `number`'s entry; a clear error naming the lessons there are."""
    return lesson_info(lesson_script(number), language)
