"""Feedback that teaches: every catalogued mistake (tests/grading_mistakes.py) fails
at least one check, and a failing check shows the hint written for that mistake.

The files are graded with the hidden checks (seed 5), in this process (the
answer key with a mistake is trusted code); the isolation is tested elsewhere.
"""

from __future__ import annotations

from collections import Counter

import pytest
from grading_mistakes import CATALOGUE

from tinygrad_tx.grading import discover, find, grade

IDS = [f"{m.exercise}: {m.name}" for m in CATALOGUE]


def _hints_shown(mistake, folder):
    """The failing checks' hint ids, and the report."""
    exercise = find(mistake.exercise)
    source = exercise.file.read_text(encoding="utf-8")
    for right, wrong in mistake.replacements:
        assert source.count(right) == 1, f"{right!r} is not once in {exercise.file}"
        source = source.replace(right, wrong)
    (folder / exercise.filename).write_text(source, encoding="utf-8")
    report = grade(mistake.exercise, folder, hidden=True, seed=5, trusted=True)
    return [r.hint_id for r in report.results if not r.passed], report


@pytest.mark.parametrize("mistake", CATALOGUE, ids=IDS)
def test_mistake_fails_and_gets_its_own_hint(mistake, tmp_path):
    shown, report = _hints_shown(mistake, tmp_path)
    assert shown, f"no check fails:\n{report.format()}"
    assert mistake.hint in shown, f"hints shown: {shown}\n{report.format()}"


def test_catalogue_size_and_share_caught_with_the_right_hint(tmp_path):
    """At least three mistakes per exercise, 42 in all; 100% of them caught
    with their own hint (counted here again, as the number to report)."""
    per_exercise = Counter(m.exercise for m in CATALOGUE)
    assert set(per_exercise) == {e.id for e in discover()}
    assert min(per_exercise.values()) >= 3, per_exercise
    assert len(CATALOGUE) >= 42
    right = 0
    for i, mistake in enumerate(CATALOGUE):
        folder = tmp_path / str(i)
        folder.mkdir()
        shown, _ = _hints_shown(mistake, folder)
        right += mistake.hint in shown
    share = right / len(CATALOGUE)
    assert share == 1.0, f"{right}/{len(CATALOGUE)} caught with the right hint"


def test_hints_are_specific_not_the_formula_again():
    """A mistake's hint is not the check's general one restated: mistake hints
    differ from every check's default hint of the same exercise."""
    for exercise in discover():
        defaults = {str(c.hint) for c, _ in exercise.checks(hidden=True)}
        ids = {m.hint for m in CATALOGUE if m.exercise == exercise.id}
        names = {c.name for c, _ in exercise.checks(hidden=True)}
        assert len(ids) >= 3 and defaults
        assert ids - names, f"{exercise.id}: every mistake relies on a check's own hint"
