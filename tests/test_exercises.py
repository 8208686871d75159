"""The exercises themselves: every answer key earns full marks, every released
stub fails every check, a planted mistake fails with a useful message, and the
release never leaks a solution.

Checks run in this process here (timeout=None): the answer keys and the planted
mistakes are trusted code that finishes. tests/test_grading.py covers the time
limit and the child processes.
"""

from __future__ import annotations

import ast

import numpy as np
import pytest

from tinygrad_tx import Tensor
from tinygrad_tx.grading import discover, find, grade, release
from tinygrad_tx.grading.exercises import load_module
from tinygrad_tx.grading.release import BEGIN, END
from tinygrad_tx.grading.scorers import RandomScorer

EXERCISES = discover()
IDS = [e.id for e in EXERCISES]

# id -> (text in the answer key, the planted mistake, the check that must fail,
#        a fragment of its message)
PLANTED = {
    "sigmoid_tanh_backward": (
        "return grad_out * y * (1 - y)",
        "return y * (1 - y)",  # forgets the upstream gradient
        "sigmoid_gradcheck",
        "gradcheck failed at input 0, element",
    ),
    "adam_step": (
        "    m_hat = m / (1 - beta1**t)\n    v_hat = v / (1 - beta2**t)",
        "    m_hat, v_hat = m, v",  # forgets the bias correction
        "matches_engine_adam",
        "param after step 1: at index (0, 0) got",
    ),
    "embedding_backward": (
        "np.add.at(grad, self.ids.reshape(-1), grad_out.reshape(-1, n_features))",
        "grad[self.ids.reshape(-1)] += grad_out.reshape(-1, n_features)",  # drops repeats
        "repeated_ids",
        "dL/dweight for ids [1, 3, 1, 1]: at index (1, 0)",
    ),
    "matmul_backward": (
        "return unbroadcast(grad_a, a.shape), unbroadcast(grad_b, b.shape)",
        "return grad_a, grad_b",  # forgets to sum over the broadcast batch
        "broadcast_batch",
        "has shape (2, 4, 5), expected (4, 5)",
    ),
    "unbroadcast": (
        "    if stretched:",
        "    if False:",  # forgets the axes stretched from size 1
        "stretched_axes",
        "cannot reshape",
    ),
    "softmax": (
        "return y * (grad_out - (grad_out * y).sum(axis=self.axis, keepdims=True))",
        "return grad_out * y * (1 - y)",  # the diagonal of the Jacobian only
        "backward_gradcheck",
        "gradcheck failed at input 0, element",
    ),
    "layer_norm_backward": (
        "- x_hat * (g_hat * x_hat).mean(axis=-1, keepdims=True)",
        "",  # forgets the path through σ
        "input_gradient",
        "dL/dx: at index (0, 0) got",
    ),
    "cross_entropy_label_smoothing": (
        "return grad_out * (self.p - self.q) / self.p.shape[0]",
        "return grad_out * (self.p - self.q)",  # forgets the mean's 1/N
        "backward_values",
        "dL/dlogits with grad_out = 1.7",
    ),
    "scaled_dot_product_attention": (
        "/ math.sqrt(d)",
        "/ d",  # scales by D instead of √D
        "slides_example",
        "expected 0.880797",
    ),
    "causal_mask": (
        "np.tril(np.ones((T, T), dtype=bool))",
        "np.triu(np.ones((T, T), dtype=bool))",  # looks at the future only
        "four_by_four",
        "at index (0, 1) got True, expected False",
    ),
    "positional_encoding": (
        "np.cos(angle[:, : d_model // 2])",
        "np.cos(2 * angle[:, : d_model // 2])",  # the cosine's frequency doubled
        "hand_computed_rows",
        "at index (1, 1) got -0.416147, expected 0.540302",
    ),
    "split_merge_heads": (
        "x = x.reshape(batch, length, n_heads, d_model // n_heads)  # (B, T, H, D)\n"
        "    return x.transpose(0, 2, 1, 3)  # (B, H, T, D)",
        "return x.reshape(batch, n_heads, length, d_model // n_heads)",
        "heads_are_feature_slices",
        "split_heads(x, 3) of a (2, 5, 12) x: at index (0, 0, 1, 0)",
    ),
    "greedy_decode": (
        "word = int(np.argmax(step_fn(prefix)))",
        "word = int(np.argmax(step_fn(prefix[-1:])))",  # conditions on the last token only
        "each_token_is_the_argmax",
        "but the argmax after [1, 3] is",
    ),
    "beam_search": (
        "if word == eos_id and rank < beam_size:",
        "if word == eos_id:",  # finishes EOS candidates outside the beam
        "length_penalty",
        "the winner with α = 1 is [5], expected [3, 4, 5]",
    ),
}


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    folder = tmp_path_factory.mktemp("release")
    release(folder)
    return folder


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


