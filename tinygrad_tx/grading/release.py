"""Release: write the students' version of the exercises, in their language.

In the answer key each solution sits between two marker lines (nbgrader's
convention):

        # Return the gradient of the input: ...      <- the task, kept
        ### BEGIN SOLUTION
        return grad_out * self.y * (1 - self.y)       <- removed
        ### END SOLUTION

The student's file keeps everything outside the markers and gets, in place of
each block, `raise NotImplementedError("write Sigmoid.backward ...")` at the
block's indentation. The public checks and a README go with the files; the
hidden checks and the answer key never do.

In another language (texts/<lang>/<id>.md beside the answer key) the module
docstring and the comment above each block are replaced by their translation;
the code is the same.

Release is safe to run again: a file equal to what it would write is left as
it is, a file the student changed is kept unless force=True, and then it is
first copied to FILE.bak. It never writes into the answer key's folder.
"""

from __future__ import annotations

import re
import shutil
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

from ..files import atomic_write_text
from .exercises import Exercise, default_directory, discover

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
_DEF = re.compile(r"^(\s*)(?:async\s+)?(def|class)\s+(\w+)")
_NOT_DONE = {
    "en": "write {where} (see the comments above)",
    "pt": "escreva {where} (veja os comentários acima)",
}


def strip_solutions(source: str, filename: str = "<exercise>", lang: str = "en") -> str:
    """The source with every solution block replaced by a NotImplementedError."""
    out, begin_line = [], None
    lines = source.splitlines(keepends=True)
    for number, line in enumerate(lines, start=1):
        marker = line.strip()
        if marker.startswith(BEGIN):
            if begin_line is not None:
                raise ValueError(
                    f"{filename}, line {number}: {BEGIN} inside the block opened "
                    f"at line {begin_line}; close it with {END} first"
                )
            begin_line = number
            indent = line[: len(line) - len(line.lstrip())]
            text = _NOT_DONE.get(lang, _NOT_DONE["en"])
            message = text.format(where=_enclosing(lines[: number - 1]))
            out.append(f'{indent}raise NotImplementedError("{message}")\n')
        elif marker.startswith(END):
            if begin_line is None:
                raise ValueError(f"{filename}, line {number}: {END} without {BEGIN}")
            begin_line = None
        elif begin_line is None:
            out.append(line)
    if begin_line is not None:
        raise ValueError(
            f"{filename}, line {begin_line}: {BEGIN} is never closed by {END}"
        )
    return "".join(out)


def _enclosing(previous: list[str]) -> str:
    """The qualified name of the def (and class) the block sits in: Sigmoid.backward."""
    names, limit = [], None
    for line in reversed(previous):
        match = _DEF.match(line)
        if match and (limit is None or len(match.group(1)) < limit):
            names.append(match.group(3))
            limit = len(match.group(1))
            if limit == 0:
                break
    return ".".join(reversed(names)) or "this part"


# ------------------------------------------------------------------ translation


def translated(exercise: Exercise, lang: str) -> str:
    """The answer key's source with its texts in `lang` (the code unchanged)."""
    source = exercise.file.read_text(encoding="utf-8")
    path = exercise.text_file(lang)
    if lang == "en" or not path.is_file():
        return source
    doc, comments = parse_text(path.read_text(encoding="utf-8"))
    return _translate_comments(_replace_docstring(source, doc), comments)


def parse_text(text: str) -> tuple[str, dict[str, str]]:
    """(docstring, {English comment: translation}) from a texts/<lang>/<id>.md:
    the docstring, then `<!-- comment: English text -->` lines each followed by
    the translation of that comment."""
    parts = re.split(r"^<!-- comment: (.*?) -->\n", text, flags=re.M)
    doc, comments = parts[0].strip(), {}
    for english, translation in zip(parts[1::2], parts[2::2]):
        comments[" ".join(english.split())] = " ".join(translation.split())
    return doc, comments


