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


@pytest.fixture(scope="module")
def every_mistake_shown(tmp_path_factory):
    """mistake -> the hint ids its failing checks showed (the catalogue graded once)."""
    shown = {}
    for i, mistake in enumerate(CATALOGUE):
        folder = tmp_path_factory.mktemp(f"mistake{i}")
        shown[mistake], _ = _hints_shown(mistake, folder)
    return shown


def test_catalogue_size_and_share_caught_with_the_right_hint(every_mistake_shown):
    """At least three mistakes per exercise, 42 in all; 100% of them caught
    with their own hint (counted here again, as the number to report)."""
    per_exercise = Counter(m.exercise for m in CATALOGUE)
    assert set(per_exercise) == {e.id for e in discover()}
    assert min(per_exercise.values()) >= 3, per_exercise
    assert len(CATALOGUE) >= 42
    right = sum(m.hint in shown for m, shown in every_mistake_shown.items())
    share = right / len(CATALOGUE)
    assert share == 1.0, f"{right}/{len(CATALOGUE)} caught with the right hint"


# A mistake that also is another one: shifting the mask up by one does let a
# token look at the future, so the upper triangle's hint is true for it too.
ALSO_TRUE = {("causal_mask", "shifted by one, sees t + 1"): {"looks_at_future"}}


def test_no_check_shows_the_hint_written_for_another_mistake(every_mistake_shown):
    """A student who made one mistake is never told, by another failing check,
    about a different one (e.g. "subtract the max" for a wrong smoothing, or
    "ranked beam by beam" for unnormalised scores): a check whose hint is a
    diagnosis shows it only when it recognises that mistake."""
    written = {}
    for m in CATALOGUE:
        written.setdefault(m.exercise, set()).add(m.hint)
    wrong = {}
    for m, shown in every_mistake_shown.items():
        allowed = {m.hint, *ALSO_TRUE.get((m.exercise, m.name), ())}
        others = (set(shown) & written[m.exercise]) - allowed
        if others:
            wrong[f"{m.exercise}: {m.name}"] = sorted(others)
    assert not wrong, wrong


def test_hints_are_specific_not_the_formula_again():
    """A mistake's hint is not the check's general one restated: mistake hints
    differ from every check's default hint of the same exercise."""
    for exercise in discover():
        defaults = {str(c.hint) for c, _ in exercise.checks(hidden=True)}
        ids = {m.hint for m in CATALOGUE if m.exercise == exercise.id}
        names = {c.name for c, _ in exercise.checks(hidden=True)}
        assert len(ids) >= 3 and defaults
        assert ids - names, f"{exercise.id}: every mistake relies on a check's own hint"