def test_at_least_the_twelve_exercises_of_the_issue():
    assert set(IDS) >= TWELVE, TWELVE - set(IDS)
    assert set(PLANTED) == set(IDS), "every exercise needs a planted mistake"
    assert len(IDS) == len(set(IDS)) >= 12
    for exercise in EXERCISES:
        assert 1 <= exercise.lesson <= 16, exercise.file
        assert exercise.points() > 0


@pytest.mark.parametrize("exercise_id", IDS)
def test_answer_key_earns_full_points(exercise_id):
    report = grade(exercise_id, EXERCISES[0].file.parent, timeout=None, hidden=True)
    assert report.passed, report.format()
    assert report.score == report.max_score > 0
    assert any(r.hidden for r in report.results), "every exercise has hidden checks"


@pytest.mark.parametrize("exercise_id", IDS)
def test_released_stub_fails_every_check(exercise_id, released):
    report = grade(exercise_id, released, timeout=None, hidden=True)
    passed = [r.name for r in report.results if r.passed]
    assert passed == [], f"checks that pass on the empty stub: {passed}"
    assert report.score == 0
    for result in report.results:
        assert result.message.startswith("not done yet: write "), result.message


@pytest.mark.parametrize("exercise_id", IDS)
def test_planted_mistake_fails_with_a_useful_message(exercise_id, tmp_path):
    exercise = next(e for e in EXERCISES if e.id == exercise_id)
    right, wrong, check_name, fragment = PLANTED[exercise_id]
    source = exercise.file.read_text(encoding="utf-8")
    assert source.count(right) == 1, f"the planted text is not in {exercise.file}"
    (tmp_path / exercise.filename).write_text(source.replace(right, wrong))

    report = grade(exercise_id, tmp_path, timeout=None, hidden=True)

    assert not report.passed and report.max_score > 0
    failed = {r.name: r for r in report.results if not r.passed}
    assert check_name in failed, report.format()
    assert fragment in failed[check_name].message, failed[check_name].message
    assert failed[check_name].hint  # the author's hint travels with the failure
    assert check_name in report.format() and "FAIL" in report.format()


# ------------------------------------------------------------------ release


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
    ast.parse(student)  # the student's file is valid Python
    # The task (docstring and the instructions above each block) is kept.
    assert ast.get_docstring(ast.parse(student)) == ast.get_docstring(ast.parse(source))


def test_release_writes_checks_and_readme_but_no_hidden_checks(released):
    for exercise in EXERCISES:
        copy = released / "checks" / exercise.checks_file.name
        assert copy.read_bytes() == exercise.checks_file.read_bytes()
    assert not (released / "hidden").exists()
    assert not list(released.rglob("hidden*"))
    readme = (released / "README.md").read_text(encoding="utf-8")
    for exercise in EXERCISES:
        assert f"`{exercise.filename}`" in readme
        assert f"| {exercise.points()} |" in readme
    assert "$table" not in readme


def test_release_is_idempotent(released, tmp_path):
    release(tmp_path)
    first = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*.*")}
    release(tmp_path, force=True)
    second = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*.*")}
    assert first == second
    fixture = {p.relative_to(released): p.read_bytes() for p in released.rglob("*.*")}
    assert first == fixture


def test_release_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match=r"not empty.*--force"):
        release(tmp_path)
    release(tmp_path, force=True)
    assert (tmp_path / "notes.txt").read_text() == "mine"  # other files are kept
    assert (tmp_path / "README.md").is_file()


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
