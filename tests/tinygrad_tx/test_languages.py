"""The course's one rule for its language: --lang, then the locale, then English,
shared by the grader and the lessons."""

import pytest

from lessons import i18n as lesson_i18n
from tinygrad_tx.grading import i18n as grading_i18n
from tinygrad_tx.languages import language_code, resolve_language


@pytest.mark.parametrize(
    "given, code",
    [("pt", "pt"), ("pt_BR.UTF-8", "pt"), ("pt-BR", "pt"), (" PT ", "pt"),
     ("en_US@euro", "en"), ("C.UTF-8", "c")],
)  # fmt: skip
def test_language_code_keeps_the_language_part(given, code):
    assert language_code(given) == code


@pytest.mark.parametrize(
    "environ, expected",
    [
        ({}, "en"),
        ({"LANG": "pt_BR.UTF-8"}, "pt"),
        ({"LANG": "pt_BR.UTF-8", "LC_ALL": "C"}, "en"),  # LC_ALL wins, even as C
        ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "pt_BR"}, "pt"),
        ({"LANG": "", "LC_MESSAGES": "pt_BR"}, "pt"),  # an empty variable is unset
        ({"LANG": "fr_FR.UTF-8"}, "en"),  # a locale the course lacks: English
    ],
)
def test_without_a_request_the_locale_decides(environ, expected):
    assert resolve_language(None, environ=environ) == expected


def test_a_request_wins_over_the_locale():
    assert resolve_language("en", environ={"LC_ALL": "pt_BR.UTF-8"}) == "en"
    assert resolve_language("pt-BR", ("en", "pt"), environ={}) == "pt"


def test_an_unknown_request_is_a_clear_error():
    with pytest.raises(ValueError, match=r"unknown course language 'fr' \(from X\); "
                       r"the course is written in en, pt$"):  # fmt: skip
        resolve_language("fr", ("en", "pt"), source=" (from X)")


def test_the_grader_and_the_lessons_use_the_same_rule(monkeypatch):
    for name in ("TINYGRAD_TX_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(lesson_i18n, "_chosen", None)
    assert grading_i18n.resolve is resolve_language
    for locale, expected in [("pt_BR.UTF-8", "pt"), ("C", "en"), ("de_DE", "en")]:
        monkeypatch.setenv("LANG", locale)
        assert grading_i18n.resolve() == lesson_i18n.resolve_language() == expected
