"""Finding exercises and loading Python files by path.

An exercise is three files in the exercises folder (`lessons/exercises/` in this
repository):

    NN_<id>.py          the task and the reference solution (the answer key);
                        NN is the lesson it belongs to
    checks/<id>.py      the checks students see and run
    hidden/<id>.py      optional extra checks that only `grade-all` runs

A check file defines its checks with `@check` (see `grading.checks`); they run
in the order they are written.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import itertools
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from .checks import Check

EXERCISE_FILE = re.compile(r"^(\d{2})_([a-z0-9_]+)\.py$")
_module_ids = itertools.count()


def default_directory() -> Path:
    """`lessons/exercises/` beside the tinygrad_tx package (a source checkout)."""
    return Path(__file__).resolve().parents[2] / "lessons" / "exercises"


@dataclass(frozen=True)
class Exercise:
    id: str
    lesson: int
    title: str
    file: Path  # the answer key, NN_<id>.py
    checks_file: Path
    hidden_file: Path | None

    def text_file(self, lang: str) -> Path:
        """The exercise's text (docstring and instructions) in another language."""
        return self.file.parent / "texts" / lang / f"{self.id}.md"

    def title_in(self, lang: str) -> str:
        """The title in `lang` (English, or the first paragraph of its text file)."""
        path = self.text_file(lang)
        if lang == "en" or not path.is_file():
            return self.title
        return _title(path.read_text(encoding="utf-8"))

    @property
    def filename(self) -> str:
        """The name of the student's file: the same as the answer key's."""
        return self.file.name

    def checks(self, hidden: bool = False) -> list[tuple[Check, bool]]:
        """(check, is_hidden) pairs, public checks first. Check files are loaded
        here, in the grader: they are the teacher's code."""
        found = [(c, False) for c in load_checks(self.checks_file)]
        if hidden and self.hidden_file is not None:
            found += [(c, True) for c in load_checks(self.hidden_file)]
        return found

    def points(self, hidden: bool = False) -> int:
        """The public points, or with hidden=True all of them (the total)."""
        return sum(c.points for c, _ in self.checks(hidden))

    @property
    def public_points(self) -> int:
        return self.points(hidden=False)

    @property
    def hidden_points(self) -> int:
        return self.points(hidden=True) - self.points(hidden=False)

    def reference(self) -> ModuleType:
        """The answer key as a module of this process (trusted code): what the
        hidden checks compare with."""
        return _load_cached(self.file, self.file.stat().st_mtime_ns, "answer_key")


def discover(directory: Path | str | None = None) -> list[Exercise]:
    """Every exercise in `directory`, ordered by lesson, then id."""
    directory = Path(directory) if directory else default_directory()
    if not directory.is_dir():
        raise FileNotFoundError(
            f"exercises folder {directory} not found; run from a checkout of the "
            "course repository or pass the folder that holds NN_<id>.py files"
        )
    found = []
    for path in sorted(directory.glob("*.py")):
        match = EXERCISE_FILE.match(path.name)
        if match:
            found.append(_exercise(path, int(match.group(1)), match.group(2)))
    return sorted(found, key=lambda e: (e.lesson, e.id))


def find(exercise_id: str, directory: Path | str | None = None) -> Exercise:
    """The exercise called `exercise_id` (its id, or its file stem such as 06_softmax)."""
    exercises = discover(directory)
    for exercise in exercises:
        if exercise_id in (exercise.id, exercise.file.stem):
            return exercise
    known = ", ".join(e.id for e in exercises)
    raise KeyError(f"unknown exercise {exercise_id!r}; the exercises are: {known}")


def _exercise(path: Path, lesson: int, exercise_id: str) -> Exercise:
    checks_file = path.parent / "checks" / f"{exercise_id}.py"
    if not checks_file.is_file():
        raise FileNotFoundError(
            f"exercise {path.name} has no checks: expected {checks_file}"
        )
    hidden = path.parent / "hidden" / f"{exercise_id}.py"
    title = _title(_docstring(path))
    return Exercise(
        exercise_id,
        lesson,
        title,
        path,
        checks_file,
        hidden if hidden.is_file() else None,
    )


def _title(text: str) -> str:
    return " ".join(text.strip().split("\n\n")[0].split()).rstrip(".")


def _docstring(path: Path) -> str:
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    if not doc:
        raise ValueError(
            f"exercise {path} needs a docstring: its first paragraph is the title"
        )
    return doc


def load_module(path: Path | str, prefix: str = "exercise") -> ModuleType:
    """Execute a Python file as a fresh module (a new one at every call, so one
    check cannot see what an earlier check did to the module)."""
    path = Path(path)
    name = f"_{prefix}_{path.stem}_{next(_module_ids)}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look modules up here
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(name, None)
    return module


def load_checks(path: Path) -> list[Check]:
    """The checks defined in a check file, in the order they are written."""
    path = Path(path)
    try:
        module = _load_cached(path, path.stat().st_mtime_ns, "checks")
    except Exception as exc:
        raise RuntimeError(
            f"could not load the checks in {path}: {type(exc).__name__}: {exc}"
        ) from exc
    return [v for v in vars(module).values() if isinstance(v, Check)]


@functools.lru_cache(maxsize=256)
def _load_cached(path: Path, mtime_ns: int, prefix: str) -> ModuleType:
    """A teacher's file loaded once per version (checks, answer key)."""
    return load_module(path, prefix=prefix)