def _replace_docstring(source: str, doc: str) -> str:
    start = source.index('"""')
    end = source.index('"""', start + 3) + 3
    return source[:start] + f'"""{doc}\n"""' + source[end:]


def _translate_comments(source: str, comments: dict[str, str]) -> str:
    """Replace each comment block just above a BEGIN marker by its translation."""
    lines = source.splitlines(keepends=True)
    out: list[str] = []
    for line in lines:
        if line.strip().startswith(BEGIN):
            block = []
            while out and out[-1].strip().startswith("#"):
                block.insert(0, out.pop())
            english = " ".join(b.strip().lstrip("#").strip() for b in block)
            indent = line[: len(line) - len(line.lstrip())]
            if english in comments:
                block = [
                    f"{indent}# {piece}\n"
                    for piece in textwrap.wrap(comments[english], 86 - len(indent))
                ]
            out += block
        out.append(line)
    return "".join(out)


# ------------------------------------------------------------------ release


@dataclass
class Released:
    written: list[Path] = field(default_factory=list)  # new or replaced files
    kept: list[Path] = field(default_factory=list)  # already the same
    changed: list[Path] = field(default_factory=list)  # the student's, left alone
    backups: list[Path] = field(default_factory=list)  # FILE.bak copies made


def release(
    to: Path | str = "my_exercises",
    force: bool = False,
    directory: Path | str | None = None,
    lang: str = "en",
) -> Released:
    """Write the student files, their checks and a README into `to`."""
    to = Path(to)
    directory = Path(directory) if directory else default_directory()
    _refuse_answer_key(to, directory)
    if to.exists() and not to.is_dir():
        raise NotADirectoryError(f"release: {to} exists and is not a folder")
    exercises = discover(directory)
    files = {}
    for exercise in exercises:
        source = translated(exercise, lang)
        stub = strip_solutions(source, exercise.file.name, lang)
        files[to / exercise.filename] = stub
        checks = exercise.checks_file.read_text(encoding="utf-8")
        files[to / "checks" / exercise.checks_file.name] = checks
    files[to / "README.md"] = _student_readme(exercises, directory, lang)
    result = Released()
    for path, text in files.items():
        _write(path, text, force, result)
    return result


def _refuse_answer_key(to: Path, directory: Path) -> None:
    target, key = to.resolve(), directory.resolve()
    if target == key or key in target.parents:
        raise ValueError(
            f"release: {to} is the answer key's folder ({key}); the stubs would "
            "replace the solutions. Release to another folder, e.g. my_exercises"
        )


def _write(path: Path, text: str, force: bool, result: Released) -> None:
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        result.kept.append(path)
        return
    if path.exists():
        if not force:
            result.changed.append(path)
            return
        backup = _free_backup(path)
        shutil.copy2(path, backup)
        result.backups.append(backup)
    atomic_write_text(path, text)  # a crash never leaves half a student's file
    result.written.append(path)


def _free_backup(path: Path) -> Path:
    backup = path.with_name(path.name + ".bak")
    n = 1
    while backup.exists():
        backup = path.with_name(f"{path.name}.bak{n}")
        n += 1
    return backup


def _student_readme(exercises: list[Exercise], directory: Path, lang: str) -> str:
    template_path = directory / "texts" / lang / "STUDENT_README.md"
    if lang == "en" or not template_path.is_file():
        template_path = directory / "STUDENT_README.md"
    template = Template(template_path.read_text(encoding="utf-8"))
    header = {
        "en": "| id | lesson | file | task | public | hidden | total |",
        "pt": "| id | aula | arquivo | tarefa | públicas | ocultas | total |",
    }.get(lang, "| id | lesson | file | task | public | hidden | total |")
    rows = [
        f"| `{e.id}` | {e.lesson} | `{e.filename}` | {e.title_in(lang)} | "
        f"{e.public_points} | {e.hidden_points} | {e.points(True)} |"
        for e in exercises
    ]
    table = "\n".join([header, "|---|---|---|---|---|---|---|", *rows])
    return template.substitute(table=table)
