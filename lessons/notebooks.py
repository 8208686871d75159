"""A lesson as a Jupyter notebook in one language.

The notebook is the lesson's .py (read by jupytext) with:

1. a first markdown cell: "Lesson N: title" and the summary, in that language;
2. every keyed markdown cell (`# %% [markdown] key="goals"`) filled with its
   section from lessons/text/<lang>/NN_topic.md;
3. the lesson's `lesson_text(N)` call written `lesson_text(N, "pt")`, so the
   labels it prints are in the notebook's language (and a student sees where
   to change it).

A lesson still in the older English-only format becomes its notebook as it is.
Writing never replaces a notebook that exists (a student's edits live there)
unless asked to.
"""

from __future__ import annotations

import re
from pathlib import Path

from tinygrad_tx.files import atomic_write_text

from .catalog import LessonInfo, find_lesson
from .i18n import course_text, lesson_script, read_lesson_text

_TEXT_CALL = re.compile(r"\blesson_text\((\d+)\)")
KERNEL = {"name": "python3", "display_name": "Python 3", "language": "python"}


def _jupytext():
    try:
        import jupytext
    except ImportError:
        raise ImportError(
            "building notebooks needs jupytext: uv sync --group course "
            "(or pip install jupytext jupyterlab ipykernel)"
        ) from None
    return jupytext


def build_notebook(number: int, language: str | None = None):
    """(notebook, language it is written in) for lesson `number`."""
    info = find_lesson(number, language)
    notebook = _jupytext().read(info.path, fmt="py:percent")
    if info.bilingual:
        notebook.cells = _localised_cells(info, notebook.cells)
    else:  # the older format: its cells as they are (fresh cells, with ids)
        notebook.cells = [_copy(cell) for cell in notebook.cells]
    notebook.metadata = {
        "kernelspec": KERNEL,
        "language_info": {"name": "python"},
        "tinygrad_tx": {"lesson": info.number, "language": info.language},
    }
    return notebook, info.language


def _localised_cells(info: LessonInfo, cells: list) -> list:
    """The cells of a bilingual lesson with the prose of `info.language`."""
    import nbformat

    text = read_lesson_text(info.number, info.language)
    heading = course_text(info.language)(
        "lesson_heading", number=info.number, title=info.title
    )
    out = [nbformat.v4.new_markdown_cell(f"# {heading}\n\n_{info.summary}_")]
    calls = 0
    for index, cell in enumerate(cells):
        if cell.cell_type == "markdown":
            key = cell.metadata.get("key")
            if key is None or cell.source.strip():
                raise ValueError(
                    f"{info.path}: markdown cell {index + 1} must be empty and carry a "
                    f'key (# %% [markdown] key="..."); its text belongs in {text.path}'
                )
            out.append(nbformat.v4.new_markdown_cell(text.cell(key)))
            continue
        written = rf'lesson_text(\1, "{info.language}")'
        source, found = _TEXT_CALL.subn(written, cell.source)
        calls += found
        out.append(_copy(cell, source))
    if calls != 1:
        raise ValueError(
            f"{info.path}: a bilingual lesson calls lesson_text({info.number}) exactly "
            f"once (found {calls})"
        )
    return out


def _copy(cell, source: str | None = None):
    import nbformat

    source = cell.source if source is None else source
    if cell.cell_type == "markdown":
        return nbformat.v4.new_markdown_cell(source)
    return nbformat.v4.new_code_cell(source, metadata=dict(cell.metadata))


def write_notebook(
    number: int, folder: Path, language: str | None = None, force: bool = False
) -> tuple[Path, str, bool]:
    """Write lesson `number`'s notebook into `folder`: (path, language, written).
    An existing notebook is kept (written = False) unless `force`."""
    import nbformat

    notebook, written_in = build_notebook(number, language)
    folder = Path(folder)
    path = folder / f"{lesson_script(number).stem}.ipynb"
    if path.exists() and not force:
        return path, written_in, False
    text = nbformat.writes(notebook)
    atomic_write_text(path, text if text.endswith("\n") else text + "\n")
    return path, written_in, True
