"""The exercises themselves: every answer key earns full marks whatever the hidden
seed, every released stub fails every check, the release never leaks a
solution, a hidden check or an expected value, the public checks never use the
engine functions a student replaces, and both languages are complete.

The mistakes students make, with the hint each must get, are in
tests/test_mistakes.py.
"""

from __future__ import annotations

import ast
import re

import numpy as np
import pytest

from tinygrad_tx import Tensor
from tinygrad_tx.grading import discover, find, grade, release
from tinygrad_tx.grading.exercises import load_module
from tinygrad_tx.grading.release import BEGIN, END, parse_text, translated
from tinygrad_tx.grading.scorers import RandomScorer

EXERCISES = discover()
IDS = [e.id for e in EXERCISES]
KEYS = EXERCISES[0].file.parent

TWELVE = {
    "sigmoid_tanh_backward",
    "softmax",
    "matmul_backward",
    "unbroadcast",
    "layer_norm_backward",
    "cross_entropy_label_smoothing",
    "scaled_dot_product_attention",
    "causal_mask",
    "positional_encoding",
    "split_merge_heads",
    "greedy_decode",
    "beam_search",
}


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    folder = tmp_path_factory.mktemp("release")
    release(folder)
    return folder


def test_the_fourteen_exercises():
    assert set(IDS) >= TWELVE, TWELVE - set(IDS)
    assert len(IDS) == len(set(IDS)) == 14
    for exercise in EXERCISES:
        assert 1 <= exercise.lesson <= 16, exercise.file
        assert exercise.public_points > 0 and exercise.hidden_points > 0


@pytest.mark.parametrize("seed", [1, 2024])
@pytest.mark.parametrize("exercise_id", IDS)
def test_answer_key_earns_full_points(exercise_id, seed):
    report = grade(exercise_id, KEYS, hidden=True, seed=seed, trusted=True)
    assert report.passed, report.format()
    assert report.score == report.total_max == find(exercise_id).points(True)


@pytest.mark.parametrize("exercise_id", IDS)
def test_released_stub_fails_every_check(exercise_id, released):
    report = grade(exercise_id, released, hidden=True, seed=3, trusted=True)
    passed = [r.name for r in report.results if r.passed]
    assert passed == [], f"checks that pass on the empty stub: {passed}"
    for result in report.results:
        assert result.message.startswith("not done yet: write "), result.message


def _solution_lines(source: str) -> set[str]:
    """Lines inside solution blocks that appear nowhere outside them."""
    inside, outside, in_block = set(), set(), False
    for line in source.splitlines():
        text = line.strip()
        if text.startswith(BEGIN):
            in_block = True
        elif text.startswith(END):
            in_block = False
        elif text:
            (inside if in_block else outside).add(text)
    return inside - outside


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_release_leaves_no_solution_text(exercise, released):
    source = exercise.file.read_text(encoding="utf-8")
    student = (released / exercise.filename).read_text(encoding="utf-8")
    secret = _solution_lines(source)
    assert secret, f"{exercise.file} has no solution block"
    student_lines = {line.strip() for line in student.splitlines()}
    assert not secret & student_lines, secret & student_lines
    assert "SOLUTION" not in student
    assert student.count("raise NotImplementedError(") == source.count(BEGIN)
    ast.parse(student)
    assert ast.get_docstring(ast.parse(student)) == ast.get_docstring(ast.parse(source))


