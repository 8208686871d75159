"""The lessons, run as a student runs them.

Every lesson's notebook, in every language it is written in, is built by
`lessons.notebooks` and executed with nbclient in the fast setting, with the
kernel started in a folder outside the repository. No cell may fail, every cell
that draws a figure shows it inline (image/png; a computation graph as
image/svg+xml), the printed labels are in the notebook's language, the claims of
tests/lesson_claims.py hold in the numbers the lesson saved, and its files exist.
A lesson also runs as a plain script without Graphviz's `dot`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lesson_claims import CHECKS, FILES, GRAPHS, PAGES

from lessons import utils
from lessons.catalog import catalog
from lessons.i18n import course_text, languages
from lessons.notebooks import build_notebook
from tinygrad_tx.viz.html_page import LANGS as PAGE_LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
LESSONS = catalog("en")
BY_NUMBER = {info.number: info for info in LESSONS}
LANGUAGES = languages()
DOT = shutil.which("dot") is not None
FIGURE_CALL = re.compile(r"\b(save_figure|show_image|show_graph)\(")
PAGE_CALL = re.compile(r"\b(show_graph_page|show_example_page|show_attention_page)\(")


def _cases():
    for info in LESSONS:
        for language in LANGUAGES:
            marks = []
            if not info.bilingual and language != "en":
                marks = [pytest.mark.skip(reason=(
                    f"lesson {info.number} is still in the English-only format (issue "
                    f"13, phase 2 converts it): its '{language}' notebook would be the "
                    "English one again"))]  # fmt: skip
            yield pytest.param(info.number, language, marks=marks,
                               id=f"lesson{info.number:02d}-{language}")  # fmt: skip


@pytest.fixture(scope="module")
def out_root(tmp_path_factory):
    """One output root for all lessons, as out/lessons/ is: lesson 15 decodes
    with the model lesson 14 trained (the cases run in lesson order)."""
    return tmp_path_factory.mktemp("lessons")


@pytest.fixture(scope="module")
def elsewhere(tmp_path_factory):
    """A folder outside the repository, where the notebooks' kernels start."""
    return tmp_path_factory.mktemp("student")


def execute(number: int, language: str, cwd: Path):
    """Lesson `number`'s notebook in `language`, executed; fails on a cell error."""
    nbclient = pytest.importorskip("nbclient", reason="nbclient is in the dev group")
    notebook, _ = build_notebook(number, language)
    client = nbclient.NotebookClient(
        notebook, timeout=600, kernel_name="python3",
        resources={"metadata": {"path": str(cwd)}},  # the kernel's working folder
    )  # fmt: skip
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as exc:
        pytest.fail(f"lesson {number} ({language}): a cell failed\n{str(exc)[-4000:]}")
    return notebook


def check_figures_inline(notebook, number: int) -> None:
    """Each cell that saves a figure or draws a graph shows it in the notebook."""
    cells = [c for c in notebook.cells if c.cell_type == "code"]
    drawing = [c for c in cells if FIGURE_CALL.search(c.source)]
    assert drawing, f"lesson {number} draws no figure"
    for cell in drawing:
        kinds = {kind for out in cell.outputs for kind in out.get("data", {})}
        if "show_graph(" in cell.source and not DOT:  # the text tree instead
            printed = "".join(out.get("text", "") for out in cell.outputs)
            trees = [course_text(lang)("graph_as_text") for lang in LANGUAGES]
            assert any(tree in printed for tree in trees), cell.source
            continue
        assert kinds & {"image/png", "image/svg+xml"}, (
            f"lesson {number}: this cell draws a figure but shows none inline:\n"
            f"{cell.source[:300]}"
        )
        if "show_graph(" in cell.source:
            assert "image/svg+xml" in kinds, "a graph is shown as SVG"


def check_pages_inline(notebook, number: int, language: str) -> None:
    """Each cell that shows an interactive page (the graph or the attention
    explorer) shows it in the notebook as HTML, in the notebook's language;
    and the lesson shows the pages tests/lesson_claims.py asks of it."""
    cells = [c for c in notebook.cells if c.cell_type == "code"]
    showing = [c for c in cells if PAGE_CALL.search(c.source)]
    missing = set(PAGES.get(number, [])) - {
        name for c in showing for name in PAGE_CALL.findall(c.source)
    }
    assert not missing, f"lesson {number} never calls {sorted(missing)}"
    for cell in showing:
        html = "".join(out.get("data", {}).get("text/html", "") for out in cell.outputs)
        assert 'class="txv"' in html, (
            f"lesson {number}: this cell shows a page but no HTML came out:\n"
            f"{cell.source[:300]}"
        )
        if language in PAGE_LANGUAGES:  # the pages' own labels: English or Portuguese
            assert f'lang="{language}"' in html, f"lesson {number}: page not {language}"


