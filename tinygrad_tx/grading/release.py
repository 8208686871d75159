"""Release: write the students' version of the exercises.

In the answer key each solution sits between two marker lines (nbgrader's
convention):

        # Return the gradient of the input: ...      <- the task, kept
        ### BEGIN SOLUTION
        return grad_out * self.y * (1 - self.y)       <- removed
        ### END SOLUTION

The student's file keeps everything outside the markers and gets, in place of
each block, `raise NotImplementedError("write Sigmoid.backward ...")` at the block's
indentation. The checks and a README go with the files; the hidden checks and
the answer key do not.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from string import Template

from .exercises import Exercise, default_directory, discover

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
_DEF = re.compile(r"^(\s*)(?:async\s+)?(def|class)\s+(\w+)")


def strip_solutions(source: str, filename: str = "<exercise>") -> str:
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
            where = _enclosing(lines[: number - 1])
            out.append(
                f'{indent}raise NotImplementedError("write {where} (see the comments '
                f'above)")\n'
            )
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


def release(
    to: Path | str, force: bool = False, directory: Path | str | None = None
) -> list[Path]:
    """Write the student files, their checks and a README into `to`.

    Refuses a folder that already holds files unless force=True (then the files
    it writes are replaced; other files are left alone). Running it twice gives
    the same files. Returns the paths written.
    """
    to = Path(to)
    if to.exists() and not to.is_dir():
        raise NotADirectoryError(f"release: {to} exists and is not a folder")
    if to.is_dir() and any(to.iterdir()) and not force:
        raise FileExistsError(
            f"release: {to} is not empty; choose an empty folder, or pass "
            "--force to overwrite the exercise files in it"
        )
    directory = Path(directory) if directory else default_directory()
    exercises = discover(directory)
    (to / "checks").mkdir(parents=True, exist_ok=True)
    written = []
    for exercise in exercises:
        student = strip_solutions(
            exercise.file.read_text(encoding="utf-8"), exercise.file.name
        )
        written.append(_write(to / exercise.filename, student))
        checks = to / "checks" / exercise.checks_file.name
        shutil.copyfile(exercise.checks_file, checks)
        written.append(checks)
    readme = _student_readme(exercises, directory)
    written.append(_write(to / "README.md", readme))
    return written


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _student_readme(exercises: list[Exercise], directory: Path) -> str:
    template = Template((directory / "STUDENT_README.md").read_text(encoding="utf-8"))
    rows = [
        f"| `{e.id}` | {e.lesson} | `{e.filename}` | {e.title} | {e.points()} |"
        for e in exercises
    ]
    table = "\n".join(
        ["| id | lesson | file | task | points |", "|---|---|---|---|---|", *rows]
    )
    return template.substitute(table=table)