def test_release_holds_public_checks_and_readme_but_nothing_hidden(released):
    for exercise in EXERCISES:
        copy = released / "checks" / exercise.checks_file.name
        assert copy.read_bytes() == exercise.checks_file.read_bytes()
    assert not list(released.rglob("hidden*")) and not list(released.rglob("texts"))
    names = {
        p.relative_to(released).as_posix() for p in released.rglob("*") if p.is_file()
    }
    assert names == {"README.md"} | {e.filename for e in EXERCISES} | {
        f"checks/{e.checks_file.name}" for e in EXERCISES
    }
    readme = (released / "README.md").read_text(encoding="utf-8")
    for exercise in EXERCISES:
        assert f"`{exercise.filename}`" in readme
        assert (
            f"| {exercise.public_points} | {exercise.hidden_points} | "
            f"{exercise.points(True)} |" in readme
        )
    assert "$table" not in readme


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_public_checks_never_use_what_students_replace(exercise):
    """The public checks expect plain NumPy formulas: they import nothing from
    the engine or the transformer package but the grading helpers, and hold no
    precomputed expected arrays loaded from files."""
    tree = ast.parse(exercise.checks_file.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            assert node.module.startswith("tinygrad_tx.grading"), node.module
        elif isinstance(node, ast.Import):
            assert {a.name for a in node.names} <= {"numpy", "itertools", "math"}
    assert "np.load" not in exercise.checks_file.read_text(encoding="utf-8")


# ------------------------------------------------------------------ languages


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_every_exercise_has_its_portuguese_text(exercise, tmp_path):
    path = exercise.text_file("pt")
    assert path.is_file(), f"missing {path}"
    doc, comments = parse_text(path.read_text(encoding="utf-8"))
    assert doc and exercise.title_in("pt") != exercise.title
    source = exercise.file.read_text(encoding="utf-8")
    english = _comment_blocks(source)
    assert set(comments) == english, set(comments) ^ english
    portuguese = translated(exercise, "pt")
    ast.parse(portuguese)
    assert _code(portuguese) == _code(source), "only the texts may change"
    assert f"python cli.py exercise check {exercise.id}" in doc


def _comment_blocks(source: str) -> set[str]:
    blocks, lines = set(), source.splitlines()
    for i, line in enumerate(lines):
        if line.strip().startswith(BEGIN):
            block, j = [], i - 1
            while lines[j].strip().startswith("#"):
                block.insert(0, lines[j].strip().lstrip("#").strip())
                j -= 1
            blocks.add(" ".join(block))
    return blocks


def _code(source: str) -> str:
    tree = ast.parse(source)
    tree.body = tree.body[1:]  # without the module docstring
    return re.sub(r"\s+", " ", ast.dump(tree))


def test_portuguese_release(tmp_path):
    release(tmp_path, lang="pt")
    student = (tmp_path / "06_softmax.py").read_text(encoding="utf-8")
    assert (
        'raise NotImplementedError("escreva Softmax.forward (veja os comentários'
        in student
    )
    assert "Softmax como Function" in student
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "| id | aula | arquivo | tarefa | públicas | ocultas | total |" in readme
    report = grade("softmax", tmp_path, lang="pt", trusted=True)
    assert report.results[0].message.startswith("ainda não foi feito: escreva Softmax")


# ------------------------------------------------------------------ decoding keys


class ScorerModel:
    """Looks like a Transformer to transformer.decode: encode() returns a dummy
    memory, decode() puts a scorer's log-probabilities at each row's last
    position."""

    device = "cpu"

    def __init__(self, scorer):
        self.scorer = scorer

    def parameters(self):
        return iter([Tensor(np.zeros(1))])

    def encode(self, src, src_mask):
        return Tensor(np.zeros((*src.shape, 1)))  # (B, S, 1)

    def decode(self, memory, src_mask, tgt, tgt_mask):
        logits = np.zeros((*tgt.shape, self.scorer.vocab_size))  # (B, T, V)
        logits[:, -1] = [self.scorer(list(row)) for row in tgt.numpy()]
        return Tensor(logits)


def test_decoding_answer_keys_agree_with_transformer_decode():
    """The greedy and beam-search answer keys (which the hidden checks use as
    references) give the same tokens as the course's own decoder."""
    decode = pytest.importorskip(
        "transformer.decode", reason="transformer/decode.py is not in this checkout"
    )
    greedy = load_module(find("greedy_decode").file).greedy_decode
    beam_search = load_module(find("beam_search").file).beam_search
    ids = decode.SpecialIds(pad=0, bos=1, eos=2)
    src = np.array([[3, 4]])
    for seed in range(40):
        scorer = RandomScorer(vocab_size=3 + seed % 5, seed=seed, temperature=0.5)
        max_len = 1 + seed % 6
        model = ScorerModel(scorer)
        want = decode.greedy_decode(model, src, max_len, ids)[0]
        assert greedy(scorer, 1, 2, max_len) == want, seed
        for beam in (1, 2, 3, 5):
            for alpha in (0.0, 0.6, 1.0):
                want = decode.beam_search(model, src, beam, max_len, ids, alpha)[0]
                assert beam_search(scorer, 1, 2, max_len, beam, alpha)[0] == want