def check_language(notebook, language: str) -> None:
    """The shared labels the lesson printed are in the notebook's language."""
    printed = "".join(
        out.get("text", "")
        for cell in notebook.cells if cell.cell_type == "code"
        for out in cell.outputs
    )  # fmt: skip
    labels = ("figure_saved", "graph_saved", "graph_as_text")
    mine = {course_text(language)(label, path="") for label in labels}
    others = {
        course_text(other)(label, path="") for other in LANGUAGES for label in labels
    } - mine
    assert any(prefix in printed for prefix in mine), f"no {mine} in the outputs"
    assert not any(prefix in printed for prefix in others), (
        f"a label of another language in the {language} notebook"
    )


def check_files(number: int, folder: Path) -> None:
    names = list(FILES[number])
    for stem in GRAPHS.get(number, []):
        names.append(f"{stem}.png" if DOT else f"{stem}.dot")
    for name in names:
        path = folder / name
        assert path.is_file() and path.stat().st_size > 200, f"missing or empty: {path}"


@pytest.mark.slow
@pytest.mark.parametrize(("number", "language"), list(_cases()))
def test_lesson_notebook_runs_shows_its_figures_and_its_claims_hold(
    number, language, out_root, elsewhere, monkeypatch
):
    other = next((lang for lang in LANGUAGES if lang != language), language)
    for name, value in {
        "TINYGRAD_TX_FAST": "1",
        "TINYGRAD_TX_LESSON_OUT": str(out_root),
        "OPENBLAS_NUM_THREADS": "1",
        "MPLBACKEND": "Agg",
        "TINYGRAD_TX_LANG": other,  # the notebook's own language must win
    }.items():
        monkeypatch.setenv(name, value)
    notebook = execute(number, language, elsewhere)
    check_figures_inline(notebook, number)
    check_pages_inline(notebook, number, language)
    if BY_NUMBER[number].bilingual:
        check_language(notebook, language)
    folder = out_root / f"{number:02d}"
    check_files(number, folder)
    CHECKS[number](json.loads((folder / "results.json").read_text()))


def test_every_lesson_has_checks_and_files():
    for number in BY_NUMBER:
        assert number in CHECKS, f"lesson {number} has no check in lesson_claims.py"
        assert number in FILES, f"lesson {number} lists no files in lesson_claims.py"


# ---------------------------------------------------------------- as a script


@pytest.mark.slow
def test_lesson_runs_as_a_script_without_graphviz(tmp_path):
    """`python lessons/02_...py` from another folder, with no `dot` on PATH: the
    DOT source is written, the install hint printed once, the text tree shown."""
    env = {
        **os.environ,
        "PATH": str(Path(sys.executable).parent),  # the venv's python, no dot
        "TINYGRAD_TX_FAST": "1",
        "TINYGRAD_TX_LESSON_OUT": str(tmp_path / "out"),
        "TINYGRAD_TX_LANG": "pt",
        "MPLBACKEND": "Agg",
    }
    done = subprocess.run(
        [sys.executable, str(BY_NUMBER[2].path)], cwd=tmp_path, env=env,
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    folder = tmp_path / "out" / "02"
    assert (folder / "neuron.dot").is_file() and not (folder / "neuron.png").exists()
    assert done.stdout.count("Install Graphviz") == 1
    assert course_text("pt")("graph_as_text") in done.stdout
    CHECKS[2](json.loads((folder / "results.json").read_text()))


def test_show_graph_without_dot_says_how_to_install_once(tmp_path, monkeypatch, capsys):
    from tinygrad_tx import Tensor

    monkeypatch.setattr(utils.shutil, "which", lambda name: None)
    monkeypatch.setattr(utils, "_HINT_SHOWN", False)
    x = Tensor(2.0, requires_grad=True, name="x")
    y = (x * x).tanh()
    first = utils.show_graph(y, tmp_path / "g1", show_data=True)
    second = utils.show_graph(y, tmp_path / "g2")
    printed = capsys.readouterr().out
    assert first == tmp_path / "g1.dot" and second == tmp_path / "g2.dot"
    assert "digraph" in first.read_text()
    assert printed.count("Install Graphviz") == 1
    assert printed.count("tanh") >= 2  # the text tree, each time


def test_output_dir_that_cannot_be_written_is_a_clear_error(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("TINYGRAD_TX_LESSON_OUT", str(blocker / "lessons"))
    with pytest.raises(OSError, match=r"cannot write lesson 3's outputs in .*a-file"):
        utils.output_dir(3)
